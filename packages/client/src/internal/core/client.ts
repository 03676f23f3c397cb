import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ContentDecoder } from "../body/contentDecoder.js"
import type * as CourierClientNs from "../../CourierClient.js"
import type * as CourierConfigNs from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"
import { Transport } from "../transport/tag.js"
import { toHttpClient } from "../transport/face.js"
import * as Deadline from "./deadline.js"
import { decode } from "./decode.js"
import * as Pagination from "./pagination.js"
import { CourierConfig } from "./config.js"
import { prepare } from "./prepare.js"
import { forClient, Redaction } from "../redaction/rules.js"
import * as Send from "./send.js"
import { streamCall } from "./streamCall.js"

/**
 * The client service tag. Defined here, with the code that builds the
 * service, and re-exported by the public module: public modules import their
 * internal code, never the other way round.
 *
 * @since 0.1.0
 */
export class CourierClient extends Context.Tag("@courier/client/CourierClient")<CourierClient, CourierClientNs.Service>() {}

type Options = CourierClientNs.RequestOptions<unknown, unknown> & {
  readonly schema?: Schema.Schema<unknown, unknown, never>
  readonly responseType?: CourierConfigNs.ResponseType
}

type StatusSchemas = { readonly [status: number]: Schema.Schema<unknown, unknown, never> }

/** Fails every body, saying why: the status had no schema in `schemas`. */
const noSchemaFor = (status: number): Schema.Schema<unknown, unknown, never> =>
  Schema.Unknown.pipe(Schema.filter(() => `no schema for status ${status}`))

/**
 * The one place the calls meet their public types. The types say what each
 * option does to the result (`schema` decides the success, `errorSchema` the
 * `BadResponse` body, `responseType` whether `Parse` can happen); one untyped
 * implementation serves all of them, which TypeScript cannot check against
 * a set of overloads, so the claim is made here once.
 */
const overloaded = <T>(implementation: (...args: ReadonlyArray<never>) => unknown): T => implementation as unknown as T

/**
 * Set on a client one of whose Layers waits on something outside the process
 * (a token store, a breaker's, limiter's or cache's store, a refresh lock,
 * say in Redis): its calls then run the whole decorated `execute` under the
 * deadline, so a store that stops answering cannot hold a call past it.
 * Without such a Layer, every wait of a call is in the process and already
 * takes its time from the deadline (the hops in the transport, the refresh,
 * bulkhead and rate-limit waits), and a call pays for no extra timer: a
 * timeout around the whole call forks fibers, more CPU than a whole request.
 */
const RemoteWaits: unique symbol = Symbol.for("@courier/client/CourierClient/RemoteWaits")

/** Whether the client's calls are bounded as a whole (see `RemoteWaits`). @internal */
export const waitsRemotely = (client: CourierClientNs.Service): boolean =>
  (client as { readonly [RemoteWaits]?: boolean })[RemoteWaits] === true

/** The `execute` a whole call runs: bounded by its deadline when a Layer waits outside the process. @internal */
export const callExecute = (client: CourierClientNs.Service): CourierClientNs.Execute =>
  waitsRemotely(client) ? withinDeadline(client.execute) : client.execute

/** `execute`, each call of it run as a whole under the request's deadline. */
const withinDeadline = (execute: CourierClientNs.Execute): CourierClientNs.Execute => (request) =>
  Deadline.within(request, execute(request))

