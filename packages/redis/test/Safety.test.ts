/**
 * What a hostile Redis can do to a call: a value in one of this client's
 * keys that it did not write, a Redis that stops answering, a lock command
 * that lands after it timed out, a malformed URL. None of them may fail a
 * call with a defect, hold it past its deadline, or print a secret.
 */
import { Auth, Cache, CircuitBreaker, CourierClient, RateLimiter, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it, vi } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import * as Net from "node:net"
import * as Util from "node:util"
import { RedisConnection, RedisPreset, RedisStores, RedisTokenStore } from "../src/index.js"
import * as RedisFlagStore from "../src/RedisFlagStore.js"
import { fileURLToPath } from "node:url"
import { exitOf, linesOf, makeApi, redisServer, skipReason, spawn, startRedis } from "./support.js"

const connect = (port: number, namespace: string, extra: Partial<RedisConnection.Options> = {}) =>
  RedisConnection.make({ namespace, redis: { host: "127.0.0.1", port }, ...extra })

const provideConnection = (connection: RedisConnection.Service) =>
  Effect.provideService(RedisConnection.RedisConnection, connection)

/** Everything a program could print of a failure: its message, its fields, its pretty cause. */
const printed = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "" : [Cause.pretty(exit.cause), Util.inspect(exit.cause, { depth: 10 }), JSON.stringify(exit.cause)].join("\n")

describe("Redis URL", () => {
  // No Redis needed: the URL never gets as far as a socket.
  const malformed = ["redis://:s3cretpw@127.0.0.1:99999", "redis://:s3cretpw@[bad:1", "redis://user:s3cretpw@host name:6379"]

  it.effect("a malformed COURIER_REDIS_URL is a ConfigError that does not show the URL or its password", () =>
    Effect.forEach(malformed, (url) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(
          Layer.build(RedisConnection.layerConfig({ namespace: "url" })).pipe(
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["COURIER_REDIS_URL", url]]))),
            Effect.scoped
          )
        )
        expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe((o) => o._tag === "Some" && o.value._tag)).toBe(
          "ConfigError"
        )
        expect(printed(exit)).toContain("COURIER_REDIS_URL")
        expect(printed(exit)).not.toContain("s3cretpw")
      })))

  it.effect("a malformed url given to RedisConnection.make fails without showing it", () =>
    Effect.forEach(malformed, (url) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Effect.scoped(RedisConnection.make({ namespace: "url", url: Redacted.make(url) })))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(printed(exit)).not.toContain("s3cretpw")
      })))
})

