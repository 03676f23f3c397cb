/**
 * The effect 4 line as the shared suites drive it (`@courier/suites`): servers
 * from `@courier/testing-effect4`, clients from `@courier/client-effect4` on
 * its Node transport, calls run as Effects and their exits turned into the
 * suites' outcomes.
 *
 * The line has no download helper and no NDJSON reader: a `download` decode
 * drains `client.stream` into a `.part` file renamed on success and removed
 * otherwise (what a program on this line would write), and `onProgress` is
 * called for the calls whose body the caller reads as a stream. NDJSON is
 * not offered (`capabilities`).
 */
import { Auth, Body, CourierClient, type CourierConfig, CourierError, Logging, NodeTransport, Preset, Retry, TokenStore } from "@courier/client-effect4"
import type * as Url from "@courier/core/Url"
import * as Adapter from "@courier/suites/Adapter"
import type * as Suites from "@courier/suites/Line"
import { FaultServer, Reply, TestServer } from "@courier/testing-effect4"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** Runs `effect` in a fresh Scope that closes with the suites' `scope`. */
const scoped = async <A>(effect: Effect.Effect<A, unknown, Scope.Scope>, scope: Suites.Scope): Promise<A> => {
  const own = Effect.runSync(Scope.make())
  scope.add(() => Effect.runPromise(Scope.close(own, Exit.void)))
  return Effect.runPromise(Scope.provide(own)(effect))
}

const millis = (ms: number) => Duration.millis(ms)

// ---------------------------------------------------------------------------
// Servers

const httpReply = Adapter.httpReply<Reply.Reply, Duration.Input>(Reply, millis)
const faultReply = Adapter.faultReply<FaultServer.Fault, Duration.Input>(FaultServer, millis)
const run = (effect: Effect.Effect<unknown>) => Effect.runPromise(effect)

const serve = async (spec: Suites.ServerSpec, scope: Suites.Scope): Promise<Suites.Server> => {
  if (spec.kind === "http") {
    const server = await scoped(
      TestServer.make({
        routes: Adapter.routes(spec, httpReply),
        ...(spec.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: millis(spec.keepAliveTimeoutMs) })
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

type AnySchema = Schema.Codec<unknown, unknown>

export const toSchema = Adapter.schema<AnySchema>({
  Number: Schema.Number as unknown as AnySchema,
  String: Schema.String as unknown as AnySchema,
  Boolean: Schema.Boolean as unknown as AnySchema,
  Unknown: Schema.Unknown as unknown as AnySchema,
  Void: Schema.Void as unknown as AnySchema,
  Undefined: Schema.Undefined as unknown as AnySchema,
  Struct: (fields) => Schema.Struct(fields) as unknown as AnySchema,
  Array: (item) => Schema.Array(item) as unknown as AnySchema,
  NullOr: (of) => Schema.NullOr(of) as unknown as AnySchema,
  Record: (value) => Schema.Record(Schema.String, value) as unknown as AnySchema,
  suspend: (self) => Schema.suspend(self) as unknown as AnySchema
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
  ...(spec.errorSchema === undefined ? {} : { errorSchema: toSchema(spec.errorSchema) })
})

/** The stream of the body with `onProgress` told the bytes so far. */
const progressed = (stream: Stream.Stream<Uint8Array, unknown>, onProgress: ((n: number) => void) | undefined) => {
  if (onProgress === undefined) return stream
  const tell = Adapter.progress(onProgress)
  return Stream.tap(stream, (chunk) => Effect.sync(() => tell(chunk)))
}

/** `client.stream` drained into `path` through `path.part`, renamed on success, removed otherwise. */
const download = (stream: Stream.Stream<Uint8Array, unknown>, path: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => Adapter.partFile(path)),
    (file) => Stream.runForEach(stream, (chunk) => Effect.sync(() => file.write(chunk))),
    (file, exit) => Effect.sync(() => file.close(Exit.isSuccess(exit)))
  )

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
      return body(Stream.runFold(progressed(client.stream(method, path, options), spec.onProgress), () => 0, (n, chunk) => n + chunk.byteLength))
    case "ndjson":
      return Effect.die(new Error("the effect 4 line has no NDJSON reader"))
    case "response":
      return Effect.map(client.response(method, path, options), Adapter.response)
    case "download":
      return body(download(progressed(client.stream(method, path, options), spec.onProgress), decode.path))
  }
}

const optional = (value: unknown) => Option.isOption(value) ? Option.getOrUndefined(value) : value

/** A finished call as the suites' outcome. */
export const outcomeOf = (exit: Exit.Exit<Omit<Suites.Success, "elapsed">, unknown>, elapsed: number): Suites.Outcome => {
  if (Exit.isSuccess(exit)) return { ...exit.value, elapsed }
  if (Cause.hasInterruptsOnly(exit.cause)) return Adapter.interrupted(elapsed)
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isNone(failure) || !CourierError.isCourierError(failure.value)) return Adapter.defect(elapsed, Cause.pretty(exit.cause))
  return Adapter.failure(failure.value, elapsed, Cause.pretty(exit.cause), optional)
}

