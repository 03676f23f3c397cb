/**
 * The effect 3 line as the shared suites drive it (`@courier/suites`): servers
 * from `@courier/testing`, clients from `@courier/client` on the node or the
 * fetch transport, calls run as Effects and their exits turned into the
 * suites' outcomes.
 */
import { Auth, Body, CourierClient, CourierConfig, CourierError, Download, FetchTransport, Logging, Ndjson, Preset, Retry, TokenStore } from "@courier/client"
import type * as Url from "@courier/client/Url"
import { NodeTransport } from "@courier/client/node"
import type * as Suites from "@courier/suites/Line"
import { FaultServer, Reply, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import { captureLogs } from "./recorders.js"

/** Runs `effect` in a fresh Scope that closes with the suites' `scope`. */
const scoped = async <A>(effect: Effect.Effect<A, unknown, Scope.Scope>, scope: Suites.Scope): Promise<A> => {
  const own = Effect.runSync(Scope.make())
  scope.add(() => Effect.runPromise(Scope.close(own, Exit.void)))
  return Effect.runPromise(Scope.extend(effect, own))
}

const millis = (ms: number) => `${ms} millis` as const

// ---------------------------------------------------------------------------
// Servers

const httpReply = (reply: Suites.Reply): Reply.Reply => {
  switch (reply._tag) {
    case "respond": {
      const headers = { ...reply.headers, ...(typeof reply.retryAfter === "string" ? { "retry-after": reply.retryAfter } : {}) }
      const options = { status: reply.status, headers }
      if (reply.body === undefined) return Reply.status(reply.status, { headers })
      if ("text" in reply.body) return Reply.text(reply.body.text, options)
      if ("bytes" in reply.body) return Reply.bytes(reply.body.bytes, options)
      return Reply.json(reply.body.json, options)
    }
    case "redirect":
      return Reply.redirect(reply.status as 301, reply.location)
    case "encoded":
      return Reply.encoded(reply.body, reply.encodings)
    case "stallAfterHeaders":
      return Reply.stallAfterHeaders(reply.declaredLength === undefined ? {} : { declaredLength: reply.declaredLength })
    case "drip":
      return Reply.drip({ chunk: reply.chunk, interval: millis(reply.intervalMs), count: reply.count })
    case "closeMidBody":
      return Reply.closeMidBody({ declaredLength: reply.declaredLength, body: reply.body })
    case "reset":
      return Reply.reset
    case "delay":
      return Reply.delay(millis(reply.ms), httpReply(reply.reply))
    case "echo":
      return Reply.echo
    case "custom":
      return Reply.custom(reply.handler)
    case "sequence":
      return Reply.sequence(reply.replies.map(httpReply))
    default:
      throw new Error(`an http server cannot answer ${reply._tag}`)
  }
}

const flatHeaders = (headers: Suites.Headers | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : v.join(", ")]))

const faultReply = (reply: Suites.Reply): FaultServer.Fault => {
  switch (reply._tag) {
    case "respond": {
      const options = { headers: flatHeaders(reply.headers), close: reply.close === true }
      if (reply.retryAfter !== undefined) return FaultServer.retryAfter(reply.status, reply.retryAfter, options)
      if (reply.body === undefined) return FaultServer.status(reply.status, options)
      if ("text" in reply.body) return FaultServer.text(reply.body.text, { ...options, status: reply.status })
      if ("json" in reply.body) return FaultServer.json(reply.body.json, { ...options, status: reply.status })
      throw new Error("a fault server answers text or JSON")
    }
    case "reset":
      return FaultServer.reset
    case "sequence":
      return FaultServer.sequence(reply.replies.map(faultReply))
    case "stallHeaders":
      return FaultServer.stallHeaders
    case "stallBody":
      return FaultServer.stallBody()
    case "dripBytes":
      return FaultServer.drip(millis(reply.intervalMs))
    case "truncated":
      return FaultServer.truncated()
    case "chunkedCut":
      return FaultServer.chunkedCut()
    case "badChunkSize":
      return FaultServer.badChunkSize
    case "malformedStatusLine":
      return FaultServer.malformedStatusLine()
    case "oversizedHeaders":
      return FaultServer.oversizedHeaders()
    case "endlessHeaders":
      return FaultServer.endlessHeaders()
    case "keepAliveThenClose":
      return FaultServer.keepAliveThenClose()
    case "answerEarly":
      return FaultServer.answerEarly(reply.status)
    default:
      throw new Error(`a fault server cannot answer ${reply._tag}`)
  }
}

