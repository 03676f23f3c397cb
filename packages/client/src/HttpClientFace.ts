/**
 * Courier as the platform's `HttpClient`, for code that asks for
 * `HttpClient.HttpClient` rather than calling Courier: `HttpApiClient`
 * endpoints, SDKs and other libraries built on `@effect/platform`. Every
 * request they make goes through the client's `execute`, so through the
 * Layers composed under it (auth and its refresh, retry, tracing, logging,
 * metrics, app headers), with Courier's timeouts, limits and origin rules.
 *
 * How a platform request is sent:
 *
 * - Its URL (with its `urlParams`; HttpApiClient makes it absolute from its
 *   `baseUrl`) is checked like a call's: on the base URL's origin or one of
 *   `allowedOrigins`, else `RequestRefused`.
 * - Its headers go as they are (checked like a call's), after the client's
 *   default headers. An `Idempotency-Key` makes a POST retryable, as in a
 *   call; without one, Retry does not send a POST again.
 * - Bodies: `Uint8Array`, `FormData` (serialised once, as multipart) and a
 *   raw string, `Uint8Array` or `ArrayBuffer` are bytes, so they can be
 *   retried and replayed after a refresh; a `Stream` (or a raw
 *   `ReadableStream`) is one-shot, as `Body.stream`: never sent twice.
 *
 * What comes back:
 *
 * - A 2xx answer is a response whose body Courier streams: `stream` reads it
 *   under the receive timeout between chunks and what is left of the `total`
 *   deadline; `text`, `json`, `arrayBuffer`, `formData` and `urlParamsBody`
 *   also fail past `maxResponseBytes`.
 * - Any other status is a response too, as the platform's own clients hand
 *   it on (HttpApiClient decodes its error schemas by status), but only once
 *   the stack is done with it: a 401 goes through the auth Layer (one
 *   refresh, one replay) and a retryable status through Retry first. Its
 *   headers and body are the server's, the body read up to
 *   `maxResponseBytes` (past it, its buffered reads fail with
 *   `LimitExceeded`). When the auth Layer ends a call with a failure of its
 *   own (a refresh that failed), the response is its 401 with the redacted
 *   headers and body excerpt of that failure.
 * - Any other failure becomes an `HttpClientError` whose `cause` is the
 *   Courier failure, and whose `description` is its message:
 *
 * | Courier failure            | platform error                                   |
 * | -------------------------- | ------------------------------------------------ |
 * | `Timeout`, `Network`       | `RequestError`, reason `Transport`               |
 * | `LimitExceeded` (redirects, encodings) | `RequestError`, reason `Transport`   |
 * | `RequestRefused` (URL, query, path)    | `RequestError`, reason `InvalidUrl`  |
 * | `RequestRefused` (body, header, method) | `RequestError`, reason `Encode`     |
 * | `RequestRefused` (a redirect refused)   | `RequestError`, reason `Transport`  |
 * | reading the body: `Timeout`, `Network`, `LimitExceeded` | `ResponseError`, reason `Decode`, with the response |
 * | `BadResponse`, `Unauthorized` | not an error: the response with that status   |
 *
 * `courierError` finds the Courier failure again (also behind a
 * `ResponseError` that HttpApiClient raised for a status response), and
 * `catchCourier` handles it.
 *
 * @example
 * ```ts
 * import { CourierError, HttpClientFace } from "@courier/client"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 *
 * // A library function that knows only the platform's HttpClient.
 * const fetchStatus = (url: string) =>
 *   Effect.flatMap(HttpClient.HttpClient, (http) => http.get(url)).pipe(
 *     Effect.map((response) => response.status),
 *     HttpClientFace.catchCourier((error) =>
 *       Effect.succeed(error._tag === "Timeout" ? -1 : 0)
 *     )
 *   )
 *
 * // Given Courier's face over the configured client (and its Layers):
 * // fetchStatus("https://api.example.com/health").pipe(Effect.provide(HttpClientFace.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import * as internal from "./internal/transport/platformFace.js"

/**
 * A platform `HttpClient` over a Courier client: every request goes through
 * `client.execute`, so through the Layers the client was built with.
 *
 * @since 0.1.0
 */
export const make: (client: CourierClient.Service) => HttpClient.HttpClient = internal.make

/**
 * Provides `HttpClient.HttpClient` from the `CourierClient` in context, with
 * whatever Layers it was composed with. Provide it to the code that uses
 * the platform client, not to Courier's own transport.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, CourierClient.CourierClient> = internal.layer

/**
 * The Courier failure behind a platform error: the `cause` of an
 * `HttpClientError` raised by the face, or the failure a status response
 * stands for (behind a `ResponseError` about it, such as HttpApiClient's
 * for a status it has no schema for). A Courier failure itself is returned
 * as it is.
 *
 * @since 0.1.0
 */
export const courierError: (error: unknown) => Option.Option<CourierError.CourierError> = internal.courierError

/**
 * Handles the failures of `self` that carry a Courier failure (see
 * `courierError`); every other failure, and every defect, passes through.
 *
 * @since 0.1.0
 */
export const catchCourier: {
  <A2, E2, R2>(
    f: (error: CourierError.CourierError) => Effect.Effect<A2, E2, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | E2, R | R2>
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    f: (error: CourierError.CourierError) => Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A | A2, E | E2, R | R2>
} = internal.catchCourier
