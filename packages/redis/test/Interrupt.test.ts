/**
 * A call waiting for another replica's refresh is interrupted: it ends at
 * once, the refresh of its process goes on for the others, and nothing is
 * left holding the lock.
 */
import { Auth, CourierClient, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { RedisConnection, RedisPreset, RedisTokenStore } from "../src/index.js"
import { makeApi, redisServer, skipReason, startRedis } from "./support.js"

describe.skipIf(redisServer !== undefined)("Redis interruption", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis interruption", () => {
  it.live("interrupting a call that waits on another replica's lock: it ends at once, the wait goes on for the rest", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      // The first refresh reaches the server and is never answered: its
      // sender holds the lock until its refreshTimeout (2 s).
      const api = yield* makeApi({ holdFirstRefresh: true })
      const namespace = "interrupt"
      const replica = Effect.gen(function*() {
        const connection = yield* RedisConnection.make({ namespace, redis: { host: "127.0.0.1", port: redis.port } })
        const context = yield* Layer.build(
          RedisPreset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }), refreshTimeout: "2 seconds", refreshAhead: false },
            { logging: false, tracing: false, retry: false }
          ).pipe(
            Layer.provide(NodeTransport.layerClient({ baseUrl: api.server.url, timeouts: { total: "30 seconds" } })),
            Layer.provide(Layer.succeed(RedisConnection.RedisConnection, connection))
          )
        )
        return { client: Context.get(context, CourierClient.CourierClient), connection }
      })
      const a = yield* replica
      const b = yield* replica
      yield* Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens("access-0", "refresh-1"))).pipe(
        Effect.provideService(RedisConnection.RedisConnection, a.connection)
      )
      yield* api.expire
      const holder = yield* Effect.fork(Effect.either(a.client.get("/api/data")))
      for (let i = 0; i < 200 && (yield* api.heldFrom) === undefined; i++) yield* Effect.sleep("25 millis")
      // B meets the expired token: its refresh waits on A's lock.
      const waiting = yield* Effect.fork(b.client.get("/api/data"))
      const other = yield* Effect.fork(b.client.get("/api/data"))
      yield* Effect.sleep("300 millis")
      const [took] = yield* Effect.timed(Fiber.interrupt(waiting))
      expect(Duration.toMillis(took)).toBeLessThan(500)
      // A's refresh times out (its calls fail RefreshUnavailable); B then takes
      // the lock, refreshes, and its other call succeeds.
      expect(yield* Fiber.join(other)).toEqual({ ok: true })
      const held = yield* Fiber.join(holder)
      expect(held._tag === "Left" && held.left).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* api.refreshes).toBe(2)
      expect(yield* a.connection.run("exists", (client) => client.exists(`courier:${namespace}:refresh-lock`))).toBe(0)
    }).pipe(Effect.scoped), 60_000)
})