const serve = async (spec: Suites.ServerSpec, scope: Suites.Scope): Promise<Suites.Server> => {
  const run = Effect.runPromise
  if (spec.kind === "http") {
    const server = await scoped(
      TestServer.make({
        routes: (spec.routes ?? []).map(([method, path, reply]) => [method, path, httpReply(reply)] as const),
        ...(spec.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: Duration.millis(spec.keepAliveTimeoutMs) })
      }),
      scope
    )
    return {
      url: server.url,
      port: server.port,
      route: (method, path, reply) => run(server.route(method, path, httpReply(reply))),
      journal: () => run(server.journal),
      requests: (path) => run(server.requests(path)),
      openConnections: () => run(server.openConnections),
      totalConnections: () => run(server.totalConnections),
      awaitIdle: (ms) => run(server.awaitIdle(Duration.millis(ms)))
    }
  }
  const server = await scoped(
    FaultServer.make({ routes: (spec.routes ?? []).map(([method, path, reply]) => [method, path, faultReply(reply)] as const) }),
    scope
  )
  return {
    url: server.url,
    port: server.port,
    route: (method, path, reply) => run(server.route(method, path, faultReply(reply))),
    journal: () => run(server.journal),
    requests: (path) => run(server.requests(path)),
    openConnections: () => run(server.openConnections),
    totalConnections: () => run(server.totalConnections),
    awaitIdle: (ms) => run(server.awaitIdle(Duration.millis(ms)))
  }
}

// ---------------------------------------------------------------------------
// Clients

type AnySchema = Schema.Schema<unknown, unknown, never>

export const toSchema = (spec: Suites.SchemaSpec, self?: () => AnySchema): AnySchema => {
  switch (spec._tag) {
    case "Number":
      return Schema.Number as AnySchema
    case "String":
      return Schema.String as AnySchema
    case "Boolean":
      return Schema.Boolean as AnySchema
    case "Unknown":
      return Schema.Unknown
    case "Void":
      return Schema.Void as AnySchema
    case "Undefined":
      return Schema.Undefined as AnySchema
    case "Struct":
      return Schema.Struct(
        Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, toSchema(v, self)]))
      ) as unknown as AnySchema
    case "Array":
      return Schema.Array(toSchema(spec.item, self)) as unknown as AnySchema
    case "NullOr":
      return Schema.NullOr(toSchema(spec.of, self)) as unknown as AnySchema
    case "Record":
      return Schema.Record({ key: Schema.String, value: toSchema(spec.value, self) }) as unknown as AnySchema
    case "Recursive": {
      const schema: AnySchema = toSchema(spec.body, () => schema)
      return schema
    }
    case "Self":
      if (self === undefined) throw new Error("Self outside a Recursive schema")
      return Schema.suspend(self)
  }
}

const timeoutsOf = (timeouts: Suites.Timeouts | undefined): CourierConfig.TimeoutsInput | undefined =>
  timeouts === undefined ? undefined : Object.fromEntries(
    Object.entries(timeouts).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Duration.millis(v as number)])
  )

const configOf = (spec: Suites.ClientSpec): CourierConfig.Options => ({
  ...(spec.baseUrl === undefined ? {} : { baseUrl: spec.baseUrl }),
  ...(spec.headers === undefined ? {} : { headers: spec.headers }),
  ...(spec.timeouts === undefined ? {} : { timeouts: timeoutsOf(spec.timeouts) }),
  ...(spec.maxResponseBytes === undefined ? {} : { maxResponseBytes: spec.maxResponseBytes }),
  ...(spec.maxRedirects === undefined ? {} : { maxRedirects: spec.maxRedirects }),
  ...(spec.credentialHeaders === undefined ? {} : { credentialHeaders: spec.credentialHeaders }),
  ...(spec.allowedOrigins === undefined ? {} : { allowedOrigins: spec.allowedOrigins }),
  ...(spec.allowInsecureRedirects === undefined ? {} : { allowInsecureRedirects: spec.allowInsecureRedirects })
})

const bodyOf = (spec: Suites.BodySpec): Body.Body => {
  switch (spec._tag) {
    case "json":
      return Body.json(spec.value)
    case "text":
      return Body.text(spec.text)
    case "bytes":
      return Body.bytes(spec.bytes)
    case "form":
      return Body.form(spec.fields as Url.Query)
    case "stream": {
      const tail: Stream.Stream<Uint8Array, string> = spec.then === "fail"
        ? Stream.fail("the source failed")
        : spec.then === "hang"
        ? Stream.never
        : Stream.empty
      const source = () => Stream.concat(Stream.fromIterable(spec.chunks), tail)
      const options = spec.contentType === undefined ? {} : { contentType: spec.contentType }
      return spec.replayable === true ? Body.replayableStream(source, options) : Body.stream(source(), options)
    }
  }
}

