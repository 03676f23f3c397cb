import { Auth, CourierClient, Preset, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { waitUntil } from "./support.js"

// The resilience Layers in the preset, with Auth and Retry around them: the
// journal shows that each attempt passes the breaker and the limiter, and
// that their failures are not retried.

const presetClient = (server: TestServer.Service, options: Preset.Options) =>
  Effect.map(
    Layer.build(
      Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }, { logging: false, tracing: false, ...options })
        .pipe(
          Layer.provide(TestClient.layerFor(server, {}, "node")),
          Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
        )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const count = (server: TestServer.Service, path: string) => Effect.map(server.requests(path), (r) => r.length)

const sleepsUntil = (at: number, n: number) =>
  waitUntil(
    Effect.map(TestClock.sleeps(), (sleeps) => Chunk.size(Chunk.filter(sleeps, (end) => end === at)) >= n),
    `${n} sleep(s) until ${at}`
  )

const wallSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

const noRetryWait = { baseDelay: 0, budget: false } as const

describe("the preset with the resilience Layers", () => {
  it.scoped("circuit breaker: each retry attempt counts; once open, the call ends with CircuitOpen, not retried", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const client = yield* presetClient(server, {
        retry: { ...noRetryWait, retries: 5 },
        circuitBreaker: { consecutiveFailures: 3 }
      })
      expect(yield* Effect.flip(client.get("/down"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/down")).toBe(3)
      expect(yield* Effect.flip(client.get("/down"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/down")).toBe(3)
      // Auth's token was on every attempt that went.
      expect((yield* server.requests("/down")).map((e) => e.headers["authorization"])).toEqual([
        "Bearer T1",
        "Bearer T1",
        "Bearer T1"
      ])
    }))

  it.scoped("circuit breaker: 401s and the refresh do not open it", () =>
    Effect.gen(function*() {
      const onlyT2 = Reply.custom((request, response) => {
        request.resume()
        const ok = request.headers["authorization"] === "Bearer T2"
        response.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ ok }))
      })
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", onlyT2],
          ["POST", "/auth/refresh", Reply.json({ access_token: "T2", refresh_token: "R2" })]
        ]
      })
      const client = yield* presetClient(server, { retry: noRetryWait, circuitBreaker: { consecutiveFailures: 1 } })
      expect(yield* client.get("/me")).toEqual({ ok: true })
      expect(yield* client.get("/me")).toEqual({ ok: true })
      expect(yield* count(server, "/me")).toBe(3)
    }))

  it.scoped("circuit breaker: the refresh call passes it; an open circuit keeps the session (RefreshUnavailable)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", Reply.status(401)], ["POST", "/auth/refresh", Reply.status(503)]]
      })
      const client = yield* presetClient(server, {
        retry: noRetryWait,
        circuitBreaker: {
          consecutiveFailures: 2,
          key: (request) => request.url.pathname.startsWith("/auth/") ? "token-endpoint" : "api"
        }
      })
      // Retry sends the refresh POST again after a 503; the second 503 opens the circuit.
      const first = yield* Effect.flip(client.get("/me"))
      expect(first).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* count(server, "/auth/refresh")).toBe(2)
      // The next 401's refresh fails fast: nothing more reaches the token endpoint, the session is kept.
      const second = yield* Effect.flip(client.get("/me"))
      expect(second).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      if (second._tag === "Unauthorized") {
        expect(second.cause).toMatchObject({ _tag: "Fail", error: { _tag: "CircuitOpen", key: "token-endpoint" } })
      }
      expect(yield* count(server, "/auth/refresh")).toBe(2)
      expect(yield* count(server, "/me")).toBe(2)
    }))

  it.scoped("rate limit: a 429 is retried after its Retry-After, and holds another call to that origin meanwhile", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/limited", Reply.sequence([Reply.status(429, { headers: { "retry-after": "2" } }), Reply.json({ n: 1 })])],
          ["GET", "/other", Reply.json({ n: 2 })]
        ]
      })
      const client = yield* presetClient(server, { retry: noRetryWait, rateLimit: {} })
      const first = yield* Effect.fork(client.get("/limited"))
      // Retry's wait means the 429 came back through the limiter, which learnt the pause.
      yield* sleepsUntil(2_000, 1)
      const second = yield* Effect.fork(client.get("/other"))
      // Retry waits out the first call's Retry-After; the limiter holds the second call as long.
      yield* sleepsUntil(2_000, 2)
      yield* wallSleep(50)
      expect(yield* count(server, "/other")).toBe(0)
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(first)).toEqual({ n: 1 })
      expect(yield* Fiber.join(second)).toEqual({ n: 2 })
      expect(yield* count(server, "/limited")).toBe(2)
      expect(yield* count(server, "/other")).toBe(1)
    }))

  it.scoped("rate limit: a pause past the deadline fails with RateLimited, which Retry does not retry", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/limited", Reply.status(429, { headers: { "retry-after": "60" } })], ["GET", "/other", Reply.json({})]]
      })
      const client = yield* presetClient(server, { retry: { ...noRetryWait, maxRetryAfter: "1 minute" }, rateLimit: {} })
      const first = yield* Effect.fork(client.get("/limited", { timeouts: { total: "10 seconds" } }))
      // Retry gives up at once: 60 s would pass the deadline.
      expect(yield* Effect.flip(Fiber.join(first))).toMatchObject({ _tag: "BadResponse", status: 429 })
      expect(yield* Effect.flip(client.get("/other", { timeouts: { total: "10 seconds" } }))).toMatchObject({
        _tag: "RateLimited",
        retryAt: 60_000
      })
      expect(yield* count(server, "/other")).toBe(0)
    }))

  it.scoped("bulkhead: a call holds its slot through its retry wait; BulkheadFull is not retried", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/flaky", Reply.sequence([Reply.status(503, { headers: { "retry-after": "1" } }), Reply.json({})])]]
      })
      const client = yield* presetClient(server, { retry: noRetryWait, bulkhead: { maxConcurrent: 1 } })
      const first = yield* Effect.fork(client.get("/flaky"))
      // The first attempt got its 503; Retry waits a second before the next, slot held.
      yield* sleepsUntil(1_000, 1)
      expect(yield* Effect.flip(client.get("/flaky"))).toMatchObject({ _tag: "BulkheadFull" })
      expect(yield* count(server, "/flaky")).toBe(1)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(first)).toEqual({})
      expect(yield* count(server, "/flaky")).toBe(2)
    }))
})
