/**
 * A transport's native exchange: the lean path Courier's core takes when its
 * `HttpClient` offers one (the Node transport does). It runs a hop with the
 * send, receive and total timers on one watchdog and reads the body with no
 * Effect `Stream` in between. Any other `HttpClient` (fetch, one a user
 * built) goes through the generic path over the platform interface.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@courier/client/Exchange")

/** @internal */
export const ResponseTypeId: unique symbol = Symbol.for("@courier/client/Exchange/Response")

/** @internal */
export type BodyError = CourierError.Network | CourierError.Timeout | CourierError.LimitExceeded

/**
 * A response of a native exchange. It is also a platform response, for
 * code that wants one; the methods below are Courier's fast path and keep
 * the hop's timers running (receive between chunks, total).
 *
 * @internal
 */
export interface Response extends HttpClientResponse.HttpClientResponse {
  readonly [ResponseTypeId]: ResponseTypeId
  /** Each `Set-Cookie` line as received (the headers record keeps one). */
  readonly setCookie: ReadonlyArray<string>
  /** The whole body as it came (not decoded), failing past `limit` bytes. */
  readonly readAll: (limit: number) => Effect.Effect<Uint8Array, BodyError>
  /** At most `limit` bytes, then the connection is dropped if more was coming. Never fails. */
  readonly readPrefix: (limit: number) => Effect.Effect<Uint8Array>
  /** The body as it came, chunk by chunk, with backpressure. */
  readonly raw: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout>
  /** Drops the body: the connection is closed unless the body already arrived whole. */
  readonly discard: Effect.Effect<void>
}

/** @internal */
export type ResponseTypeId = typeof ResponseTypeId

/** @internal */
export interface Exchange {
  readonly send: (request: CourierRequest.CourierRequest) => Effect.Effect<Response, CourierError.Network | CourierError.Timeout>
}

/** The native exchange of a platform client, when it has one. @internal */
export const fromHttpClient = (http: HttpClient.HttpClient): Exchange | undefined =>
  (http as unknown as { readonly [TypeId]?: Exchange })[TypeId]

/** @internal */
export const isResponse = (response: HttpClientResponse.HttpClientResponse): response is Response =>
  ResponseTypeId in response
