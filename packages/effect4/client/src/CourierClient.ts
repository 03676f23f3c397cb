/**
 * The client service program code depends on. Every call is an `Effect`
 * whose failure channel says exactly what can go wrong.
 *
 * Cross-cutting concerns (auth, retry, logging) are Layers that decorate
 * `execute` with {@link layerDecorate}; program code never changes when one
 * is added or swapped.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierConfig, NodeTransport } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 * import * as Schema from "effect/Schema"
 *
 * const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   return yield* client.get("/posts", { query: { userId: 1 }, schema: Schema.Array(Post) })
 * })
 *
 * const Client = CourierClient.layer.pipe(
 *   Layer.provide(NodeTransport.layer()),
 *   Layer.provide(CourierConfig.layer({ baseUrl: "https://api.example.com" }))
 * )
 * const main = program.pipe(Effect.provide(Client))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as Url from "@courier/core/Url"
import type * as Body from "./Body.js"
import * as CourierConfig from "./CourierConfig.js"
import type { CourierError, Parse, RequestRefused } from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import type * as CourierResponse from "./CourierResponse.js"
import * as internal from "./internal/core/client.js"
import * as Redaction from "./Redaction.js"
import * as Transport from "./Transport.js"

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
  readonly errorSchema?: Schema.Codec<E, EI> | undefined
  /**
   * Non-2xx statuses that are answers, not failures: a list (`[304, 404]`)
   * or a predicate. Such a response is decoded like a 2xx and is a success
   * for every Layer. Redirects are followed before this is consulted.
   * Default: only 2xx.
   */
  readonly acceptStatus?: ReadonlyArray<number> | ((status: number) => boolean) | undefined
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
 * default). A call that decodes nothing cannot fail with `Parse`.
 *
 * @since 0.1.0
 */
export interface Calls<P extends ReadonlyArray<unknown>, W extends "body" | "exchange" = "body"> {
  <A, I, E = unknown, EI = unknown>(
    ...args: [...P, options: RequestOptions<E, EI> & { readonly schema: Schema.Codec<A, I> }]
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
export type StatusSchemas = { readonly [status: number]: Schema.Codec<unknown, unknown> }

/**
 * An `Exchange` whose status is known, so a check of `status` narrows `body`.
 *
 * @since 0.1.0
 */
export interface ExchangeAt<Status extends number, A> extends Exchange<A> {
  readonly status: Status
}

/**
 * What `exchange` with `schemas` succeeds with: a union discriminated by `status`.
 *
 * @since 0.1.0
 */
export type ExchangeOf<S extends StatusSchemas> = {
  readonly [K in keyof S & number]: ExchangeAt<K, S[K]["Type"]>
}[keyof S & number]

/**
 * A call that keeps the status and headers: `(method, url, options)`,
 * decoding the body as the options say, or by the schema `schemas` gives
 * for the status.
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
 * (2xx or a status the request accepts; body buffered, or streaming when
 * `request.streaming`) or a typed failure out. Layers wrap it.
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
  /** The decorated pipeline every call goes through. */
  readonly execute: Execute
  /** Prepares a request as the calls do, without sending it; the deadline starts now. */
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
  /** Status, lower-cased headers and the decoded body together. Fails like the other calls. */
  readonly exchange: ExchangeCall
  /** The whole response (status, headers, buffered body) of a 2xx or an accepted status. */
  readonly response: <E = unknown, EI = unknown>(
    method: string,
    url: string,
    options?: RequestOptions<E, EI>
  ) => Effect.Effect<CourierResponse.CourierResponse, CourierError<E>>
  /**
   * The body as a byte stream, decoded from its content codings: `receive`
   * applies between chunks, the call's deadline to the whole, and
   * `maxResponseBytes` to the bytes handed on.
   */
  readonly stream: <E = unknown, EI = unknown>(
    method: string,
    url: string,
    options?: RequestOptions<E, EI>
  ) => Stream.Stream<Uint8Array, CourierError<E>>
}

/**
 * The client service.
 *
 * @since 0.1.0
 */
export class CourierClient extends Context.Service<CourierClient, Service>()("@courier/client-effect4/CourierClient") {}

/**
 * Builds the client from its configuration and a `Transport`. Its failures
 * show headers and bodies through the `Redaction` in context, plus the
 * configuration's `credentialHeaders`.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Service, never, CourierConfig.CourierConfig | Transport.Transport> = Effect.map(
  Effect.all([CourierConfig.CourierConfig, Transport.Transport, Redaction.Redaction]),
  ([config, transport, redactor]) => internal.make(config, transport, redactor)
)

/**
 * The client as a Layer, over the configuration and the transport.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<CourierClient, never, CourierConfig.CourierConfig | Transport.Transport> = Layer
  .effect(CourierClient, make)

/**
 * A new client whose `execute` is `f` of the old one; every call method
 * goes through the new `execute`.
 *
 * @since 0.1.0
 */
export const decorate: {
  (f: (execute: Execute, client: Service) => Execute): (self: Service) => Service
  (self: Service, f: (execute: Execute, client: Service) => Execute): Service
} = internal.decorate

/**
 * A Layer that decorates the client provided below it: the way a Layer adds
 * a concern (auth, retry, logging) without program code noticing. A wait of
 * the decoration's own (a lock, a refresh) is bounded by the request's
 * deadline only if the decoration bounds it (`CourierRequest.remaining`).
 *
 * @example
 * ```ts
 * import { CourierClient, CourierRequest } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 *
 * const RequestId = CourierClient.layerDecorate((execute) =>
 *   Effect.succeed((request: CourierRequest.CourierRequest) =>
 *     execute(CourierRequest.setHeader(request, "x-request-id", crypto.randomUUID())))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layerDecorate = <E = never, R = never>(
  f: (execute: Execute, client: Service) => Effect.Effect<Execute, E, R>
): Layer.Layer<CourierClient, E, CourierClient | R> =>
  Layer.effect(
    CourierClient,
    Effect.flatMap(CourierClient, (client: Service) =>
      Effect.map(f(client.execute, client), (execute) => internal.decorate(client, () => execute)))
  )
