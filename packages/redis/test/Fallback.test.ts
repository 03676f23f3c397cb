/**
 * Redis stopped mid-run: every call still completes on each process's own
 * state, the outage is logged once per connection, and once Redis is back
 * the refresh is shared again.
 */
import { Auth, CourierClient, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { RedisConnection, RedisPreset, RedisTokenStore } from "../src/index.js"
import { makeApi, redisServer, skipReason, startRedis } from "./support.js"

describe.skipIf(redisServer !== undefined)("Redis fallback", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis fallback", () => {
  it.live("Redis stopped mid-run: every call completes, one warning per connection; Redis back: one refresh for both again", () => {
    const logs: Array<string> = []
    const collect = Logger.make(({ logLevel, message }) => {
      logs.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
    return Effect.gen(function*() {
      const redis = yield* startRedis
      const api = yield* makeApi()
      const namespace = "fallback"
      const connect = RedisConnection.make({
        namespace,
        redis: { host: "127.0.0.1", port: redis.port, retryStrategy: () => 500 },
        // Longer than a call's deadline: a command that waited for Redis
        // instead of failing at once would fail the calls.
        commandTimeout: "60 seconds"
      })
      const replica = (connection: RedisConnection.Service) =>
        Effect.map(
          Layer.build(
            RedisPreset.layer(
              { refresh: Auth.refreshJson({ path: "/auth/refresh" }), refreshTimeout: "5 seconds" },
              { logging: false, tracing: false }
            ).pipe(
              Layer.provide(NodeTransport.layerClient({ baseUrl: api.server.url, timeouts: { total: "20 seconds" } })),
              Layer.provide(Layer.succeed(RedisConnection.RedisConnection, connection))
            )
          ),
          (ctx) => Context.get(ctx, CourierClient.CourierClient)
        )
      const a = yield* connect
      const b = yield* connect
      yield* Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens("access-0", "refresh-1"))).pipe(
        Effect.provideService(RedisConnection.RedisConnection, a)
      )
      const clients = [yield* replica(a), yield* replica(b)]
      const round = Effect.forEach(
        clients,
        (client) => Effect.forEach(Array.from({ length: 50 }), () => Effect.either(client.get("/api/data")), { concurrency: "unbounded" }),
        { concurrency: "unbounded" }
      ).pipe(Effect.map((results) => results.flat().filter((r) => r._tag === "Left").map((r) => `${r.left._tag} ${"reason" in r.left ? r.left.reason : ""} ${"cause" in r.left ? String(r.left.cause) : ""}`)))
      const warnings = () => logs.filter((line) => line.startsWith("WARN Redis is unavailable"))

      // Shared: one refresh for both.
      yield* api.expire
      expect(yield* round).toEqual([])
      expect(yield* api.refreshes).toBe(1)

      // Redis down: each process refreshes once, on its own; no call fails.
      yield* redis.stop
      yield* api.expire
      const [took, failures] = yield* Effect.timed(Effect.zip(round, round))
      expect(failures).toEqual([[], []])
      // Two rounds of 100 calls on loopback; a Redis command waiting for the
      // connection to come back (ioredis's offline queue) would take seconds each.
      expect(Duration.toMillis(took)).toBeLessThan(5000)
      expect(yield* api.refreshes).toBe(3)
      expect(warnings()).toHaveLength(2)

      // Redis back (empty: no persistence): shared again.
      yield* redis.start
      for (let i = 0; i < 200 && !(a.client.status === "ready" && b.client.status === "ready"); i++) yield* Effect.sleep("50 millis")
      expect([a.client.status, b.client.status]).toEqual(["ready", "ready"])
      expect(yield* round).toEqual([])
      expect(logs.filter((line) => line.startsWith("INFO Redis is back"))).toHaveLength(2)
      yield* api.expire
      expect(yield* round).toEqual([])
      expect(yield* api.refreshes).toBe(4)
      expect(warnings()).toHaveLength(2)
    }).pipe(Effect.scoped, Effect.provide(Logger.replace(Logger.defaultLogger, collect)))
  }, 120_000)

  it.live("tokens stored during an outage: written back when Redis lost them, dropped when another process stored newer ones", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const connect = RedisConnection.make({
        namespace: "write-back",
        redis: { host: "127.0.0.1", port: redis.port, retryStrategy: () => 50 }
      })
      const [a, b] = [yield* connect, yield* connect]
      const storeA = yield* Effect.provideService(RedisTokenStore.make, RedisConnection.RedisConnection, a)
      const storeB = yield* Effect.provideService(RedisTokenStore.make, RedisConnection.RedisConnection, b)
      const access = (store: TokenStore.Service) =>
        Effect.map(store.get, Option.map((tokens) => Redacted.value(tokens.accessToken)))
      const ready = Effect.gen(function*() {
        for (let i = 0; i < 200 && !(a.client.status === "ready" && b.client.status === "ready"); i++) {
          yield* Effect.sleep("50 millis")
        }
        expect([a.client.status, b.client.status]).toEqual(["ready", "ready"])
      })
      yield* storeA.set(TokenStore.tokens("T1", "R1"))
      expect(yield* access(storeB)).toEqual(Option.some("T1"))

      // Down: A refreshes alone. Back empty: A's tokens go back to Redis for B.
      yield* redis.stop
      yield* storeA.set(TokenStore.tokens("T2", "R2"))
      expect(yield* access(storeA)).toEqual(Option.some("T2"))
      yield* redis.start
      yield* ready
      expect(yield* access(storeA)).toEqual(Option.some("T2"))
      expect(yield* access(storeB)).toEqual(Option.some("T2"))

      // Down again: A stores T3 alone; back, B stores T4 first. A takes T4 and
      // does not overwrite it.
      yield* redis.stop
      yield* storeA.set(TokenStore.tokens("T3", "R3"))
      yield* redis.start
      yield* ready
      yield* storeB.set(TokenStore.tokens("T4", "R4"))
      expect(yield* access(storeA)).toEqual(Option.some("T4"))
      expect(yield* access(storeB)).toEqual(Option.some("T4"))
    }).pipe(Effect.scoped), 60_000)
})
