/**
 * Replicas as real Node processes sharing one real Redis: the refresh is
 * single-flight across them, and a lock holder that dies frees the lock.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenStore } from "@courier/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { fileURLToPath } from "node:url"
import { RedisConnection, RedisTokenStore } from "../src/index.js"
import { linesOf, makeApi, nodeArgs, redisServer, skipReason, spawn, startRedis } from "./support.js"

const cwd = fileURLToPath(new URL("..", import.meta.url))

const seed = (port: number, namespace: string) =>
  Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens("access-0", "refresh-1"))).pipe(
    Effect.provide(RedisConnection.layer({ namespace, redis: { host: "127.0.0.1", port } }))
  )

interface Outcome {
  readonly ok: number
  readonly failed: number
  readonly failures: ReadonlyArray<string>
}

/** Starts `count` replicas, waits until each has built its client, and returns a way to start their calls and read their outcomes. */
const replicas = (options: {
  readonly count: number
  readonly calls: number
  readonly baseUrl: string
  readonly redisPort: number
  readonly namespace: string
  readonly refreshTimeoutMillis: number
}) =>
  Effect.gen(function*() {
    const started = yield* Effect.forEach(Array.from({ length: options.count }, (_, i) => `replica-${i + 1}`), (name) =>
      Effect.map(
        spawn(process.execPath, [...nodeArgs, JSON.stringify({ ...options, name })], { cwd }),
        (child) => ({ name, child, lines: linesOf(child) })
      ))
    for (const { child, lines, name } of started) {
      child.stderr?.resume()
      const ready = yield* lines.waitFor((line) => line === "@@ ready", "60 seconds")
      if (Option.isNone(ready)) return yield* Effect.dieMessage(`${name} did not start: ${lines.lines.join("\n")}`)
    }
    const go = Effect.sync(() => {
      for (const { child } of started) child.stdin?.write("go\n")
    })
    const outcome = (name: string) => {
      const replica = started.find((r) => r.name === name)!
      return Effect.map(
        replica.lines.waitFor((line) => line.startsWith("@@ {"), "90 seconds"),
        Option.map((line): Outcome => JSON.parse(line.slice(3)) as Outcome)
      )
    }
    return { started, go, outcome }
  })

describe.skipIf(redisServer !== undefined)("Redis replicas", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis replicas", () => {
  it.live("4 processes × 250 concurrent calls meet one expired token: 1 refresh reaches the token endpoint, 1,000 calls succeed", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const api = yield* makeApi()
      const namespace = "replicas-1000"
      yield* seed(redis.port, namespace)
      yield* api.expire
      const { go, outcome, started } = yield* replicas({
        count: 4,
        calls: 250,
        baseUrl: api.server.url,
        redisPort: redis.port,
        namespace,
        refreshTimeoutMillis: 10_000
      })
      yield* go
      const outcomes = yield* Effect.forEach(started, ({ name }) => outcome(name), { concurrency: "unbounded" })
      const all = outcomes.map((o) => Option.getOrElse(o, (): Outcome => ({ ok: 0, failed: -1, failures: ["no outcome"] })))
      expect(all.map((o) => o.failures)).toEqual([[], [], [], []])
      expect(all.reduce((sum, o) => sum + o.ok, 0)).toBe(1000)
      expect(yield* api.refreshes).toBe(1)
      // The 1,000 calls did meet the expired token: 401s reached the wire.
      const unauthorized = (yield* api.server.requests("/api/data")).filter((r) => r.headers["authorization"] === "Bearer access-0")
      expect(unauthorized.length).toBeGreaterThan(0)
    }).pipe(Effect.scoped), 180_000)

  it.live("the lock holder killed mid-refresh: its lock expires, one other process refreshes, the others' calls succeed", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const api = yield* makeApi({ holdFirstRefresh: true })
      const namespace = "replicas-kill"
      yield* seed(redis.port, namespace)
      yield* api.expire
      const { go, outcome, started } = yield* replicas({
        count: 3,
        calls: 100,
        baseUrl: api.server.url,
        redisPort: redis.port,
        namespace,
        refreshTimeoutMillis: 3_000
      })
      yield* go
      // The first refresh reached the server and is held open: kill its sender.
      let holder: string | undefined
      for (let i = 0; i < 600 && holder === undefined; i++) {
        holder = yield* api.heldFrom
        if (holder === undefined) yield* Effect.sleep("50 millis")
      }
      expect(holder).toBeDefined()
      const victim = started.find((r) => r.name === holder)!
      victim.child.kill("SIGKILL")
      const others = started.filter((r) => r.name !== holder)
      const outcomes = yield* Effect.forEach(others, ({ name }) => outcome(name), { concurrency: "unbounded" })
      expect(outcomes.map((o) => Option.map(o, ({ failed, ok }) => ({ failed, ok })))).toEqual([
        Option.some({ ok: 100, failed: 0 }),
        Option.some({ ok: 100, failed: 0 })
      ])
      const refreshes = yield* api.server.requests("/auth/refresh")
      expect(refreshes.map((r) => r.headers["x-app-name"] === holder)).toEqual([true, false])
    }).pipe(Effect.scoped), 180_000)
})
