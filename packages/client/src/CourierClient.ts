/**
 * The client service program code depends on. Every call is an `Effect`
 * whose failure channel says exactly what can go wrong (see the example).
 *
 * Cross-cutting concerns (auth, retry, logging) are Layers that decorate
 * `execute`; program code never changes when one is added or swapped.
 *
 * @example
 * ```ts
 * import { CourierClient } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 *
 * const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
 *
 * // Program code depends on the service only.
 * const program = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   return yield* client.get("/posts", { query: { userId: 1 }, schema: Schema.Array(Post) })
 *   // Effect<readonly Post[], Timeout | Unauthorized | BadResponse | Parse | Network | RequestRefused | LimitExceeded | CircuitOpen | RateLimited | BulkheadFull>
 * })
 *
 * // The edge of the program provides a configured client, once.
 * const main = program.pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" })))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as Body from "./Body.js"
import type * as CourierConfig from "./CourierConfig.js"
import type { CourierError, Parse, RequestRefused } from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import type * as CourierResponse from "./CourierResponse.js"
import * as internal from "./internal/core/client.js"
import { CourierClient } from "./internal/core/client.js"
import type * as Pagination from "./Pagination.js"
import type * as Transport from "./Transport.js"
import type * as Url from "./Url.js"

/**
 * Per-request settings. Anything left out comes from the client's configuration.
 *
 * @since 0.1.0
 */
