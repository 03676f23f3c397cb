/**
 * The transport seam: what the client sends one hop through. A `Transport`
 * takes a prepared request and answers with the head of the response and a
 * reader of its body, under the request's timers; the client (redirects,
 * status handling, content codings, decoding, limits) and every Layer above
 * it know no more of the network than this.
 *
 * `NodeTransport.layer` (undici 8) provides it, the fast path;
 * {@link layerFromHttpClient} puts any effect `HttpClient` under the client,
 * the explicit, slower one.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as HttpClient from "effect/http/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type * as CourierError from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as platform from "./internal/transport/platform.js"

/**
 * What reading a body can fail with: the connection (`Network`, an
 * `IncompleteBody` when it ends early), a timer (`Timeout`: `receive`
 * between chunks, `total` at the call's deadline), the size limit given to
 * `readAll` (`LimitExceeded`).
 *
 * @since 0.1.0
 */
export type BodyError = CourierError.Network | CourierError.Timeout | CourierError.LimitExceeded

/**
 * The answer to one hop: the head, and the body not read yet, as it came
 * (content codings are the client's to undo). The body is read at most once,
 * by one of the readers; the hop's timers keep running while it is read.
 *
 * @since 0.1.0
 */
export interface Response {
  readonly status: number
  /** Lower-cased names; a repeated header is one value (joined with `, `). */
  readonly headers: Readonly<Record<string, string>>
  /** Each `Set-Cookie` line as received. */
  readonly setCookie: ReadonlyArray<string>
  /**
   * The whole body, failing with `LimitExceeded("ResponseTooLarge")` as
   * soon as more than `limit` bytes arrived (the connection is then dropped).
   */
  readonly readAll: (limit: number) => Effect.Effect<Uint8Array, BodyError>
  /** At most `limit` bytes, then the rest is dropped. Never fails: a failure ends the prefix. */
  readonly readPrefix: (limit: number) => Effect.Effect<Uint8Array>
  /** The body chunk by chunk, with backpressure. */
  readonly raw: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout>
  /** Drops the body: the connection is closed unless the body already arrived whole. */
  readonly discard: Effect.Effect<void>
}

/**
 * A transport. `send` sends one hop as it is (method, URL, headers, body;
 * never following a redirect) and answers once the head arrived. It owns
 * the hop's timers, each failing with `Timeout` of its phase:
 *
 * - `connect`: the client's, on the connection pool;
 * - `send`: from the start of a streamed upload to its end;
 * - `receive`: to the head, then between body chunks;
 * - `total`: the request's `deadline`, over the hop and its body read.
 *
 * Interrupting `send` or a body read aborts the hop.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly send: (
    request: CourierRequest.CourierRequest
  ) => Effect.Effect<Response, CourierError.Network | CourierError.Timeout>
}

/**
 * The transport service.
 *
 * @since 0.1.0
 */
export class Transport extends Context.Service<Transport, Service>()("@courier/client-effect4/Transport") {}

/**
 * Replaces the transport in context with `f` of it: a Layer that sees every
 * hop (each redirect and each retry) as it goes on the wire. Provide it the
 * transport it decorates.
 *
 * @since 0.1.0
 */
export const layerDecorate = <E = never, R = never>(
  f: (transport: Service) => Effect.Effect<Service, E, R>
): Layer.Layer<Transport, E, Transport | R> => Layer.effect(Transport, Effect.flatMap(Transport, f))

/**
 * A transport over an effect `HttpClient` (`FetchHttpClient.layer`, or one
 * wrapped with `HttpClient.mapRequest` and friends, which then applies to
 * every hop). The waits on the platform are raced against the hop's timers
 * (`receive` for the head and each body chunk, the call's deadline over
 * all), so it costs more per call than `NodeTransport`; `connect` and `send`
 * are the platform client's own. A `fetch` client is told
 * `redirect: "manual"`, so the client's redirect rules see every 3xx.
 *
 * `contentDecoding` says who undoes content codings: `"platform"` (the
 * default: `fetch` decodes gzip, deflate and br itself and keeps the
 * header) takes `content-encoding` and `content-length` off the head the
 * client sees; `"client"` leaves the head alone and the client decodes, for
 * a platform client that hands bodies on as they came. Either way
 * `maxResponseBytes` counts decoded bytes.
 *
 * @since 0.1.0
 */
export const fromHttpClient: (
  http: HttpClient.HttpClient,
  options?: { readonly contentDecoding?: "platform" | "client" | undefined }
) => Service = platform.fromHttpClient

/**
 * {@link fromHttpClient} over the `HttpClient` in context, as a Layer.
 *
 * @since 0.1.0
 */
export const layerFromHttpClient = (
  options?: { readonly contentDecoding?: "platform" | "client" | undefined }
): Layer.Layer<Transport, never, HttpClient.HttpClient> =>
  Layer.effect(Transport, Effect.map(HttpClient.HttpClient, (http) => fromHttpClient(http, options)))