/** Every line at every level, with its annotations and renderings. */
const captureLogs = () => {
  const lines: Array<Suites.LogLine> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push({
      message: Array.isArray(options.message) && options.message.length === 1 ? options.message[0] : options.message,
      level: options.logLevel,
      annotations: { ...options.fiber.getRef(References.CurrentLogAnnotations) },
      rendered: [Logger.formatJson.log(options), Logger.formatLogFmt.log(options), Logger.formatSimple.log(options)]
    })
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.provideService(References.CurrentLoggers, new Set([logger])),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
  return { lines, provide }
}

const client = async (spec: Suites.ClientSpec, scope: Suites.Scope): Promise<Suites.Client> => {
  const logs = captureLogs()
  const bare = NodeTransport.layerClient(configOf(spec))
  let read: Effect.Effect<Option.Option<TokenStore.Tokens>, unknown> = Effect.succeed(Option.none())
  let layer: Layer.Layer<CourierClient.CourierClient, unknown> = spec.logging === undefined ? bare : Logging.layer(Adapter.logging(spec.logging, (level) => level)).pipe(Layer.provide(bare))
  if (spec.preset !== undefined) {
    const preset = spec.preset
    const initial = TokenStore.tokens(preset.store.initial.accessToken, preset.store.initial.refreshToken)
    let store: TokenStore.Service
    if (preset.store._tag === "memory") {
      store = await Effect.runPromise(TokenStore.makeMemory(initial))
      read = store.get
    } else {
      const options = { path: preset.store.path, key: preset.store.key }
      store = await Effect.runPromise(TokenStore.makeFile(options))
      // The first client on a file writes its initial tokens; the next ones share them.
      if (Option.isNone(await Effect.runPromise(Effect.orDie(store.get)))) await Effect.runPromise(Effect.orDie(store.set(initial)))
      // Read back through a store of its own, as another process would.
      read = Effect.flatMap(TokenStore.makeFile(options), (fresh) => fresh.get)
    }
    layer = Preset.layer(
      { refresh: Auth.refreshJson({ path: preset.refreshPath }) },
      {
        retry: { baseDelay: millis(preset.retryBaseDelayMs) },
        logging: Adapter.logging(preset.logging, (level) => level)
      }
    ).pipe(Layer.provide(bare), Layer.provide(Layer.succeed(TokenStore.TokenStore, store)))
  }
  const context = await scoped(logs.provide(Layer.build(layer)), scope)
  const service = Context.get(context, CourierClient.CourierClient)
  const start = (call: Suites.CallSpec): Suites.Running => {
    const started = performance.now()
    const fiber = Effect.runFork(logs.provide(Effect.suspend(() => callOf(service, call))))
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

/** The effect 4 line on its Node transport. */
export const line: Suites.Line = {
  name: "effect4 (node)",
  serve,
  client,
  capabilities: { bufferedProgress: false, ndjson: false }
}
