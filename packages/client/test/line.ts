/**
 * The effect 3 line as the shared suites drive it (`@courier/suites`): servers
 * from `@courier/testing`, clients from `@courier/client` on the node or the
 * fetch transport, calls run as Effects and their exits turned into the
 * suites' outcomes.
 */
import { Auth, Body, CourierClient, CourierConfig, CourierError, Download, FetchTransport, Logging, Ndjson, Preset, Retry, TokenStore } from "@courier/client"
import type * as Url from "@courier/client/Url"
import { NodeTransport } from "@courier/client/node"
import * as Adapter from "@courier/suites/Adapter"
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

const httpReply = Adapter.httpReply<Reply.Reply, Duration.DurationInput>(Reply, millis)
const faultReply = Adapter.faultReply<FaultServer.Fault, Duration.DurationInput>(FaultServer, millis)
const run = (effect: Effect.Effect<unknown>) => Effect.runPromise(effect)

const serve = async (spec: Suites.ServerSpec, scope: Suites.Scope): Promise<Suites.Server> => {
  if (spec.kind === "http") {
    const server = await scoped(
      TestServer.make({
        routes: Adapter.routes(spec, httpReply),
        ...(spec.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: Duration.millis(spec.keepAliveTimeoutMs) })
      }),
      scope
    )
    return Adapter.server(server, httpReply, millis, run)
  }
  const server = await scoped(FaultServer.make({ routes: Adapter.routes(spec, faultReply) }), scope)
  return Adapter.server(server, faultReply, millis, run)
}

// ---------------------------------------------------------------------------
// Clients

type AnySchema = Schema.Schema<unknown, unknown, never>

export const toSchema = Adapter.schema<AnySchema>({
  Number: Schema.Number as AnySchema,
  String: Schema.String as AnySchema,
  Boolean: Schema.Boolean as AnySchema,
  Unknown: Schema.Unknown,
  Void: Schema.Void as AnySchema,
  Undefined: Schema.Undefined as AnySchema,
  Struct: (fields) => Schema.Struct(fields) as unknown as AnySchema,
  Array: (item) => Schema.Array(item) as unknown as AnySchema,
  NullOr: (of) => Schema.NullOr(of) as unknown as AnySchema,
  Record: (value) => Schema.Record({ key: Schema.String, value }) as unknown as AnySchema,
  suspend: (self) => Schema.suspend(self)
})

const configOf = (spec: Suites.ClientSpec): CourierConfig.Options => Adapter.config(spec, millis)

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

const optionsOf = (spec: Suites.CallSpec): CourierClient.RequestOptions => ({
  ...Adapter.request(spec, millis, Retry.idempotencyKey),
  ...(spec.query === undefined ? {} : { query: spec.query as Url.Query }),
  ...(spec.body === undefined ? {} : { body: bodyOf(spec.body) }),
  ...(spec.errorSchema === undefined ? {} : { errorSchema: toSchema(spec.errorSchema) }),
  ...(spec.onProgress === undefined ? {} : {
    onDownloadProgress: (progress: { readonly transferred: number }) => Effect.sync(() => spec.onProgress!(progress.transferred))
  })
})

/** The call as an Effect whose success is the suites' `Success` without `elapsed`. */
const callOf = (client: CourierClient.Service, spec: Suites.CallSpec): Effect.Effect<Omit<Suites.Success, "elapsed">, unknown> => {
  const options = optionsOf(spec)
  const { method, path } = spec
  const body = (effect: Effect.Effect<unknown, unknown>) => Effect.map(effect, Adapter.success)
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
      return Effect.map(client.response(method, path, options), Adapter.response)
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
  if (Cause.isInterruptedOnly(exit.cause)) return Adapter.interrupted(elapsed)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || !CourierError.isCourierError(failure.value)) return Adapter.defect(elapsed, Cause.pretty(exit.cause))
  return Adapter.failure(failure.value, elapsed, Cause.pretty(exit.cause), optional)
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
  let layer: Layer.Layer<CourierClient.CourierClient, unknown> = spec.logging === undefined ? bare : Logging.layer(Adapter.logging(spec.logging, (level) => levels[level])).pipe(Layer.provide(bare))
  if (spec.preset !== undefined) {
    const store = await storeOf(spec.preset, scope)
    read = store.read
    layer = Preset.layer(
      { refresh: Auth.refreshJson({ path: spec.preset.refreshPath }) },
      {
        retry: { baseDelay: Duration.millis(spec.preset.retryBaseDelayMs) },
        logging: Adapter.logging(spec.preset.logging, (level) => levels[level]),
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
    tokens: () => Effect.runPromise(Effect.orDie(read)).then((tokens) => Adapter.tokens(Option.getOrUndefined(tokens), Redacted.value))
  }
}

/** The effect 3 line on `transport`, with the preset's optional effect 3 Layers. */
export const line = (transport: "node" | "fetch" = "node", extras: Extras = {}): Suites.Line => ({
  name: `effect3 (${transport}${extras.cache === true ? ", cache" : ""}${extras.cookies === true ? ", cookies" : ""})`,
  serve,
  client: client(transport, extras)
})
