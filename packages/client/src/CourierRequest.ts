/**
 * A request as the client's Layers see it: prepared (URL joined and checked,
 * headers validated, body serialised) and immutable. Layers that decorate
 * the client (auth, retry, logging) receive one and pass on a changed copy.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierRequest } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // A Layer that removes a header the server must not see.
 * const NoCookies = CourierClient.layerDecorate((execute) =>
 *   Effect.succeed((request: CourierRequest.CourierRequest) => execute(CourierRequest.removeHeader(request, "cookie")))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import type * as Option from "effect/Option"
import type * as Effect from "effect/Effect"
import type * as Body from "./Body.js"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierConfig from "./CourierConfig.js"
import type * as CourierError from "./CourierError.js"
import * as Headers from "@courier/core/Headers"

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
  readonly timeouts: CourierConfig.Timeouts
  /** When the `total` timeout ends the call, in Clock milliseconds; undefined for none. */
  readonly deadline: number | undefined
  /** 1 for the first attempt; the retry Layer counts up. */
  readonly attempt: number
  readonly maxResponseBytes: number
  readonly maxRedirects: number
  /** Whether the body is handed to the caller as a stream rather than buffered. */
  readonly streaming: boolean
  /** Decodes a non-2xx body with the request's `errorSchema`. */
  readonly decodeErrorBody: ((json: unknown) => Option.Option<unknown>) | undefined
  /** Whether a non-2xx status is an answer rather than a failure (`acceptStatus`); undefined for none. */
  readonly acceptStatus: ((status: number) => boolean) | undefined
  readonly onUploadProgress: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined
  readonly onDownloadProgress: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined
  /** Method and redacted URL, for failures and logs. */
  readonly info: CourierError.RequestInfo
  /** Per-hop concerns for this request, run by the core on every hop (see {@link HopHook}). */
  readonly hopHooks?: ReadonlyArray<HopHook> | undefined
}

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
} = dual(2, (self: CourierRequest, hook: HopHook): CourierRequest => ({
  ...self,
  hopHooks: self.hopHooks === undefined ? [hook] : [...self.hopHooks, hook]
}))

/**
 * Sets a header. The name is lower-cased; a name or value that is not valid
 * (CR, LF, NUL...) is left out and reported as `undefined`, never sent.
 *
 * @since 0.1.0
 */
export const setHeader: {
  (name: string, value: string): (self: CourierRequest) => CourierRequest | undefined
  (self: CourierRequest, name: string, value: string): CourierRequest | undefined
} = dual(3, (self: CourierRequest, name: string, value: string): CourierRequest | undefined => {
  const headers = { ...self.headers }
  return Headers.normalize(headers, { [name]: value }) === undefined ? { ...self, headers } : undefined
})

/**
 * Removes a header (case-insensitive).
 *
 * @since 0.1.0
 */
export const removeHeader: {
  (name: string): (self: CourierRequest) => CourierRequest
  (self: CourierRequest, name: string): CourierRequest
} = dual(2, (self: CourierRequest, name: string): CourierRequest => {
  const lower = name.toLowerCase()
  if (!(lower in self.headers)) return self
  const headers = { ...self.headers }
  delete headers[lower]
  return { ...self, headers }
})

/**
 * Whether the request's body can be sent again (for a retry, a redirect or
 * a replay after refresh).
 *
 * @since 0.1.0
 */
export const isReplayable = (self: CourierRequest): boolean => self.body._tag !== "Stream" || self.body.replayable