export interface RequestOptions<E = unknown, EI = unknown> {
  /** Values for `{name}` placeholders in the path, each encoded as one segment. */
  readonly params?: Url.PathParams | undefined
  /** Query parameters, added to any already in the path. */
  readonly query?: Url.Query | undefined
  /** Merged over the default headers; `undefined` removes a default one. */
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: Body.Body | undefined
  /** Overrides the client's `send`, `receive` and `total` timeouts for this call. */
  readonly timeouts?: CourierConfig.RequestTimeoutsInput | undefined
  readonly maxResponseBytes?: number | undefined
  readonly maxRedirects?: number | undefined
  /** Decodes the JSON body of a `BadResponse` into its `errorBody`. */
  readonly errorSchema?: Schema.Schema<E, EI, never> | undefined
  /**
   * Non-2xx statuses that are answers, not failures: a list (`[304, 404]`)
   * or a predicate. Such a response is read whole under `maxResponseBytes`
   * and decoded like a 2xx (by `schema` or `responseType`); it is a success
   * for every Layer, so it is never retried, a 401 accepted here does not
   * start a token refresh, and logs and metrics record it as `ok` with its
   * status. Redirects are followed before this is consulted (set
   * `maxRedirects: 0` to see a 3xx). Default: only 2xx.
   */
  readonly acceptStatus?: ReadonlyArray<number> | ((status: number) => boolean) | undefined
  /** Called as the request body is handed to the socket. */
  readonly onUploadProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /** Called as the response body arrives (buffered calls and streams alike). */
  readonly onDownloadProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

/**
 * Bytes moved so far, and the total when known. Progress callbacks are
 * Effects: they run between chunks, and their failures and defects are
 * ignored, so a callback can never break the transfer.
 *
 * @since 0.1.0
 */
export interface Progress {
  readonly transferred: number
  readonly total: number | undefined
}

/**
 * What a call succeeds with: the decoded body alone (`"body"`), or next to
 * the status and headers (`"exchange"`).
 *
 * @since 0.1.0
 */
export type CallResult<W extends "body" | "exchange", A> = W extends "exchange" ? Exchange<A> : A

/**
 * The overloads of every call, written once. `P` is what comes before the
 * options (`[url]` or `[method, url]`); the options say how the body is
 * decoded: by `schema`, as `text`, `bytes`, nothing (`none`) or JSON (the
 * default). The failure channel lists exactly what can go wrong: a call
 * that decodes nothing cannot fail with `Parse`.
 *
 * @since 0.1.0
 */
export interface Calls<P extends ReadonlyArray<unknown>, W extends "body" | "exchange" = "body"> {
  <A, I, E = unknown, EI = unknown>(
    ...args: [...P, options: RequestOptions<E, EI> & { readonly schema: Schema.Schema<A, I, never> }]
  ): Effect.Effect<CallResult<W, A>, CourierError<E>>
  <E = unknown, EI = unknown>(
    ...args: [...P, options: RequestOptions<E, EI> & { readonly responseType: "text" }]
  ): Effect.Effect<CallResult<W, string>, Exclude<CourierError<E>, Parse>>
  <E = unknown, EI = unknown>(
    ...args: [...P, options: RequestOptions<E, EI> & { readonly responseType: "bytes" }]
  ): Effect.Effect<CallResult<W, Uint8Array>, Exclude<CourierError<E>, Parse>>
  <E = unknown, EI = unknown>(
    ...args: [...P, options: RequestOptions<E, EI> & { readonly responseType: "none" }]
  ): Effect.Effect<CallResult<W, void>, Exclude<CourierError<E>, Parse>>
  <E = unknown, EI = unknown>(
    ...args: [...P, options?: RequestOptions<E, EI> & { readonly responseType?: "json" }]
  ): Effect.Effect<CallResult<W, unknown>, CourierError<E>>
}

/**
 * A call through the client: `(url, options)`.
 *
 * @since 0.1.0
 */
export interface Call extends Calls<[url: string]> {}

/**
 * A call with the method given: `(method, url, options)`.
 *
 * @since 0.1.0
 */
export interface MethodCall extends Calls<[method: string, url: string]> {}

/**
 * What `exchange` succeeds with: the status and headers of the last hop
 * next to the decoded body.
 *
 * @since 0.1.0
 */
export interface Exchange<A> {
  readonly status: number
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: A
}

/**
 * One schema per status, for `exchange`: `{ 200: Post, 404: NotFound }`.
 * The statuses named are the answers (non-2xx ones as with
 * `acceptStatus`), each body decoded by its own schema.
 *
 * @since 0.1.0
 */
export type StatusSchemas = { readonly [status: number]: Schema.Schema.AnyNoContext }

/**
 * An `Exchange` whose status is known, so a check of `status` narrows `body`.
 *
 * @since 0.1.0
 */
export interface ExchangeAt<Status extends number, A> extends Exchange<A> {
  readonly status: Status
}

/**
 * What `exchange` with `schemas` succeeds with: a union discriminated by
 * `status`.
 *
 * @since 0.1.0
 */
export type ExchangeOf<S extends StatusSchemas> = {
  readonly [K in keyof S & number]: ExchangeAt<K, Schema.Schema.Type<S[K]>>
}[keyof S & number]

/**
 * A call that keeps the status and headers: `(method, url, options)`,
 * decoding the body as the options say, like `MethodCall`, or by the
 * schema `schemas` gives for the status.
 *
 * @since 0.1.0
 */
export interface ExchangeCall extends Calls<[method: string, url: string], "exchange"> {
  <S extends StatusSchemas, E = unknown, EI = unknown>(
    method: string,
    url: string,
    options: RequestOptions<E, EI> & {
      readonly schemas: S
      readonly schema?: undefined
      readonly responseType?: undefined
      readonly acceptStatus?: undefined
    }
  ): Effect.Effect<ExchangeOf<S>, CourierError<E>>
}

/**
 * The decoration point of the client: a prepared request in, a response
 * (2xx or a status the request accepts, body buffered or streaming) or a
 * typed failure out. Layers wrap it.
 *
 * @since 0.1.0
 */
export type Execute = (
  request: CourierRequest.CourierRequest
) => Effect.Effect<CourierResponse.CourierResponse, CourierError>

/**
 * @since 0.1.0
 */
export interface Service {
  readonly config: CourierConfig.ResolvedConfig
  /**
   * The transport underneath as a platform `HttpClient`, for what Courier
   * does not cover: no Layer, no redirect followed, no timeout but yours.
   * The very client given to `Transport.layerFromHttpClient`, or one over
   * the transport (`Transport.toHttpClient`).
   */
  readonly http: HttpClient.HttpClient
  /**
   * The decorated pipeline every call goes through. The request's `total`
   * deadline bounds its hops and the waits of Courier's Layers (a refresh, a
   * bulkhead slot, a rate-limit pause); when a Layer waits outside the
   * process (a store that is not one of Courier's memory or file stores, a
   * refresh coordinator, a `layerDecorate` with `waitsOutside`), the call
   * methods also bound the whole of it.
   */
  readonly execute: Execute
  /** Prepares a request as the calls do, without sending it. */
  readonly prepare: (
    method: string,
    url: string,
    options?: RequestOptions
  ) => Effect.Effect<CourierRequest.CourierRequest, RequestRefused>
  readonly request: MethodCall
  readonly get: Call
  readonly head: Call
  readonly options: Call
  readonly delete: Call
  readonly post: Call
  readonly put: Call
  readonly patch: Call
  /**
   * Status, lower-cased headers and the decoded body together, for when
   * a header (`etag`, `x-total-count`) or the status matters next to a
   * typed body. Fails like the other calls.
   */
  readonly exchange: ExchangeCall
  /**
   * The items of a paged collection as a `Stream`, one GET per page
   * through `execute`, following `Link: rel="next"` or the caller's
   * `next` (see the `Pagination` module).
   */
  readonly paginate: Pagination.Paginate
  /** The whole response (status, headers, buffered body) for a 2xx or an accepted status. */
  readonly response: <E = unknown, EI = unknown>(
    method: string,
    url: string,
    options?: RequestOptions<E, EI>
  ) => Effect.Effect<CourierResponse.CourierResponse, CourierError<E>>
  /**
   * The response of a 2xx with its body not read yet (`Streaming`): for
   * callers that need the status and headers before the bytes, such as a
   * download. The receive timeout applies between chunks; the total
   * timeout is the caller's to apply.
   */
  readonly streamingResponse: <E = unknown, EI = unknown>(
    method: string,
    url: string,
    options?: RequestOptions<E, EI>
  ) => Effect.Effect<CourierResponse.CourierResponse, CourierError<E>>
  /** The body as a byte stream; the receive timeout applies between chunks, the total one to the whole. */
  readonly stream: <E = unknown, EI = unknown>(
    method: string,
    url: string,
    options?: RequestOptions<E, EI>
  ) => Stream.Stream<Uint8Array, CourierError<E>>
}

/**
 * The client service tag.
 *
 * @since 0.1.0
 */
export { CourierClient }

/**
 * Builds the client from its configuration and a {@link Transport.Transport}
 * (`NodeTransport.layer`, `FetchTransport.layer`, or any platform
 * `HttpClient` through `Transport.layerFromHttpClient`). A `ContentDecoder`
 * in context decodes compressed bodies.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Service, never, CourierConfig.CourierConfig | Transport.Transport> = internal.make

/**
 * The client as a Layer, over the configuration and the transport.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<CourierClient, never, CourierConfig.CourierConfig | Transport.Transport> = Layer
  .effect(CourierClient, internal.make)

/**
 * A new client whose `execute` is `f` of the old one: the way a Layer adds
 * a concern (auth, retry, logging) without program code noticing.
 *
 * @since 0.1.0
 */
export const decorate: {
  (f: (execute: Execute, client: Service) => Execute): (self: Service) => Service
  (self: Service, f: (execute: Execute, client: Service) => Execute): Service
} = internal.decorate

/**
 * A Layer that decorates the client provided below it.
 *
 * The call's `total` deadline bounds every hop and every wait of Courier's
 * own Layers. A Layer of yours that waits on something of its own before or
 * after calling `execute` (a lock, a remote store, a queue) says so with
 * `waitsOutside: true`: each call through the client is then run as a whole
 * under its deadline, at the cost of one timer race per call (so it is not
 * the default).
 *
 * @example
 * ```ts
 * import { CourierClient, CourierRequest } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // One `x-request-id` per call, added by a Layer over the client below it.
 * const RequestId = CourierClient.layerDecorate((execute) =>
 *   Effect.succeed((request: CourierRequest.CourierRequest) =>
 *     execute(CourierRequest.setHeader(request, "x-request-id", crypto.randomUUID())))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layerDecorate: <E = never, R = never>(
  f: (execute: Execute, client: Service) => Effect.Effect<Execute, E, R>,
  options?: {
    /** The decoration waits on something besides `execute` that may take long: bound each call as a whole. */
    readonly waitsOutside?: boolean | undefined
  }
) => Layer.Layer<CourierClient, E, CourierClient | R> = internal.layerDecorate
