/**
 * Runs one scenario through the recommended preset (auth with
 * `refreshJson`, retry, tracing, logging, metrics) on the node transport,
 * against the scenario's servers, and gathers what the invariants look at.
 */
import { Auth, Body, CourierClient, Download, Ndjson, Preset, Retry, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fs from "node:fs"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { captureLogs, type LogLine } from "../recorders.js"
import type { TestServer } from "@courier/testing"
import { scratchDir } from "../support.js"
import type { Scenario } from "./Scenario.js"
import * as Servers from "./Servers.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })
const Item = Schema.Struct({ id: Schema.Number })

/** 48 KiB in 3 chunks. */
const uploadChunks = Array.from({ length: 3 }, (_, i) => new Uint8Array(16 * 1024).fill(97 + i))

export interface CallResult {
  readonly marker: string
  readonly exit: Exit.Exit<unknown, unknown> | undefined // undefined: did not end before the watchdog
  readonly elapsed: number
}

export interface Observation {
  readonly world: Servers.World
  readonly calls: ReadonlyArray<CallResult>
  readonly logs: ReadonlyArray<LogLine>
  /** The store after the client's scope closed. */
  readonly tokens: Option.Option<TokenStore.Tokens>
  /** Open connections on each server after the client's scope closed (once idle, or at the timeout). */
  readonly openAfter: { readonly a: number; readonly b: number }
  /** Files left in the download folder. */
  readonly files: ReadonlyArray<string>
  /** Everything the second origin received. */
  readonly journalB: ReadonlyArray<TestServer.JournalEntry>
}

/** How long past its `total` a call may run before it counts as hung. */
export const watchdogMillis = 10_000

/** What a caller would plausibly put in a header the transport owns. */
const forbiddenValues = {
  "transfer-encoding": "chunked",
  upgrade: "websocket",
  connection: "close",
  expect: "100-continue"
} as const

const call = (client: CourierClient.Service, scenario: Scenario, marker: string, dir: string) => {
  const headers: Record<string, string> = {}
  if (scenario.kind === "postKey") Object.assign(headers, Retry.idempotencyKey())
  if (scenario.forbiddenHeader !== undefined) {
    headers[scenario.forbiddenHeader] = forbiddenValues[scenario.forbiddenHeader]
  }
  const options: CourierClient.RequestOptions = {
    headers,
    ...(scenario.maxRedirects === undefined ? {} : { maxRedirects: scenario.maxRedirects }),
    timeouts: scenario.receive === undefined
      ? { total: Duration.millis(scenario.total) }
      : { total: Duration.millis(scenario.total), receive: Duration.millis(scenario.receive) }
  }
  // A 204 or 304 has no body a schema could accept: the call asks for none.
  const none = scenario.hops.some((hop) => hop.steps.some((s) => s._tag === "ok" && (s.shape === "empty" || s.shape === "notModified")))
  const send = (method: string, body?: Body.Body) => {
    const withBody = body === undefined ? options : { ...options, body }
    return none || method === "HEAD"
      ? client.request(method, `/s/${marker}/0`, { ...withBody, responseType: "none" })
      : client.request(method, `/s/${marker}/0`, { ...withBody, schema: Ok })
  }
  switch (scenario.kind) {
    case "get":
      return send("GET")
    case "head":
      return send("HEAD")
    case "post":
    case "postKey":
      return send("POST", Body.json({ marker }))
    case "upload":
      return send("PUT", Body.replayableStream(() => Stream.fromIterable(uploadChunks)))
    case "oneShot":
      return send("POST", Body.stream(Stream.fromIterable(uploadChunks)))
    case "download":
      return Download.toFile(client, `/s/${marker}/0`, { ...options, path: `${dir}/out-${marker}.json` }).pipe(
        Effect.provide(NodeFileSystem.layer)
      )
    case "ndjson":
      return Stream.runDrain(Ndjson.stream(client, "GET", `/s/${marker}/0`, { ...options, schema: Item }))
  }
}

export const run = (scenario: Scenario) =>
  Effect.gen(function*() {
    const world = yield* Servers.make(scenario)
    const dir = yield* scratchDir
    const initial = TokenStore.tokens(world.secrets.access[0], world.secrets.refresh[0])
    const tokenFile = { path: `${dir}/session/tokens.json`, key: "api" }
    const fileStore = TokenStore.makeFile(tokenFile).pipe(Effect.provide(NodeFileSystem.layer))
    // Memory: the one store, read back after the run. Shared file: each client
    // opens its own store on the file; a third store reads it back.
    const store = scenario.store === "memory" ? yield* TokenStore.makeMemory(initial) : yield* fileStore
    if (scenario.store === "sharedFile") yield* Effect.orDie(store.set(initial))
    const storeLayer = scenario.store === "memory"
      ? Layer.succeed(TokenStore.TokenStore, store)
      : TokenStore.layerFile(tokenFile).pipe(Layer.provide(NodeFileSystem.layer))
    const logs = captureLogs()
    const defaultHeaders: Record<string, string> = {}
    if (scenario.apiKey) defaultHeaders["x-api-key"] = world.secrets.apiKey
    if (scenario.cookie) defaultHeaders["cookie"] = `sid=${world.secrets.cookie}`

    const calls = yield* Effect.scoped(Effect.gen(function*() {
      const makeClient = Effect.map(
        Layer.build(
          Preset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { retry: { baseDelay: "20 millis" }, logging: { mode: scenario.logging } }
          ).pipe(
            Layer.provide(NodeTransport.layerClient({ baseUrl: `${world.a.url}/api`, headers: defaultHeaders })),
            Layer.provide(storeLayer)
          )
        ),
        Context.get(CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      const one = yield* makeClient
      const clients = scenario.store === "memory" ? [one, one] : [one, yield* makeClient]
      const markers = Array.from({ length: scenario.calls }, (_, i) => `c${i}${Math.random().toString(36).slice(2, 8)}`)
      return yield* Effect.forEach(markers, (marker, i) =>
        Effect.gen(function*() {
          const started = performance.now()
          const exit = yield* Effect.exit(Effect.suspend(() => call(clients[i], scenario, marker, dir))).pipe(
            Effect.timeoutTo({
              duration: `${scenario.total + watchdogMillis} millis`,
              onTimeout: () => undefined,
              onSuccess: (exit): Exit.Exit<unknown, unknown> | undefined => exit
            })
          )
          return { marker, exit, elapsed: performance.now() - started } satisfies CallResult
        }), { concurrency: "unbounded" })
    }).pipe(Effect.provide(logs.layer), Logger.withMinimumLogLevel(LogLevel.All)))

    const idleA = yield* world.a.awaitIdle("3 seconds")
    const idleB = yield* world.b.awaitIdle("3 seconds")
    return {
      world,
      calls,
      logs: logs.lines,
      tokens: yield* Effect.orDie(scenario.store === "memory" ? store.get : Effect.flatMap(fileStore, (s) => s.get)),
      openAfter: {
        a: idleA ? 0 : yield* world.a.openConnections,
        b: idleB ? 0 : yield* world.b.openConnections
      },
      files: Fs.readdirSync(dir),
      journalB: yield* world.b.journal
    } satisfies Observation
  })