const optionsOf = (spec: Suites.CallSpec): CourierClient.RequestOptions => {
  const timeouts = timeoutsOf(spec.timeouts)
  return {
    ...(spec.params === undefined ? {} : { params: spec.params }),
    ...(spec.query === undefined ? {} : { query: spec.query as Url.Query }),
    headers: { ...spec.headers, ...(spec.idempotencyKey === true ? Retry.idempotencyKey() : {}) },
    ...(spec.body === undefined ? {} : { body: bodyOf(spec.body) }),
    ...(timeouts === undefined ? {} : { timeouts }),
    ...(spec.maxRedirects === undefined ? {} : { maxRedirects: spec.maxRedirects }),
    ...(spec.maxResponseBytes === undefined ? {} : { maxResponseBytes: spec.maxResponseBytes }),
    ...(spec.errorSchema === undefined ? {} : { errorSchema: toSchema(spec.errorSchema) }),
    ...(spec.onProgress === undefined ? {} : {
      onDownloadProgress: (progress: { readonly transferred: number }) => Effect.sync(() => spec.onProgress!(progress.transferred))
    })
  }
}

/** The call as an Effect whose success is the suites' `Success` without `elapsed`. */
const callOf = (client: CourierClient.Service, spec: Suites.CallSpec): Effect.Effect<Omit<Suites.Success, "elapsed">, unknown> => {
  const options = optionsOf(spec)
  const { method, path } = spec
  const body = (effect: Effect.Effect<unknown, unknown>) => Effect.map(effect, (value) => ({ _tag: "Success" as const, body: value }))
  const decode = spec.decode ?? { _tag: "json" }
  switch (decode._tag) {
    case "schema":
      return body(client.request(method, path, { ...options, schema: toSchema(decode.schema) }))
    case "json":
      return body(client.request(method, path, options))
    case "text":
      return body(client.request(method, path, { ...options, responseType: "text" }))
    case "bytes":
      return body(client.request(method, path, { ...options, responseType: "bytes" }))
    case "none":
      return body(client.request(method, path, { ...options, responseType: "none" }))
    case "stream":
      return body(Stream.runFold(client.stream(method, path, options), 0, (n, chunk) => n + chunk.byteLength))
    case "ndjson":
      return body(Stream.runCount(Ndjson.stream(client, method, path, { ...options, schema: toSchema(decode.schema) })))
    case "response":
      return Effect.map(client.response(method, path, options), (response) => ({
        _tag: "Success" as const,
        body: undefined,
        status: response.status,
        headers: response.headers,
        url: response.request.url.href
      }))
    case "download": {
      const { onDownloadProgress, ...rest } = options
      return body(
        Download.toFile(client, path, {
          ...rest,
          path: decode.path,
          ...(onDownloadProgress === undefined ? {} : { onProgress: onDownloadProgress })
        }).pipe(Effect.provide(NodeFileSystem.layer))
      )
    }
  }
}

const optional = (value: unknown) => Option.isOption(value) ? Option.getOrUndefined(value) : value

/** A finished call as the suites' outcome. */
export const outcomeOf = (exit: Exit.Exit<Omit<Suites.Success, "elapsed">, unknown>, elapsed: number): Suites.Outcome => {
  if (Exit.isSuccess(exit)) return { ...exit.value, elapsed }
  if (Cause.isInterruptedOnly(exit.cause)) return { _tag: "Interrupted", elapsed }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || !CourierError.isCourierError(failure.value)) {
    return { _tag: "Defect", elapsed, rendered: Cause.pretty(exit.cause) }
  }
  const error = failure.value as CourierError.CourierError & Record<string, unknown>
  const issues = error["issues"]
  return {
    _tag: "Failure",
    elapsed,
    tag: error._tag,
    message: error.message,
    rendered: [error.message, String(error), JSON.stringify(error) ?? "", Cause.pretty(exit.cause), inspect(error, { depth: 20 })],
    ...Object.fromEntries(
      (["reason", "phase", "status", "request", "headers", "bodyExcerpt", "contentType", "code", "nothingSent", "limit"] as const)
        .filter((key) => error[key] !== undefined)
        .map((key) => [key, error[key]])
    ),
    ...(error["errorBody"] === undefined ? {} : { errorBody: optional(error["errorBody"]) }),
    ...(Array.isArray(issues) ? { issuePaths: issues.map((issue: { readonly path: ReadonlyArray<string | number> }) => issue.path) } : {})
  }
}

