/**
 * A request as the client's Layers see it: prepared (URL joined and checked,
 * headers validated, body serialised) and immutable. Layers that decorate
 * the client (auth, retry, logging) receive one and pass on a changed copy.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierRequest } from "@courier/client"
 * import * as Duration from "effect/Duration"
 * import * as Effect from "effect/Effect"
 *
 * // A Layer that removes a header the server must not see.
 * const NoCookies = CourierClient.layerDecorate((execute) =>
 *   Effect.succeed((request: CourierRequest.CourierRequest) => execute(CourierRequest.removeHeader(request, "cookie")))
 * )
 *
 * // A Layer that tags each call and gives up early when little time is left.
 * const Tagged = CourierClient.layerDecorate((execute) =>
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
import type * as Body from "./Body.js"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierConfig from "./CourierConfig.js"
import type * as CourierError from "./CourierError.js"
import { type Call, CallId } from "./internal/core/call.js"
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
  /** Json and Form bodies are already serialised to Bytes. */
  readonly body: Body.Body
  /** The call's timeouts; what is left of `total` is {@link remaining}. */
  readonly timeouts: CourierConfig.Timeouts
  /** 1 for the first attempt; the retry Layer counts up. */
  readonly attempt: number
  readonly maxResponseBytes: number
  readonly maxRedirects: number
  /** Whether a non-2xx status is an answer rather than a failure (`acceptStatus`); undefined for none. */
  readonly acceptStatus: ((status: number) => boolean) | undefined
  readonly onUploadProgress: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined
  readonly onDownloadProgress: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined
  /** Method and redacted URL, for failures and logs. */
  readonly info: CourierError.RequestInfo
  /** Per-hop concerns for this request, run by the core on every hop (see {@link HopHook}). */
  readonly hopHooks?: ReadonlyArray<HopHook> | undefined
  /**
   * The core's own state of the call (its deadline among it), kept under a
   * symbol so that a copy made with `{ ...request }` carries it.
   *
   * @internal
   */
  readonly [CallId]: Call
}

/**
 * What is left of the call's `total` timeout, read from the `Clock`:
 * `Duration.infinity` when it has none, zero once it passed. Every wait of
 * the call (each hop, a retry's sleep, a refresh wait, a body read, a
 * stream) is bounded by the same instant, fixed when the request was
 * prepared.
 *
 * @since 0.1.0
 */
export const remaining: (self: CourierRequest) => Effect.Effect<Duration.Duration> = internal.remaining

/**
 * Whether the call hands its body on as a stream (`client.stream`,
 * `streamingResponse`, downloads, NDJSON, SSE) rather than buffered.
 *
 * @since 0.1.0
 */
export const isStreaming: (self: CourierRequest) => boolean = internal.isStreaming

/**
 * The head of one hop's response, as a {@link HopHook} sees it.
 *
 * @since 0.1.0
 */
export interface HopResponse {
  readonly status: number
  /** Lower-cased names; a repeated header is one value. */
  readonly headers: Readonly<Record<string, string>>
  /** Each `Set-Cookie` line as received, one entry per line. */
  readonly setCookie: ReadonlyArray<string>
}

/**
 * The place where per-hop concerns plug in. Courier follows redirects itself,
 * in the core below every Layer, so a Layer that decorates `execute` sees the
 * first request and the last response only. A hook added to the request
 * (with {@link addHopHook}) is run by the core on every hop of every attempt:
 *
 * - `onRequest` gets the hop's request and returns the one to send. What it
 *   adds is for that hop only: the next hop is built from the request before
 *   the hook (so the redirect rules, such as dropping secret headers on a
 *   cross-origin hop, apply to what the caller and the Layers set), then the
 *   hook runs again for the new target.
 * - `onResponse` gets the request as sent and the head of its response
 *   (a redirect, a failure status or the answer), before a redirect is
 *   followed or the response is returned.
 *
 * Hooks run in the order they were added. They cannot fail: a hook that
 * has something to report logs it.
 *
 * @since 0.1.0
 */
export interface HopHook {
  readonly onRequest?: ((request: CourierRequest) => Effect.Effect<CourierRequest>) | undefined
  readonly onResponse?: ((request: CourierRequest, response: HopResponse) => Effect.Effect<void>) | undefined
}

/**
 * Adds a hook the core runs on each hop of this request (see {@link HopHook}).
 *
 * @since 0.1.0
 */
export const addHopHook: {
  (hook: HopHook): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, hook: HopHook): CourierRequest
} = internal.addHopHook

/**
 * Sets a header; the name is lower-cased. A name or value that is not valid
 * (CR, LF, NUL...) is never sent, and never dropped quietly either: the
 * request keeps the other headers as they were and the call fails with
 * `RequestRefused` (`InvalidHeader`, naming the header) before anything is
 * sent. Check a value first with {@link isValidHeader} to do something else.
 *
 * @since 0.1.0
 */
export const setHeader: {
  (name: string, value: string): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, name: string, value: string): CourierRequest
} = internal.setHeader

/**
 * Whether {@link setHeader} can send this header: a token for a name, a
 * value without CR, LF, NUL or other control characters.
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
 * Whether the request's body can be sent again (for a retry, a redirect or
 * a replay after refresh).
 *
 * @since 0.1.0
 */
export const isReplayable: (self: CourierRequest) => boolean = internal.isReplayable
