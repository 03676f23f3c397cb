import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ContentDecoder } from "../../ContentDecoder.js"
import type * as CourierClientNs from "../../CourierClient.js"
import type * as CourierConfigNs from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"
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

const build = (
  config: CourierConfigNs.ResolvedConfig,
  http: HttpClient.HttpClient,
  execute: CourierClientNs.Execute
): CourierClientNs.Service => {
  const prepareEffect = (method: string, url: string, options: Options | undefined, streaming: boolean) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => prepare(config, method, url, options ?? {}, streaming, now))

  // The total deadline is the request's (`deadline`, set when it is
  // prepared): every hop enforces it and a retry never sleeps past it. The
  // whole decorated pipeline is bounded by it too, once per call (Layers
  // call `execute` below them, never these methods): a Layer waiting on its
  // store (tokens, breaker, limiter, cache in Redis) ends with the deadline.
  const bounded: CourierClientNs.Execute = (request) => Deadline.bound(request, execute(request))

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

  const method = (name: string) => (url: string, options?: Options) => call(name, url, options)
  return {
    config,
    http,
    execute,
    prepare: (method, url, options) => prepareEffect(method, url, options, false),
    request: call as CourierClientNs.MethodCall,
    get: method("GET") as CourierClientNs.Call,
    head: method("HEAD") as CourierClientNs.Call,
    options: method("OPTIONS") as CourierClientNs.Call,
    delete: method("DELETE") as CourierClientNs.Call,
    post: method("POST") as CourierClientNs.Call,
    put: method("PUT") as CourierClientNs.Call,
    patch: method("PATCH") as CourierClientNs.Call,
    exchange: exchange as CourierClientNs.ExchangeCall,
    paginate: ((url: string, options: Pagination.PageOptions) =>
      Pagination.paginate(fetchPage, url, options)) as CourierClientNs.Service["paginate"],
    response: response as CourierClientNs.Service["response"],
    streamingResponse: ((method: string, url: string, options?: Options) =>
      Effect.flatMap(prepareEffect(method, url, options, true), bounded)) as CourierClientNs.Service["streamingResponse"],
    stream: stream as CourierClientNs.Service["stream"]
  }
}

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* CourierConfig
  const http = yield* HttpClient.HttpClient
  const decoder = yield* ContentDecoder
  const redactor = yield* Redaction
  return build(config, http, Send.make(http, decoder, config, forClient(redactor, config.credentialHeaders)))
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
>(2, (self, f) => build(self.config, self.http, f(self.execute, self)))

/** @internal */
export const layerDecorate = <E = never, R = never>(
  f: (execute: CourierClientNs.Execute, client: CourierClientNs.Service) => Effect.Effect<CourierClientNs.Execute, E, R>
) =>
  Layer.effect(
    CourierClient,
    Effect.flatMap(CourierClient, (client) => Effect.map(f(client.execute, client), (execute) => build(client.config, client.http, execute)))
  )

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
    self.execute
  )
}