const levels = { Debug: LogLevel.Debug, Info: LogLevel.Info } as const

/** The preset's token store, and how to read it back. */
const storeOf = async (preset: Suites.PresetSpec, scope: Suites.Scope) => {
  const initial = TokenStore.tokens(preset.store.initial.accessToken, preset.store.initial.refreshToken)
  if (preset.store._tag === "memory") {
    const store = await Effect.runPromise(TokenStore.makeMemory(initial))
    return { layer: Layer.succeed(TokenStore.TokenStore, store), read: store.get }
  }
  const options = { path: preset.store.path, key: preset.store.key }
  const open = TokenStore.makeFile(options).pipe(Effect.provide(NodeFileSystem.layer))
  const store = await scoped(open, scope)
  // The first client on a file writes its initial tokens; the next ones share them.
  if (Option.isNone(await Effect.runPromise(Effect.orDie(store.get)))) await Effect.runPromise(Effect.orDie(store.set(initial)))
  return {
    layer: TokenStore.layerFile(options).pipe(Layer.provide(NodeFileSystem.layer)),
    read: Effect.flatMap(open, (s) => s.get).pipe(Effect.scoped)
  }
}

/** Layers of the effect 3 line only, added to the preset by its own runners (cache, cookie jar). */
export interface Extras {
  readonly cache?: boolean
  readonly cookies?: boolean
}

const client = (transport: "node" | "fetch", extras: Extras) => async (spec: Suites.ClientSpec, scope: Suites.Scope): Promise<Suites.Client> => {
  const logs = captureLogs()
  const bare = transport === "node" ? NodeTransport.layerClient(configOf(spec)) : FetchTransport.layerClient(configOf(spec))
  let read: Effect.Effect<Option.Option<TokenStore.Tokens>, unknown> = Effect.succeed(Option.none())
  let layer: Layer.Layer<CourierClient.CourierClient, unknown> = spec.logging === undefined ? bare : Logging.layer({
    ...(spec.logging.mode === undefined ? {} : { mode: spec.logging.mode }),
    ...(spec.logging.level === undefined ? {} : { level: levels[spec.logging.level] })
  }).pipe(Layer.provide(bare))
  if (spec.preset !== undefined) {
    const store = await storeOf(spec.preset, scope)
    read = store.read
    const logging = spec.preset.logging
    layer = Preset.layer(
      { refresh: Auth.refreshJson({ path: spec.preset.refreshPath }) },
      {
        retry: { baseDelay: Duration.millis(spec.preset.retryBaseDelayMs) },
        logging: {
          ...(logging?.mode === undefined ? {} : { mode: logging.mode }),
          ...(logging?.level === undefined ? {} : { level: levels[logging.level] })
        },
        ...(extras.cache === true ? { cache: {} } : {}),
        cookies: extras.cookies === true
      }
    ).pipe(Layer.provide(bare), Layer.provide(store.layer))
  }
  const context = await scoped(Layer.build(layer), scope)
  const service = Context.get(context, CourierClient.CourierClient)
  const start = (call: Suites.CallSpec): Suites.Running => {
    const started = performance.now()
    const fiber = Effect.runFork(
      Effect.suspend(() => callOf(service, call)).pipe(Effect.provide(logs.layer), Logger.withMinimumLogLevel(LogLevel.All))
    )
    const outcome = new Promise<Suites.Outcome>((resolve) => {
      fiber.addObserver((exit) => resolve(outcomeOf(exit, performance.now() - started)))
    })
    return { outcome, interrupt: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => outcome) }
  }
  return {
    call: (call) => start(call).outcome,
    start,
    logs: logs.lines,
    tokens: () =>
      Effect.runPromise(Effect.orDie(read)).then((tokens) =>
        Option.isNone(tokens) ? undefined : {
          accessToken: Redacted.value(tokens.value.accessToken),
          refreshToken: tokens.value.refreshToken === undefined ? undefined : Redacted.value(tokens.value.refreshToken)
        }
      )
  }
}

/** The effect 3 line on `transport`, with the preset's optional effect 3 Layers. */
export const line = (transport: "node" | "fetch" = "node", extras: Extras = {}): Suites.Line => ({
  name: `effect3 (${transport}${extras.cache === true ? ", cache" : ""}${extras.cookies === true ? ", cookies" : ""})`,
  serve,
  client: client(transport, extras)
})
