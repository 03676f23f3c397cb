/**
 * The shared stores on a real Redis: state one client writes is what
 * another (its own connection, its own Layers) reads, under the keys the
 * docs name.
 */
import { Auth, Cache, CircuitBreaker, CourierClient, RateLimiter } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { TokenStore } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { RedisConnection, RedisPreset, RedisStores, RedisTokenStore } from "../src/index.js"
import * as RedisFlagStore from "../src/RedisFlagStore.js"
import { redisServer, skipReason, startCluster, startRedis, startSentinel } from "./support.js"

const connect = (port: number, namespace: string, prefix?: string) =>
  RedisConnection.make({ namespace, redis: { host: "127.0.0.1", port }, ...(prefix === undefined ? {} : { prefix }) })

const clientWith = (
  decorator: Layer.Layer<CourierClient.CourierClient, unknown, CourierClient.CourierClient>,
  baseUrl: string
) =>
  Effect.map(
    Layer.build(decorator.pipe(Layer.provide(NodeTransport.layerClient({ baseUrl })))),
    (ctx) => Context.get(ctx, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const provideConnection = (connection: RedisConnection.Service) =>
  Effect.provideService(RedisConnection.RedisConnection, connection)

describe.skipIf(redisServer !== undefined)("Redis stores", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis stores", () => {
  it.scopedLive("one client opens the circuit, the other fails fast: nothing more reaches the server", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const [a, b] = [yield* connect(redis.port, "breaker"), yield* connect(redis.port, "breaker")]
      const breaker = (connection: RedisConnection.Service) =>
        Effect.flatMap(
          provideConnection(connection)(RedisStores.circuitBreaker()),
          (store) => clientWith(CircuitBreaker.layer({ consecutiveFailures: 3, breakDuration: "1 minute", store }), server.url)
        )
      const first = yield* breaker(a)
      const second = yield* breaker(b)
      for (let i = 0; i < 3; i++) expect((yield* Effect.flip(first.get("/down")))._tag).toBe("BadResponse")
      expect((yield* Effect.flip(second.get("/down")))._tag).toBe("CircuitOpen")
      expect(yield* server.requests("/down")).toHaveLength(3)
      const keys = yield* a.run("keys", (client) => client.keys("*"))
      expect(keys).toEqual([`courier:breaker:breaker:${server.origin}`])
    }))

  it.scopedLive("RedisPreset gives the breaker, the limiter and the cache their Redis stores", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/down", Reply.status(503)],
          ["GET", "/cached", Reply.json({ n: 1 }, { headers: { "cache-control": "public, max-age=60" } })]
        ]
      })
      const preset = (connection: RedisConnection.Service) =>
        clientWith(
          RedisPreset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { retry: false, logging: false, circuitBreaker: { consecutiveFailures: 2 }, rateLimit: {}, cache: {} }
          ).pipe(Layer.provide(Layer.succeed(RedisConnection.RedisConnection, connection))),
          server.url
        )
      const direct = yield* connect(redis.port, "preset")
      const first = yield* preset(yield* connect(redis.port, "preset"))
      const second = yield* preset(yield* connect(redis.port, "preset"))
      expect(yield* first.get("/cached")).toEqual({ n: 1 })
      expect(yield* second.get("/cached")).toEqual({ n: 1 })
      expect(yield* server.requests("/cached")).toHaveLength(1)
      yield* Effect.flip(first.get("/down"))
      yield* Effect.flip(first.get("/down"))
      expect((yield* Effect.flip(second.get("/down")))._tag).toBe("CircuitOpen")
      expect(yield* server.requests("/down")).toHaveLength(2)
      const kinds = (yield* direct.run("keys", (client) => client.keys("*"))).map((key) => key.split(":").slice(0, 3).join(":"))
      expect([...new Set(kinds)].sort()).toEqual(["courier:preset:breaker", "courier:preset:cache", "courier:preset:rate-limit"])
    }))

  it.scopedLive("a 429 one client got pauses the other's calls to that origin", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [["GET", "/limited", Reply.status(429, { headers: { "retry-after": "120" } })]]
      })
      const [a, b] = [yield* connect(redis.port, "limiter"), yield* connect(redis.port, "limiter")]
      const limited = (connection: RedisConnection.Service) =>
        Effect.flatMap(
          provideConnection(connection)(RedisStores.rateLimiter()),
          (store) => clientWith(RateLimiter.layer({ store }), server.url)
        )
      const first = yield* limited(a)
      const second = yield* limited(b)
      expect((yield* Effect.flip(first.get("/limited")))._tag).toBe("BadResponse")
      expect(yield* Effect.flip(second.get("/limited"))).toMatchObject({ _tag: "RateLimited" })
      expect(yield* server.requests("/limited")).toHaveLength(1)
      expect(yield* a.run("keys", (client) => client.keys("*"))).toEqual([`courier:limiter:rate-limit:${server.origin}`])
    }))

  it.scopedLive("an answer one client cached is served to the other from Redis; the store round-trips bytes", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [["GET", "/cached", Reply.json({ n: 1 }, { headers: { "cache-control": "max-age=60" } })]]
      })
      const [a, b] = [yield* connect(redis.port, "cache"), yield* connect(redis.port, "cache")]
      const cached = (connection: RedisConnection.Service) =>
        Effect.flatMap(provideConnection(connection)(RedisStores.cache()), (store) => clientWith(Cache.layer({ store }), server.url))
      expect(yield* (yield* cached(a)).get("/cached")).toEqual({ n: 1 })
      expect(yield* (yield* cached(b)).get("/cached")).toEqual({ n: 1 })
      expect(yield* server.requests("/cached")).toHaveLength(1)

      const storeA = yield* provideConnection(a)(RedisStores.cache())
      const storeB = yield* provideConnection(b)(RedisStores.cache())
      const body = Uint8Array.from({ length: 300 }, (_, i) => i % 256)
      yield* storeA.set("GET http://example.test/bytes", { policy: { headers: { etag: "\"x\"" } }, body })
      const read = yield* storeB.get("GET http://example.test/bytes")
      expect(Option.map(read, (entry) => [entry.policy, Array.from(entry.body)])).toEqual(
        Option.some([{ headers: { etag: "\"x\"" } }, Array.from(body)])
      )
      yield* storeB.delete("GET http://example.test/bytes")
      expect(yield* storeA.get("GET http://example.test/bytes")).toEqual(Option.none())
      const keys = yield* a.run("keys", (client) => client.keys("*"))
      expect(keys.every((key) => /^courier:cache:cache:[0-9a-f]{64}$/.test(key))).toBe(true)
      expect(keys).toHaveLength(1)
    }))

  it.scopedLive("flag store and token store round-trip under their keys; namespaces and prefixes keep clients apart", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const [a, b] = [yield* connect(redis.port, "notes"), yield* connect(redis.port, "notes")]
      const other = yield* connect(redis.port, "billing", "app:")
      const flagsA = yield* provideConnection(a)(RedisFlagStore.make())
      const flagsB = yield* provideConnection(b)(RedisFlagStore.make())
      const stored = { flags: [{ key: "enable_new_ui", value: true, reason: "STATIC" }], etag: "\"v1\"", context: "{}" }
      expect(yield* flagsB.load).toEqual(Option.none())
      yield* flagsA.save(stored)
      expect(yield* flagsB.load).toEqual(Option.some(stored))

      const tokensA = yield* provideConnection(a)(RedisTokenStore.make)
      const tokensB = yield* provideConnection(b)(RedisTokenStore.make)
      const tokensOther = yield* provideConnection(other)(RedisTokenStore.make)
      yield* tokensA.set({ ...TokenStore.tokens("A1", "R1"), expiresAt: 1_900_000_000_000 })
      const read = yield* tokensB.get
      expect(Option.map(read, (t) => [Redacted.value(t.accessToken), t.refreshToken && Redacted.value(t.refreshToken), t.expiresAt]))
        .toEqual(Option.some(["A1", "R1", 1_900_000_000_000]))
      expect(yield* tokensOther.get).toEqual(Option.none())
      // clearIf leaves newer tokens another process stored alone.
      yield* tokensA.set(TokenStore.tokens("A2", "R2"))
      yield* tokensB.clearIf!(TokenStore.tokens("A1", "R1"))
      expect(Option.map(yield* tokensA.get, (t) => Redacted.value(t.accessToken))).toEqual(Option.some("A2"))
      yield* tokensB.clearIf!(TokenStore.tokens("A2", "R2"))
      expect(yield* tokensA.get).toEqual(Option.none())

      yield* tokensOther.set(TokenStore.tokens("B1"))
      const keys = yield* a.run("keys", (client) => client.keys("*"))
      // A clear leaves the key with a marker and no tokens (see the token store).
      expect([...keys].sort()).toEqual(["app:billing:tokens", "courier:notes:flags:default", "courier:notes:tokens"])
    }))

  it.scopedLive("the refresh lock: one holder at a time, freed by its time to live, released only by its owner", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const [a, b] = [yield* connect(redis.port, "lock"), yield* connect(redis.port, "lock")]
      const lockA = yield* provideConnection(a)(RedisTokenStore.makeCoordinator())
      const lockB = yield* provideConnection(b)(RedisTokenStore.makeCoordinator())
      const ttl = Duration.seconds(1)
      const first = yield* lockA.acquire(ttl)
      expect(first._tag).toBe("Acquired")
      expect((yield* lockB.acquire(ttl))._tag).toBe("Held")
      expect(yield* a.run("pttl", (client) => client.pttl("courier:lock:refresh-lock"))).toBeGreaterThan(0)
      // The holder dies without releasing: the lock goes when its time to live passes.
      const [waited] = yield* Effect.timed(lockB.awaitRelease(Duration.seconds(10)))
      expect(Duration.toMillis(waited)).toBeGreaterThan(500)
      const second = yield* lockB.acquire(ttl)
      expect(second._tag).toBe("Acquired")
      // The first holder's late release leaves the second's lock alone.
      if (first._tag === "Acquired") yield* first.release
      expect((yield* lockA.acquire(ttl))._tag).toBe("Held")
      if (second._tag === "Acquired") yield* second.release
      expect((yield* lockA.acquire(ttl))._tag).toBe("Acquired")
    }))

  it.scopedLive("through a Sentinel: ioredis's sentinel options find the master", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const sentinel = yield* startSentinel(redis.port)
      const viaSentinel = yield* RedisConnection.make({
        namespace: "sentinel",
        redis: { sentinels: [{ host: "127.0.0.1", port: sentinel }], name: "mymaster" }
      })
      const store = yield* provideConnection(viaSentinel)(RedisTokenStore.make)
      yield* store.set(TokenStore.tokens("S1"))
      const direct = yield* connect(redis.port, "sentinel")
      expect(yield* direct.run("get", (client) => client.get("courier:sentinel:tokens"))).toContain("S1")
      expect(yield* viaSentinel.isAvailable).toBe(true)
    }))

  it.scopedLive("on a Redis Cluster: tokens, the lock and a breaker's state (each command and script touches one key)", () =>
    Effect.gen(function*() {
      const ports = yield* startCluster
      const connection = yield* RedisConnection.make({
        namespace: "cluster",
        cluster: { nodes: [{ host: "127.0.0.1", port: ports[0]! }] }
      })
      const tokens = yield* provideConnection(connection)(RedisTokenStore.make)
      yield* tokens.set(TokenStore.tokens("K1", "R1"))
      expect(Option.map(yield* tokens.get, (t) => Redacted.value(t.accessToken))).toEqual(Option.some("K1"))
      yield* tokens.clearIf!(TokenStore.tokens("K1", "R1"))
      expect(yield* tokens.get).toEqual(Option.none())
      const lock = yield* provideConnection(connection)(RedisTokenStore.makeCoordinator())
      const lease = yield* lock.acquire(Duration.seconds(5))
      expect(lease._tag).toBe("Acquired")
      expect((yield* lock.acquire(Duration.seconds(5)))._tag).toBe("Held")
      if (lease._tag === "Acquired") yield* lease.release
      const breaker = yield* provideConnection(connection)(RedisStores.circuitBreaker())
      const counted = yield* breaker.modify("http://a.test", (state) => [Option.isNone(state), { _tag: "Open", until: 1 }] as const)
      expect(counted).toBe(true)
      expect(yield* breaker.modify("http://a.test", (state) => [state, { _tag: "Open", until: 2 }] as const)).toEqual(
        Option.some({ _tag: "Open", until: 1 })
      )
      expect(yield* connection.isAvailable).toBe(true)
    }))

  it.scopedLive("layerConfig connects to COURIER_REDIS_URL, and fails with a ConfigError without it", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const url = `redis://127.0.0.1:${redis.port}`
      const stored = yield* Effect.flatMap(RedisTokenStore.make, (store) =>
        Effect.zipRight(store.set(TokenStore.tokens("C1")), store.get)).pipe(
          Effect.provide(RedisConnection.layerConfig({ namespace: "config" })),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["COURIER_REDIS_URL", url]])))
        )
      expect(Option.map(stored, (t) => Redacted.value(t.accessToken))).toEqual(Option.some("C1"))
      const direct = yield* connect(redis.port, "config")
      expect(yield* direct.run("get", (client) => client.get("courier:config:tokens"))).toContain("C1")
      const missing = yield* Effect.flip(
        Layer.build(RedisConnection.layerConfig({ namespace: "config" })).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(missing._tag).toBe("ConfigError")
    }))

  it.scopedLive("Redis down: breaker and limiter run on this process's memory, the cache misses, every call succeeds", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [["GET", "/ok", Reply.json({ ok: true }, { headers: { "cache-control": "max-age=60" } })]]
      })
      const a = yield* connect(redis.port, "down")
      const stores = yield* provideConnection(a)(
        Effect.all([RedisStores.circuitBreaker(), RedisStores.rateLimiter(), RedisStores.cache()])
      )
      const client = yield* clientWith(
        Cache.layer({ store: stores[2] }).pipe(
          Layer.provide(CircuitBreaker.layer({ store: stores[0] })),
          Layer.provide(RateLimiter.layer({ store: stores[1], limit: { requests: 1000, per: "1 second" } }))
        ),
        server.url
      )
      yield* redis.stop
      const results = yield* Effect.all(Array.from({ length: 20 }, () => client.get("/ok")), { concurrency: 5 })
      expect(results).toHaveLength(20)
      expect(yield* server.requests("/ok")).toHaveLength(20)
    }))
})
