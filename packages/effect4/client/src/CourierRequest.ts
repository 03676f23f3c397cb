/**
 * A request as the client's Layers see it: prepared (URL joined and checked,
 * headers validated, body serialised), immutable, and carrying its deadline.
 * Layers that decorate the client (auth, retry, logging) receive one and pass
 * on a changed copy.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierRequest } from "@courier/client-effect4"
 * import * as Duration from "effect/Duration"
 * import * as Effect from "effect/Effect"
 *
 * // A Layer that tags each call with what is left of its deadline.
 * const Budget = CourierClient.layerDecorate((execute) =>
 *   Effect.succeed((request: CourierRequest.CourierRequest) =>
 *     Effect.flatMap(CourierRequest.remaining(request), (left) =>
 *       execute(CourierRequest.setHeader(request, "x-budget-ms", String(Duration.toMillis(left))))))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Body from "./Body.js"
import type * as CourierConfig from "./CourierConfig.js"
import type * as CourierError from "./CourierError.js"
import * as internal from "./internal/core/request.js"

/**
 * @since 0.1.0
 */
export interface CourierRequest {
  /** Upper-case for the standard methods. */
  readonly method: string
  /** Absolute, checked against the base URL; no user info, no fragment. */
  readonly url: URL
  /** Lower-cased names, validated values. */
  readonly headers: Readonly<Record<string, string>>
  /** `Json`, `Form` and `Multipart` bodies are already serialised to `Bytes`. */
  readonly body: Body.Body
  /** The call's timeouts (`connect` is the client's: connections are pooled). */
  readonly timeouts: CourierConfig.Timeouts
  /**
   * When the call's `total` timeout ends it, in `Clock` milliseconds
   * (`Infinity` for none). Fixed when the request is prepared: every hop,
   * retry, wait and body read of the call is bounded by this one instant.
   * Read it with {@link remaining}.
   */
  readonly deadline: number
  /** 1 for the first attempt; the retry Layer counts up. */
  readonly attempt: number
  readonly maxResponseBytes: number
  readonly maxRedirects: number
  /** Whether a non-2xx status is an answer rather than a failure (`acceptStatus`); undefined for none. */
  readonly acceptStatus: ((status: number) => boolean) | undefined
  /** Whether the body is handed on as a stream (`client.stream`) rather than buffered. */
  readonly streaming: boolean
  /** Decodes the JSON body of a `BadResponse` with the call's `errorSchema`. */
  readonly decodeErrorBody: ((json: unknown) => Option.Option<unknown>) | undefined
  /**
   * A header {@link setHeader} could not set (never its value): the call
   * fails with `RequestRefused("InvalidHeader")` before anything is sent.
   */
  readonly refusedHeader: { readonly name: string; readonly problem: string } | undefined
  /** Per-hop concerns run by the client on every hop (see {@link HopHook}). */
  readonly hopHooks: ReadonlyArray<HopHook>
  /** Method and redacted URL, for failures and logs. */
  readonly info: CourierError.RequestInfo
}

/**
 * What is left of the call's `total` timeout, read from the `Clock`:
 * `Duration.infinity` when it has none, zero once it passed.
 *
 * @since 0.1.0
 */
export const remaining: (self: CourierRequest) => Effect.Effect<Duration.Duration> = internal.remaining

/**
 * The head of one hop's response, as a {@link HopHook} sees it.
 *
 * @since 0.1.0
 */
export interface HopResponse {
  readonly status: number
  /** Lower-cased names; a repeated header is one value. */
  readonly headers: Readonly<Record<string, string>>
  /** Each `Set-Cookie` line as received. */
  readonly setCookie: ReadonlyArray<string>
}

/**
 * A per-hop concern. The client follows redirects itself, below every Layer,
 * so a Layer decorating `execute` sees the first request and the last
 * response only. A hook added with {@link addHopHook} runs on every hop:
 * `onRequest` returns the hop's request to send (what it adds is for that
 * hop only: the next hop is built from the request before the hook, so the
 * redirect rules apply to it, then the hook runs again), `onResponse` sees
 * the head of each hop's response before a redirect is followed. Hooks run
 * in the order added and cannot fail.
 *
 * @since 0.1.0
 */
export interface HopHook {
  readonly onRequest?: ((request: CourierRequest) => Effect.Effect<CourierRequest>) | undefined
  readonly onResponse?: ((request: CourierRequest, response: HopResponse) => Effect.Effect<void>) | undefined
}

/**
 * Adds a hook the client runs on each hop of this request.
 *
 * @since 0.1.0
 */
export const addHopHook: {
  (hook: HopHook): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, hook: HopHook): CourierRequest
} = internal.addHopHook

/**
 * Sets a header; the name is lower-cased. A name or value that is not valid
 * (CR, LF, NUL, a header the transport owns...) is never sent, and never
 * dropped quietly either: the request keeps its headers as they were and
 * the call fails with `RequestRefused("InvalidHeader")`, naming the header,
 * before anything is sent. Check first with {@link isValidHeader}.
 *
 * @since 0.1.0
 */
export const setHeader: {
  (name: string, value: string): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, name: string, value: string): CourierRequest
} = internal.setHeader

/**
 * Whether {@link setHeader} can send this header.
 *
 * @since 0.1.0
 */
export const isValidHeader: (name: string, value: string) => boolean = internal.isValidHeader

/**
 * Removes a header (case-insensitive).
 *
 * @since 0.1.0
 */
export const removeHeader: {
  (name: string): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, name: string): CourierRequest
} = internal.removeHeader

/**
 * Whether the request's body can be sent again (a retry, a redirect, a
 * replay after refresh).
 *
 * @since 0.1.0
 */
export const isReplayable: (self: CourierRequest) => boolean = internal.isReplayable