const build = (
  config: CourierConfigNs.ResolvedConfig,
  http: HttpClient.HttpClient,
  execute: CourierClientNs.Execute,
  remote = false
): CourierClientNs.Service => {
  const bounded = remote ? withinDeadline(execute) : execute
  const prepareEffect = (method: string, url: string, options: Options | undefined, streaming: boolean) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => prepare(config, method, url, options ?? {}, streaming, now))

  // The total deadline is fixed when the request is prepared (see
  // deadline.ts): every hop, wait and body read takes what is left of it;
  // with a Layer waiting outside the process, the whole call too (`bounded`).
  const response = (method: string, url: string, options?: Options) =>
    Effect.flatMap(prepareEffect(method, url, options, false), bounded)

  const call = (method: string, url: string, options?: Options): Effect.Effect<unknown, CourierError.CourierError> => {
    const responseType = options?.responseType ?? config.responseType
    const schema = options?.schema
    return Effect.flatMap(prepareEffect(method, url, options, false), (request) =>
      Effect.flatMap(bounded(request), (res: CourierResponse.CourierResponse) => decode(res, responseType, schema, config.credentialHeaders)))
  }

  // A decoded call that keeps what `f` needs of the response beside the body.
  const decodedWith = <B>(
    method: string,
    url: string,
    options: Options | undefined,
    f: (res: CourierResponse.CourierResponse, body: unknown) => B,
    schemaOf?: (res: CourierResponse.CourierResponse) => Schema.Schema<unknown, unknown, never>
  ): Effect.Effect<B, CourierError.CourierError> => {
    const responseType = options?.responseType ?? config.responseType
    const schema = options?.schema
    return Effect.flatMap(prepareEffect(method, url, options, false), (request) =>
      Effect.flatMap(bounded(request), (res: CourierResponse.CourierResponse) =>
        Effect.map(
          decode(res, responseType, schemaOf === undefined ? schema : schemaOf(res), config.credentialHeaders),
          (body) => f(res, body)
        )))
  }

  const toExchange = (res: CourierResponse.CourierResponse, body: unknown): CourierClientNs.Exchange<unknown> => ({
    status: res.status,
    headers: res.headers,
    body
  })

  const exchange = (method: string, url: string, options?: Options & { readonly schemas?: StatusSchemas }) => {
    const schemas = options?.schemas
    if (schemas === undefined) return decodedWith(method, url, options, toExchange)
    // The statuses of the map are the answers; any other status fails as usual,
    // and a 2xx the map does not name is a Parse failure saying so.
    const acceptStatus = Object.keys(schemas).map(Number)
    return decodedWith(method, url, { ...options, acceptStatus }, toExchange, (res) =>
      Object.prototype.hasOwnProperty.call(schemas, res.status)
        ? schemas[res.status]!
        : noSchemaFor(res.status))
  }

  const fetchPage: Pagination.FetchPage = (url, options) =>
    decodedWith("GET", url, options as Options, (res, body) => ({
      page: { status: res.status, headers: res.headers, body, url: res.request.url },
      info: res.request.info
    }))

  const stream = (method: string, url: string, options?: Options) =>
    Stream.unwrap(
      Effect.map(prepareEffect(method, url, options, true), (request) => streamCall(request, bounded(request)))
    )

  const method = (name: string) => overloaded<CourierClientNs.Call>((url: string, options?: Options) => call(name, url, options))
  return {
    config,
    http,
    execute,
    prepare: (method, url, options) => prepareEffect(method, url, options, false),
    request: overloaded<CourierClientNs.MethodCall>(call),
    get: method("GET"),
    head: method("HEAD"),
    options: method("OPTIONS"),
    delete: method("DELETE"),
    post: method("POST"),
    put: method("PUT"),
    patch: method("PATCH"),
    exchange: overloaded<CourierClientNs.ExchangeCall>(exchange),
    paginate: overloaded<CourierClientNs.Service["paginate"]>((url: string, options: Pagination.PageOptions) =>
      Pagination.paginate(fetchPage, url, options)),
    response: overloaded<CourierClientNs.Service["response"]>(response),
    streamingResponse: overloaded<CourierClientNs.Service["streamingResponse"]>((method: string, url: string, options?: Options) =>
      Effect.flatMap(prepareEffect(method, url, options, true), bounded)),
    stream: overloaded<CourierClientNs.Service["stream"]>(stream),
    ...(remote ? { [RemoteWaits]: true } : {})
  }
}

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* CourierConfig
  const transport = yield* Transport
  const decoder = yield* ContentDecoder
  const redactor = yield* Redaction
  return build(
    config,
    toHttpClient(transport),
    Send.make(transport, decoder, config, forClient(redactor, config.credentialHeaders))
  )
})

/** @internal */
export const decorate = dual<
  (
    f: (execute: CourierClientNs.Execute, client: CourierClientNs.Service) => CourierClientNs.Execute
  ) => (self: CourierClientNs.Service) => CourierClientNs.Service,
  (
    self: CourierClientNs.Service,
    f: (execute: CourierClientNs.Execute, client: CourierClientNs.Service) => CourierClientNs.Execute
  ) => CourierClientNs.Service
>(2, (self, f) => build(self.config, self.http, f(self.execute, self), waitsRemotely(self)))

/** @internal */
export const layerDecorate = <E = never, R = never>(
  f: (execute: CourierClientNs.Execute, client: CourierClientNs.Service) => Effect.Effect<CourierClientNs.Execute, E, R>,
  options?: {
    /** Whether this Layer waits on something outside the process (see `RemoteWaits`). */
    readonly waitsOutside?: boolean | undefined
  }
) =>
  Layer.effect(
    CourierClient,
    Effect.flatMap(CourierClient, (client) =>
      Effect.map(
        f(client.execute, client),
        (execute) => build(client.config, client.http, execute, waitsRemotely(client) || options?.waitsOutside === true)
      ))
  )

/** `decorate`, for a Layer that knows whether it waits outside the process. @internal */
export const decorateWaiting = (
  self: CourierClientNs.Service,
  remote: boolean,
  f: (execute: CourierClientNs.Execute, client: CourierClientNs.Service) => CourierClientNs.Execute
): CourierClientNs.Service => build(self.config, self.http, f(self.execute, self), waitsRemotely(self) || remote)

/**
 * The same client (same `execute`, so the same Layers below) that may also
 * address `origin`: for one call to a fixed endpoint on another origin,
 * without opening that origin to every call of the program. The default
 * headers the configuration names as credentials (`credentialHeaders`, an
 * API key say) are the API's: they are not sent there.
 *
 * @internal
 */
export const withAllowedOrigin = (self: CourierClientNs.Service, origin: string): CourierClientNs.Service => {
  if (self.config.baseUrl?.origin === origin) return self
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(self.config.headers)) {
    if (!self.config.credentialHeaders.has(name)) headers[name] = value
  }
  return build(
    { ...self.config, headers, allowedOrigins: new Set([...self.config.allowedOrigins, origin]) },
    self.http,
    self.execute,
    waitsRemotely(self)
  )
}
