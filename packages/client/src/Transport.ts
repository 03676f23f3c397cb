/**
 * The transport seam: what Courier's core sends one hop through. A
 * `Transport` takes a prepared request and answers with the head of the
 * response and a reader of its body, under the request's timers; the core
 * (redirects, status handling, decoding, limits) and every Layer above it
 * know no more of the network than this.
 *
 * Three transports provide it:
 * - `NodeTransport.layer` (`@courier/client/node`): undici's `dispatch`
 *   with one watchdog timer per request, the fast one;
 * - `FetchTransport.layer`: the platform's `fetch` client;
 * - {@link layerFromHttpClient}: any platform `HttpClient`, wrapped as you
 *   like (`HttpClient.mapRequest` and friends). This is the slower path
 *   (several times the CPU of the Node transport per call: a platform
 *   request and response per hop, each wait raced against the timers in
 *   fibers), chosen explicitly, and the request still gets every timeout
 *   and limit.
 *
 * A Layer that wants every hop (a redirect's too) at the wire, rather than
 * each call, decorates the transport: see {@link layerDecorate}.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierConfig, Transport } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * // Your own platform client, wrapped, under Courier: explicit, and slower.
 * const Wrapped = Layer.effect(
 *   HttpClient.HttpClient,
 *   Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-via", "mine")))
 * ).pipe(Layer.provide(NodeTransport.layer()))
 *
 * const Client = CourierClient.layer.pipe(
 *   Layer.provide(Transport.layerFromHttpClient),
 *   Layer.provide(Wrapped),
 *   Layer.provideMerge(CourierConfig.layer({ baseUrl: "https://api.example.com" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type * as CourierError from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as face from "./internal/transport/face.js"
import * as platform from "./internal/transport/platform.js"
import { Transport } from "./internal/transport/tag.js"

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
 * The answer to one hop: the head, and the body not read yet. The body is
 * as it came (not decoded: the core undoes content codings); it is read at
 * most once, by one of the readers. The timers of the hop keep running while
 * it is read: `receive` between chunks, the call's deadline over all of it.
 *
 * @since 0.1.0
 */
export interface Response {
  readonly status: number
  /** Lower-cased names; a repeated header is one value. */
  readonly headers: Headers.Headers
  /** Each `Set-Cookie` line as received (the headers record keeps one). */
  readonly setCookie: ReadonlyArray<string>
  /** The whole body, failing with `LimitExceeded` past `limit` bytes (the connection is then dropped). */
  readonly readAll: (limit: number) => Effect.Effect<Uint8Array, BodyError>
  /** At most `limit` bytes, then the connection is dropped if more was coming. Never fails: a failure ends the prefix. */
  readonly readPrefix: (limit: number) => Effect.Effect<Uint8Array>
  /** The body chunk by chunk, with backpressure. */
  readonly raw: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout>
  /** Drops the body: the connection is closed unless the body already arrived whole. */
  readonly discard: Effect.Effect<void>
}

/**
 * A transport. `send` sends one hop of a prepared request, as it is (its
 * method, URL, headers and body; redirects are the core's, never followed
 * here), and answers once the head arrived. It owns the request's timers:
 *
 * - `send`: from the start of a streamed upload to its end (a small body
 *   goes in one write, and its wait is `receive`'s);
 * - `receive`: to the head after the upload, then between body chunks;
 * - `total`: the call's deadline (`CourierRequest.remaining`), over the hop
 *   and the body read alike;
 *
 * and fails with `Network` or `Timeout` (the phase that ran out) as typed
 * failures. Interrupting `send` or a body read aborts the hop.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly send: (request: CourierRequest.CourierRequest) => Effect.Effect<Response, CourierError.Network | CourierError.Timeout>
}

export { Transport }

/**
 * A transport over any platform `HttpClient`: the request becomes a
 * platform request on each hop, the response is read through the platform
 * interface, and the send, receive and total timers are the same watchdog
 * as the Node transport's, each wait on the platform raced against it.
 * Whatever the client does (a `mapRequest`, a `tapRequest`) applies to every
 * hop. Several times the CPU per call of `NodeTransport`.
 *
 * @since 0.1.0
 */
export const fromHttpClient: (http: HttpClient.HttpClient) => Service = platform.fromHttpClient

/**
 * {@link fromHttpClient} over the `HttpClient` in context, as a Layer.
 * Layers are shared by identity within one build: to put two platform
 * clients under two Courier clients of one program, wrap one use in
 * `Layer.fresh`.
 *
 * @since 0.1.0
 */
export const layerFromHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, fromHttpClient)
)

/**
 * A platform `HttpClient` that sends through a transport: no Courier Layer,
 * no redirect followed, and no timer, as the platform's own clients set none
 * (add `Effect.timeout`; interrupting a request aborts it). For code that
 * wants the platform interface over Courier's connection; `client.http` is
 * this for the client's transport (or, for a transport made by
 * {@link fromHttpClient}, the very client it was made from).
 *
 * @since 0.1.0
 */
export const toHttpClient: (transport: Service) => HttpClient.HttpClient = face.toHttpClient

/**
 * Replaces the transport in context with `f` of it: a Layer that sees every
 * hop (each redirect and each retry) as it goes on the wire, written only
 * against this interface. Provide it the transport it decorates.
 *
 * @example
 * ```ts
 * import { Transport } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // Logs each hop's method, redacted URL and status.
 * const LogHops = Transport.layerDecorate((transport) =>
 *   Effect.succeed({
 *     send: (request) =>
 *       Effect.tap(transport.send(request), (response) =>
 *         Effect.log(`${request.info.method} ${request.info.url} ${response.status}`))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layerDecorate = <E = never, R = never>(
  f: (transport: Service) => Effect.Effect<Service, E, R>
): Layer.Layer<Transport, E, Transport | R> => Layer.effect(Transport, Effect.flatMap(Transport, f))
