/**
 * The client value: the call methods over one `execute`. A client is
 * immutable; `decorate` returns a new one whose every method goes through
 * the new `execute`.
 */
import * as Redaction from "@courier/core/Redaction"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierConfig from "../../CourierConfig.js"
import type { CourierError } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Transport from "../../Transport.js"
import { decode } from "./decode.js"
import { prepare } from "./prepare.js"
import * as Send from "./send.js"

type Options = CourierClient.RequestOptions<any, any> & {
  readonly schema?: Schema.Codec<any, any> | undefined
  readonly schemas?: CourierClient.StatusSchemas | undefined
  readonly responseType?: CourierConfig.ResponseType | undefined
}

// With `schemas`, the statuses it names are the answers, each decoded by its schema.
const bySchemas = (options: Options | undefined): Options | undefined => {
  const schemas = options?.schemas
  if (schemas === undefined) return options
  const statuses = new Set(Object.keys(schemas).map(Number))
  return { ...options, acceptStatus: (status) => statuses.has(status) }
}

const build = (
  config: CourierConfig.ResolvedConfig,
  execute: CourierClient.Execute,
  redactor: Redaction.Redactor
): CourierClient.Service => {
  const prepareCall = (method: string, url: string, options: Options | undefined, streaming: boolean) =>
    prepare(config, method, url, options, streaming)

  const response = (method: string, url: string, options?: Options) =>
    Effect.flatMap(prepareCall(method, url, options, false), execute)

  const decoded = (response: CourierResponse.CourierResponse, options: Options | undefined) =>
    Effect.fromResult(decode(response, options?.responseType ?? config.responseType, options?.schema, redactor))

  const call = (method: string, url: string, options?: Options): Effect.Effect<unknown, CourierError> =>
    Effect.flatMap(response(method, url, options), (r) => decoded(r, options))

  const exchange = (method: string, url: string, options?: Options) =>
    Effect.flatMap(response(method, url, bySchemas(options)), (r) =>
      Effect.map(
        decoded(r, options?.schemas === undefined ? options : { ...options, schema: options.schemas[r.status] }),
        (body) => ({ status: r.status, headers: r.headers, body })
      ))

  const stream = (method: string, url: string, options?: Options): Stream.Stream<Uint8Array, CourierError> =>
    Stream.unwrap(
      Effect.map(
        Effect.flatMap(prepareCall(method, url, options, true), execute),
        (r): Stream.Stream<Uint8Array, CourierError> =>
          r.body._tag === "Streaming" ? r.body.stream : Stream.make(r.body.bytes)
      )
    )

  const method = (name: string) => (url: string, options?: Options) => call(name, url, options)

  return {
    config,
    execute,
    prepare: (method, url, options) => prepareCall(method, url, options, false),
    request: call as CourierClient.MethodCall,
    get: method("GET") as CourierClient.Call,
    head: method("HEAD") as CourierClient.Call,
    options: method("OPTIONS") as CourierClient.Call,
    delete: method("DELETE") as CourierClient.Call,
    post: method("POST") as CourierClient.Call,
    put: method("PUT") as CourierClient.Call,
    patch: method("PATCH") as CourierClient.Call,
    exchange: exchange as CourierClient.ExchangeCall,
    response: response as CourierClient.Service["response"],
    stream: stream as CourierClient.Service["stream"]
  }
}

// The redactor each client keeps: the shared defaults plus its credential headers.
const redactors = new WeakMap<CourierClient.Service, Redaction.Redactor>()

/** @internal */
export const make = (
  config: CourierConfig.ResolvedConfig,
  transport: Transport.Service,
  current: Redaction.Redactor = Redaction.defaultRedactor
): CourierClient.Service => {
  const redactor = Redaction.forClient(current, config.credentialHeaders)
  const client = build(config, Send.make(config, transport, redactor), redactor)
  redactors.set(client, redactor)
  return client
}

/** @internal */
export const decorate = dual<
  (f: (execute: CourierClient.Execute, client: CourierClient.Service) => CourierClient.Execute) => (
    self: CourierClient.Service
  ) => CourierClient.Service,
  (
    self: CourierClient.Service,
    f: (execute: CourierClient.Execute, client: CourierClient.Service) => CourierClient.Execute
  ) => CourierClient.Service
>(2, (self, f) => {
  const redactor = redactors.get(self) ?? Redaction.forClient(Redaction.defaultRedactor, self.config.credentialHeaders)
  const client = build(self.config, f(self.execute, self), redactor)
  redactors.set(client, redactor)
  return client
})

/** Re-exported for tests of the request helpers. @internal */
export type Request = CourierRequest.CourierRequest

/**
 * The same client (same `execute`, so the same Layers below) that may also
 * address `origin`: for one call to a fixed endpoint on another origin (the
 * OAuth2 token endpoint), without opening that origin to every call of the
 * program. The default headers the configuration names as credentials
 * (`credentialHeaders`, an API key say) are the API's: they are not sent
 * by it.
 *
 * @internal
 */
export const withAllowedOrigin = (self: CourierClient.Service, origin: string): CourierClient.Service => {
  const allowedOrigins = new Set(self.config.allowedOrigins)
  allowedOrigins.add(origin)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(self.config.headers)) {
    if (!self.config.credentialHeaders.has(name.toLowerCase())) headers[name] = value
  }
  const redactor = redactors.get(self) ?? Redaction.forClient(Redaction.defaultRedactor, self.config.credentialHeaders)
  const client = build({ ...self.config, allowedOrigins, headers }, self.execute, redactor)
  redactors.set(client, redactor)
  return client
}