describe.skipIf(redisServer !== undefined)("Redis safety", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis safety", () => {
  it.scopedLive("a foreign value in a breaker or limiter key is ignored and replaced: the call succeeds", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({ ok: true })]] })
      const connection = yield* connect(redis.port, "foreign")
      const breakerKey = `courier:foreign:breaker:${server.origin}`
      const limiterKey = `courier:foreign:rate-limit:${server.origin}`
      const [breakerStore, limiterStore] = yield* provideConnection(connection)(
        Effect.all([RedisStores.circuitBreaker(), RedisStores.rateLimiter()])
      )
      const client = yield* Effect.map(
        Layer.build(
          CircuitBreaker.layer({ store: breakerStore }).pipe(
            Layer.provide(RateLimiter.layer({ store: limiterStore, limit: { requests: 1000, per: "1 second" } })),
            Layer.provide(NodeTransport.layerClient({ baseUrl: server.url }))
          )
        ),
        Context.get(CourierClient.CourierClient)
      )
      // Another program's data, an older format, a value typed by hand.
      const foreign = ["null", "{}", "[1,2]", "\"Open\"", "42", "{\"_tag\":\"Open\",\"until\":\"later\"}", "{\"tokens\":\"many\"}"]
      for (const raw of foreign) {
        yield* connection.run("set", (client) => client.mset(breakerKey, raw, limiterKey, raw))
        const exit = yield* Effect.exit(client.get("/ok"))
        expect({ raw, exit: exit._tag }).toEqual({ raw, exit: "Success" })
        // Replaced by the state of the call just made.
        const [breaker, limiter] = yield* connection.run("get", (client) => client.mget(breakerKey, limiterKey))
        expect(JSON.parse(breaker!)).toMatchObject({ _tag: "Closed" })
        expect(JSON.parse(limiter!)).toMatchObject({ tokens: expect.any(Number) })
      }
      expect(yield* server.requests("/ok")).toHaveLength(foreign.length)
    }), 60_000)

  it.scopedLive("a lock taken by a SET that answered after its timeout is released by its holder", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const holder = yield* connect(redis.port, "late", { commandTimeout: "300 millis" })
      const other = yield* connect(redis.port, "late")
      const lock = yield* provideConnection(holder)(RedisTokenStore.makeCoordinator())
      // Redis holds every write for 1.5 s: the SET NX times out here, counts
      // as taken (the fallback), and lands in Redis once the pause ends.
      yield* other.run("pause", (client) => client.call("CLIENT", "PAUSE", "1500", "WRITE"))
      const lease = yield* lock.acquire(Duration.seconds(30))
      expect(lease._tag).toBe("Acquired")
      if (lease._tag === "Acquired") yield* lease.release
      // Past the pause: the SET and then the release have run, in the order sent.
      yield* Effect.sleep("2500 millis")
      // Released, not left to block the other processes for its 30 s time to live.
      expect(yield* other.run("pttl", (client) => client.pttl("courier:late:refresh-lock"))).toBe(-2)
    }), 60_000)

  it.scopedLive("a Redis that stops answering holds no call past its total deadline, whatever commandTimeout says", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [["GET", "/data", Reply.json({ ok: true }, { headers: { "cache-control": "max-age=60" } })]]
      })
      // A long commandTimeout: only the call's deadline can end the wait.
      const connection = yield* connect(redis.port, "paused", { commandTimeout: "20 seconds" })
      const admin = yield* connect(redis.port, "admin")
      yield* provideConnection(connection)(Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens("A1", "R1"))))
      const client = yield* Effect.map(
        Layer.build(
          RedisPreset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { logging: false, tracing: false, retry: false, circuitBreaker: {}, rateLimit: {}, cache: {} }
          ).pipe(
            Layer.provide(NodeTransport.layerClient({ baseUrl: server.url, timeouts: { total: "500 millis" } })),
            Layer.provide(Layer.succeed(RedisConnection.RedisConnection, connection))
          )
        ),
        Context.get(CourierClient.CourierClient)
      )
      // Redis keeps the connections open and answers nothing for 8 seconds.
      yield* admin.run("pause", (client) => client.call("CLIENT", "PAUSE", "8000", "ALL"))
      const [took, failure] = yield* Effect.timed(Effect.flip(client.get("/data")))
      expect(failure).toMatchObject({ _tag: "Timeout", phase: "total" })
      // 500 ms of deadline; the pause would have held it 8 s.
      expect(Duration.toMillis(took)).toBeLessThan(4000)
    }), 60_000)

  it.live("a program's life: Redis up, Redis gone, scope closed: it ends by itself, nothing unhandled", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const api = yield* makeApi()
      const script = fileURLToPath(new URL("./fixtures/lifecycle.ts", import.meta.url))
      const child = yield* spawn(
        process.execPath,
        ["--conditions=@courier/source", "--import", "tsx", script, JSON.stringify({ baseUrl: api.server.url, redisPort: redis.port })],
        { cwd: fileURLToPath(new URL("..", import.meta.url)) }
      )
      child.stderr?.resume()
      const lines = linesOf(child)
      expect(yield* lines.waitFor((line) => line.startsWith("@@ up"), "60 seconds")).toEqual(Option.some("@@ up 0"))
      yield* redis.stop
      child.stdin?.write("go\n")
      expect(yield* lines.waitFor((line) => line.startsWith("@@ down"), "60 seconds")).toEqual(Option.some("@@ down 0"))
      // No process.exit in the program: a timer or socket left behind would keep it running.
      expect(yield* exitOf(child, "15 seconds")).toBe("0")
      expect(lines.lines.filter((line) => line.startsWith("@@ "))).toEqual(["@@ up 0", "@@ down 0", "@@ closed"])
    }).pipe(Effect.scoped), 120_000)

  it.live("tokens and the URL's password never reach a log line, through a wrong password, a foreign key type and an outage", () => {
    const logs: Array<string> = []
    const collect = Logger.make((entry) => {
      logs.push(Util.inspect({ ...entry, date: undefined, context: undefined, spans: undefined }, { depth: 10 }))
    })
    const consoleLines: Array<string> = []
    const spies = (["log", "warn", "error", "info", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: Array<unknown>) => {
        consoleLines.push(args.map((arg) => Util.inspect(arg, { depth: 10 })).join(" "))
      })
    )
    return Effect.gen(function*() {
      const redis = yield* startRedis
      const admin = yield* connect(redis.port, "secrets")
      yield* admin.run("config", (client) => client.config("SET", "requirepass", "right-s3cret"))
      // Built in the test's scope: the connection lives until the end.
      const viaUrl = (password: string) =>
        Effect.flatMap(
          Layer.build(
            RedisConnection.layerConfig({ namespace: "secrets", commandTimeout: "500 millis" }).pipe(
              Layer.provide(Layer.setConfigProvider(
                ConfigProvider.fromMap(new Map([["COURIER_REDIS_URL", `redis://:${password}@127.0.0.1:${redis.port}`]]))
              ))
            )
          ),
          (context) => Effect.provide(RedisTokenStore.make, context)
        )
      const good = yield* viaUrl("right-s3cret")
      yield* good.set(TokenStore.tokens("ACCESS-SECRET-1", "REFRESH-SECRET-1"))
      expect(yield* admin.run("get", (client) => client.get("courier:secrets:tokens"))).toContain("ACCESS-SECRET-1")
      // A wrong password: every command fails, the outage is logged.
      const wrong = yield* viaUrl("wrong-s3cret")
      yield* wrong.set(TokenStore.tokens("ACCESS-SECRET-2", "REFRESH-SECRET-2"))
      yield* wrong.get
      // A key of another type under the token key: GET and the scripts fail on it.
      yield* admin.run("del", (client) => client.del("courier:secrets:tokens"))
      yield* admin.run("hset", (client) => client.hset("courier:secrets:tokens", "ACCESS-SECRET-3", "REFRESH-SECRET-3"))
      yield* good.get
      yield* good.clearIf!(TokenStore.tokens("ACCESS-SECRET-1", "REFRESH-SECRET-1"))
      yield* good.set(TokenStore.tokens("ACCESS-SECRET-4", "REFRESH-SECRET-4"))
      // Redis gone.
      yield* redis.stop
      yield* good.set(TokenStore.tokens("ACCESS-SECRET-5", "REFRESH-SECRET-5"))
      yield* good.get
      const everything = [...logs, ...consoleLines].join("\n")
      expect(logs.filter((line) => line.includes("Redis is unavailable")).length).toBeGreaterThanOrEqual(2)
      expect(everything).not.toMatch(/s3cret|ACCESS-SECRET|REFRESH-SECRET/)
    }).pipe(
      Effect.scoped,
      Effect.provide(Logger.replace(Logger.defaultLogger, collect)),
      Effect.ensuring(Effect.sync(() => spies.forEach((spy) => spy.mockRestore())))
    )
  }, 60_000)

  it.scopedLive("a command Redis refuses fails without the values it carried (the flags service logs the failure)", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const connection = yield* connect(redis.port, "refused")
      // Out of memory: every write is refused with an error reply.
      yield* connection.run("config", (client) => client.config("SET", "maxmemory", "1"))
      const flags = yield* provideConnection(connection)(RedisFlagStore.make())
      const saved = { flags: [], etag: "\"v1\"", context: "{\"email\":\"someone@example.com\"}" }
      const failure = yield* Effect.flip(flags.save(saved))
      expect(Util.inspect(failure, { depth: 10 })).toContain("OOM")
      expect(Util.inspect(failure, { depth: 10 })).not.toContain("someone@example.com")
      const tokens = yield* provideConnection(connection)(RedisTokenStore.make)
      yield* tokens.set(TokenStore.tokens("ACCESS-SECRET", "REFRESH-SECRET"))
      const direct = yield* Effect.flip(
        connection.run("tokens.set", (client) => client.set("courier:refused:tokens", "ACCESS-SECRET"))
      )
      expect(Util.inspect(direct, { depth: 10 })).not.toContain("ACCESS-SECRET")
    }), 60_000)

  it.live("a Redis that accepts the connection and never answers: building waits connectTimeout, calls succeed on local state", () =>
    Effect.gen(function*() {
      // Reads everything, answers nothing, as a hung Redis or a wrong service would.
      const silent = yield* Effect.acquireRelease(
        Effect.async<{ server: Net.Server; sockets: Set<Net.Socket> }>((resume) => {
          const sockets = new Set<Net.Socket>()
          const server = Net.createServer((socket) => {
            sockets.add(socket)
            socket.resume()
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
        }),
        ({ server, sockets }) =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
            for (const socket of sockets) socket.destroy()
          })
      )
      const port = (silent.server.address() as Net.AddressInfo).port
      const server = yield* TestServer.make({ routes: [["GET", "/data", Reply.json({ ok: true })]] })
      const [built, client] = yield* Effect.timed(Effect.map(
        Layer.build(
          RedisPreset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { logging: false, tracing: false, circuitBreaker: {}, rateLimit: {}, cache: {} }
          ).pipe(
            Layer.provide(NodeTransport.layerClient({ baseUrl: server.url, timeouts: { total: "5 seconds" } })),
            Layer.provide(RedisConnection.layer({ namespace: "silent", redis: { host: "127.0.0.1", port } }))
          )
        ),
        Context.get(CourierClient.CourierClient)
      ))
      expect(Duration.toMillis(built)).toBeLessThan(4000)
      const [took, results] = yield* Effect.timed(
        Effect.forEach(Array.from({ length: 10 }), () => Effect.either(client.get("/data")), { concurrency: 5 })
      )
      expect(results.filter((result) => result._tag === "Left")).toEqual([])
      // Each command fails at once (the connection never got ready) or after commandTimeout.
      expect(Duration.toMillis(took)).toBeLessThan(4000)
    }).pipe(Effect.scoped), 60_000)

  it.scopedLive("a foreign value under a cache key is a miss: the call is fetched and the entry replaced", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({
        routes: [["GET", "/cached", Reply.json({ ok: true }, { headers: { "cache-control": "max-age=60" } })]]
      })
      const connection = yield* connect(redis.port, "foreign-cache")
      const store = yield* provideConnection(connection)(RedisStores.cache())
      const client = yield* Effect.map(
        Layer.build(Cache.layer({ store }).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: server.url })))),
        Context.get(CourierClient.CourierClient)
      )
      const key = `GET ${server.url}/cached`
      const redisKey = `courier:foreign-cache:cache:${createHash("sha256").update(key).digest("hex")}`
      // Framed as this store frames an entry, under the right key, with
      // policies that are not what the cache wrote: the library's own check
      // (`v: 1`) passes the last ones.
      const policies: ReadonlyArray<unknown> = [null, "x", [1], {}, { v: 1 }, { v: 1, t: "now", resh: null }]
      for (const policy of policies) {
        const head = Buffer.from(JSON.stringify({ key, policy }))
        const length = Buffer.alloc(4)
        length.writeUInt32BE(head.byteLength)
        yield* connection.run("set", (client) => client.set(redisKey, Buffer.concat([length, head, Buffer.from("{}")])))
        const exit = yield* Effect.exit(client.get("/cached"))
        expect({ policy, exit: exit._tag }).toEqual({ policy, exit: "Success" })
      }
      expect(yield* server.requests("/cached")).toHaveLength(policies.length)
      // The last answer was stored over the foreign value: served from the cache now.
      expect(yield* client.get("/cached")).toEqual({ ok: true })
      expect(yield* server.requests("/cached")).toHaveLength(policies.length)
    }), 60_000)

  it.scopedLive("tokens cleared by one replica stay cleared when another had missed a read: a logout is not undone", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const a = yield* connect(redis.port, "logout")
      const b = yield* connect(redis.port, "logout", { commandTimeout: "200 millis" })
      const storeA = yield* provideConnection(a)(RedisTokenStore.make)
      const storeB = yield* provideConnection(b)(RedisTokenStore.make)
      yield* storeA.set(TokenStore.tokens("ACCESS-1", "REFRESH-1"))
      expect((yield* storeB.get)._tag).toBe("Some")
      // One read of B's goes unanswered (Redis paused a moment): B serves its copy.
      yield* a.run("pause", (client) => client.call("CLIENT", "PAUSE", "600", "ALL"))
      expect((yield* storeB.get)._tag).toBe("Some")
      yield* Effect.sleep("800 millis")
      // Redis answers again; A's program signs out (or A's refresh was rejected).
      yield* storeA.clear
      // B nothing changed meanwhile: it takes the store as it is, it does not
      // put its old copy back.
      expect(yield* storeB.get).toEqual(Option.none())
      expect(yield* storeA.get).toEqual(Option.none())
      const raw = yield* a.run("get", (client) => client.get("courier:logout:tokens"))
      expect(raw ?? "").not.toContain("ACCESS-1")
    }), 60_000)
})
