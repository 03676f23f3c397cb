import { CourierClient } from "@courier/client"
import { FeatureFlags, FlagStore } from "@courier/flags"
import { Reply } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { clientOn, flagServer, waitForSleepUntil, waitUntil } from "./support.js"

const definitions = {
  enable_new_ui: FeatureFlags.flag(Schema.Boolean, false),
  max_items: FeatureFlags.flag(Schema.Number, 10),
  greeting: FeatureFlags.flag(Schema.String, "hello")
}

const path = "/ofrep/v1/evaluate/flags"

const start = (server: Parameters<typeof clientOn>[0], options: FeatureFlags.Options = {}) =>
  Effect.flatMap(clientOn(server), (client) =>
    FeatureFlags.make(definitions, options).pipe(Effect.provideService(CourierClient.CourierClient, client)))

/** Collects warning messages. */
const warnings = () => {
  const messages: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (logLevel._tag === "Warning") messages.push(Array.isArray(message) ? String(message[0]) : String(message))
  })
  return { messages, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("FeatureFlags", () => {
  it.scoped("a duration that is not one, or a poll interval under a second, fails make with a ConfigError, nothing sent", () =>
    Effect.gen(function*() {
      const { server } = yield* flagServer({ enable_new_ui: true })
      const cases: ReadonlyArray<readonly [FeatureFlags.Options, string]> = [
        [{ pollInterval: "ten seconds" as never }, "pollInterval"],
        [{ pollInterval: "10 millis" }, "pollInterval: must be at least 1 second"],
        [{ startupTimeout: "soon" as never }, "startupTimeout"],
        [{ events: { path: "/flags/events", idleTimeout: "a while" as never } }, "events.idleTimeout"]
      ]
      for (const [options, says] of cases) {
        const exit = yield* Effect.exit(start(server, options))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const error = Chunk.unsafeHead(Cause.failures(exit.cause))
          expect(ConfigError.isInvalidData(error)).toBe(true)
          expect(String(error)).toContain(says)
        }
      }
      expect(yield* server.requests(path)).toHaveLength(0)
    }))

  it.scoped("evaluates over OFREP with the context, and reads typed values", () =>
    Effect.gen(function*() {
      const { server } = yield* flagServer({ enable_new_ui: true, max_items: 25, greeting: "hi", extra: 1 })
      const flags = yield* start(server, {
        targetingKey: "user-42",
        app: { appVersion: "1.4.2", platform: "ios" },
        attributes: { plan: "pro", platform: "overridden" }
      })
      expect(yield* flags.values).toEqual({ enable_new_ui: true, max_items: 25, greeting: "hi" })
      expect(yield* flags.get("enable_new_ui")).toBe(true)
      expect((yield* flags.snapshot).source).toBe("server")
      const [request] = yield* server.requests(path)
      expect(request?.method).toBe("POST")
      expect(JSON.parse(request!.bodyText)).toEqual({
        context: { targetingKey: "user-42", appVersion: "1.4.2", platform: "ios", plan: "pro" }
      })
    }))

  it.scoped("polls with If-None-Match; a 304 changes nothing, a new ETag does", () =>
    Effect.gen(function*() {
      const flagsServer = yield* flagServer({ enable_new_ui: false })
      const flags = yield* start(flagsServer.server, { pollInterval: "30 seconds" })
      const seen = yield* flags.changes.pipe(Stream.map((s) => s.values.enable_new_ui), Stream.take(2), Stream.runCollect, Effect.fork)
      yield* TestClock.adjust("30 seconds")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 2), "the second poll")
      const second = (yield* flagsServer.server.requests(path))[1]
      expect(second?.headers["if-none-match"]).toBe(`"v1"`)
      yield* waitForSleepUntil(60_000)
      expect(yield* flags.get("enable_new_ui")).toBe(false)
      flagsServer.set("enable_new_ui", true)
      yield* TestClock.adjust("30 seconds")
      yield* waitUntil(Effect.map(flags.get("enable_new_ui"), (v) => v), "the new value")
      expect((yield* flagsServer.server.requests(path))[2]?.headers["if-none-match"]).toBe(`"v1"`)
      // The 304 emitted nothing: the stream saw the first value, then the flip.
      expect(Chunk.toReadonlyArray(yield* Fiber.join(seen))).toEqual([false, true])
    }))

  it.scoped("a 429 postpones the next poll by its Retry-After when longer than the interval", () =>
    Effect.gen(function*() {
      const flagsServer = yield* flagServer({ enable_new_ui: true })
      yield* start(flagsServer.server, { pollInterval: "10 seconds" })
      flagsServer.state.override = (response) => {
        response.writeHead(429, { "retry-after": "120" })
        response.end()
      }
      yield* TestClock.adjust("10 seconds")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 2), "the second poll")
      yield* waitForSleepUntil(130_000)
      expect(Chunk.toReadonlyArray(yield* TestClock.sleeps())).not.toContain(20_000)
    }))

  it.scoped("a huge Retry-After postpones the next poll by at most an hour: polling never stops", () =>
    Effect.gen(function*() {
      const flagsServer = yield* flagServer({ enable_new_ui: true })
      yield* start(flagsServer.server, { pollInterval: "10 seconds" })
      // About three years: past the longest timer Node can set (24.8 days), a
      // sleep that long would never wake and the flags would freeze for good.
      flagsServer.state.override = (response) => {
        response.writeHead(429, { "retry-after": "100000000" })
        response.end()
      }
      yield* TestClock.adjust("10 seconds")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 2), "the second poll")
      yield* waitForSleepUntil(10_000 + 3_600_000)
      flagsServer.state.override = undefined
      yield* TestClock.adjust("1 hour")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 3), "the poll after the capped pause")
    }))

  it.scoped("a malformed flag reads as its default, logged once; a malformed payload never reaches program code", () => {
    const log = warnings()
    return Effect.gen(function*() {
      const flagsServer = yield* flagServer({})
      flagsServer.state.override = (response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({
          flags: [
            { key: "enable_new_ui", value: "yes" },
            { key: "max_items", value: 50, reason: "STATIC" },
            { key: "greeting", errorCode: "PARSE_ERROR" },
            { value: 1 },
            "junk"
          ]
        }))
      }
      const flags = yield* start(flagsServer.server, { pollInterval: "10 seconds" })
      expect(yield* flags.values).toEqual({ enable_new_ui: false, max_items: 50, greeting: "hello" })
      yield* TestClock.adjust("10 seconds")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 2), "the second poll")
      yield* waitForSleepUntil(20_000)
      expect(log.messages.filter((m) => m.includes("enable_new_ui"))).toHaveLength(1)
      expect(log.messages.filter((m) => m.includes("greeting"))).toHaveLength(1)
      // A body that is not JSON, then one that is not { flags }: the last values stay.
      flagsServer.state.override = (response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end("{ not json")
      }
      yield* TestClock.adjust("10 seconds")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 3), "the third poll")
      flagsServer.state.override = (response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ flags: { enable_new_ui: true } }))
      }
      yield* TestClock.adjust("1 second")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 4), "the fourth poll")
      expect(yield* flags.values).toEqual({ enable_new_ui: false, max_items: 50, greeting: "hello" })
    }).pipe(Effect.provide(log.layer))
  })

  it.scoped("flag server down at start: defaults at once, then live values once it returns", () =>
    Effect.gen(function*() {
      const flagsServer = yield* flagServer({ enable_new_ui: true })
      flagsServer.state.down = true
      const flags = yield* start(flagsServer.server, { pollInterval: "60 seconds" })
      expect(yield* flags.snapshot).toMatchObject({ source: "default", values: { enable_new_ui: false } })
      flagsServer.state.down = false
      // The first retry after a failure comes after 1 second, not the interval.
      yield* waitForSleepUntil(1_000)
      yield* TestClock.adjust("1 second")
      yield* waitUntil(Effect.map(flags.get("enable_new_ui"), (v) => v), "the live value")
      expect((yield* flags.snapshot).source).toBe("server")
    }))

  it.scoped("start-up waits for the first evaluation at most startupTimeout, then serves defaults", () =>
    Effect.gen(function*() {
      const flagsServer = yield* flagServer({})
      yield* flagsServer.server.route("POST", path, Reply.stall)
      const starting = yield* Effect.fork(start(flagsServer.server, { startupTimeout: "3 seconds" }))
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 1), "the first evaluation")
      yield* waitForSleepUntil(3_000)
      yield* TestClock.adjust("3 seconds")
      const flags = yield* Fiber.join(starting)
      expect(yield* flags.snapshot).toMatchObject({ source: "default", values: { enable_new_ui: false, greeting: "hello" } })
    }))

  it.scoped("last-known values survive a restart while the flag server is down (file store, 0600)", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-flags-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const file = Path.join(dir, "cache", "flags.json")
      const store = yield* FlagStore.file(file).pipe(Effect.provide(NodeFileSystem.layer))
      const flagsServer = yield* flagServer({ enable_new_ui: true, max_items: 3 })

      const firstRun = yield* Scope.make()
      const first = yield* start(flagsServer.server, { store }).pipe(Scope.extend(firstRun))
      expect(yield* first.values).toMatchObject({ enable_new_ui: true, max_items: 3 })
      yield* Scope.close(firstRun, Exit.void)
      expect(Fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(Fs.readdirSync(Path.dirname(file))).toEqual(["flags.json"])

      flagsServer.state.down = true
      const second = yield* start(flagsServer.server, { store })
      expect(yield* second.snapshot).toMatchObject({ source: "stored", values: { enable_new_ui: true, max_items: 3 } })

      // Back up: the stored ETag is sent, and a 304 keeps the stored values.
      flagsServer.state.down = false
      yield* TestClock.adjust("1 second")
      yield* waitUntil(Effect.map(flagsServer.server.requests(path), (r) => r.length === 3), "the retry")
      expect((yield* flagsServer.server.requests(path))[2]?.headers["if-none-match"]).toBe(`"v1"`)
      expect(yield* second.values).toMatchObject({ enable_new_ui: true, max_items: 3 })
    }))
})
