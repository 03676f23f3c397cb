import { CourierClient, CourierError, RateLimiter } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { waitForRequests, waitUntil } from "./support.js"

// The limiter proven on the wire: what the server says (429, RateLimit
// headers) holds back the other calls to that origin, which the journal
// shows; time is the TestClock's.

const limitedClient = (
  server: TestServer.Service,
  options: RateLimiter.Options = {},
  config: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(RateLimiter.layer(options).pipe(Layer.provide(TestClient.layerFor(server, config, "node")))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const count = (server: TestServer.Service, path: string) => Effect.map(server.requests(path), (r) => r.length)

/** Waits (on the wall clock) until some fiber sleeps on the TestClock until `at`. */
const waitForSleep = (at: number) =>
  waitUntil(Effect.map(TestClock.sleeps(), Chunk.some((end) => end === at)), `a sleep until ${at}`)

/** Asserts, for about 100 ms of wall-clock time, that the fiber has not ended. */
const stillWaiting = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10; i++) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
    }
  })

const ok = Reply.json({ ok: true })

describe("RateLimiter", () => {
  it.scoped("a 429 with Retry-After holds the other calls to that origin until then, not another origin's", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/limited", Reply.status(429, { headers: { "retry-after": "5" } })],
          ["GET", "/other", ok]
        ]
      })
      const elsewhere = yield* TestServer.make({ routes: [["GET", "/x", ok]] })
      const client = yield* limitedClient(server, {}, { allowedOrigins: [elsewhere.origin] })
      expect(yield* Effect.flip(client.get("/limited"))).toMatchObject({ _tag: "BadResponse", status: 429 })
      const waiting = yield* Effect.fork(Effect.all([client.get("/other"), client.get("/other")], { concurrency: 2 }))
      yield* waitForSleep(5_000)
      // Another origin is not held back.
      expect(yield* client.get(`${elsewhere.url}/x`)).toEqual({ ok: true })
      yield* stillWaiting(waiting)
      expect(yield* count(server, "/other")).toBe(0)
      yield* TestClock.adjust("4999 millis")
      yield* stillWaiting(waiting)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(waiting)).toEqual([{ ok: true }, { ok: true }])
      expect(yield* count(server, "/other")).toBe(2)
    }))

  it.scoped("a 429 after a redirect pauses the origin that answered it, not the one the call started at", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({
        routes: [["GET", "/limited", Reply.status(429, { headers: { "retry-after": "5" } })], ["GET", "/x", ok]]
      })
      const server = yield* TestServer.make({
        routes: [["GET", "/go", Reply.redirect(302, `${other.url}/limited`)], ["GET", "/other", ok]]
      })
      const client = yield* limitedClient(server, {}, { allowedOrigins: [other.origin] })
      expect(yield* Effect.flip(client.get("/go"))).toMatchObject({ _tag: "BadResponse", status: 429 })
      const held = yield* Effect.fork(client.get(`${other.url}/x`))
      yield* waitForSleep(5_000)
      // The origin the call started at said nothing about its limit.
      expect(yield* client.get("/other")).toEqual({ ok: true })
      yield* stillWaiting(held)
      expect(yield* count(other, "/x")).toBe(0)
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(held)).toEqual({ ok: true })
    }))

  it.scoped("a wait that would pass the call's deadline fails at once with RateLimited, nothing sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/limited", Reply.status(429, { headers: { "retry-after": "5" } })], ["GET", "/other", ok]]
      })
      const client = yield* limitedClient(server, {}, { timeouts: { total: "3 seconds" } })
      yield* Effect.flip(client.get("/limited"))
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(client.get("/other"))
      expect(error).toBeInstanceOf(CourierError.RateLimited)
      expect(error).toMatchObject({ _tag: "RateLimited", key: server.origin, retryAt: 5_000 })
      if (error._tag === "RateLimited") expect(Duration.toMillis(error.retryAfter)).toBe(4_000)
      expect(yield* count(server, "/other")).toBe(0)
      // A call whose deadline leaves room waits instead.
      const patient = yield* Effect.fork(client.get("/other", { timeouts: { total: "10 seconds" } }))
      yield* waitForSleep(5_000)
      yield* TestClock.adjust("4 seconds")
      expect(yield* Fiber.join(patient)).toEqual({ ok: true })
    }))

  it.scoped("a pause longer than maxWait fails at once", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/limited", Reply.status(429, { headers: { "retry-after": "120" } })], ["GET", "/other", ok]]
      })
      const client = yield* limitedClient(server, { maxWait: "1 minute" })
      yield* Effect.flip(client.get("/limited"))
      expect(yield* Effect.flip(client.get("/other"))).toMatchObject({ _tag: "RateLimited", retryAt: 120_000 })
      expect(yield* count(server, "/other")).toBe(0)
    }))

  it.scoped("a 429 without Retry-After pauses for pauseWithoutRetryAfter", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/limited", Reply.status(429)], ["GET", "/other", ok]] })
      const client = yield* limitedClient(server, { pauseWithoutRetryAfter: "2 seconds" })
      const before = (yield* Metric.value(RateLimiter.pauses)).count
      yield* Effect.flip(client.get("/limited"))
      expect((yield* Metric.value(RateLimiter.pauses)).count).toBe(before + 1)
      const waiting = yield* Effect.fork(client.get("/other"))
      yield* waitForSleep(2_000)
      expect(yield* count(server, "/other")).toBe(0)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(waiting)
      expect(yield* count(server, "/other")).toBe(1)
    }))

  it.scoped.each([
    ["RateLimit dictionary", { "ratelimit": "limit=100, remaining=0, reset=10" }],
    ["RateLimit items", { "ratelimit": "\"burst\";r=5;t=1, \"daily\";r=0;t=10" }],
    ["RateLimit-Remaining and -Reset", { "ratelimit-remaining": "0", "ratelimit-reset": "10" }]
  ] as const)("a success with %s at remaining 0 pauses the next calls for the reset", ([_name, headers]) =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/quota", Reply.sequence([Reply.json({ n: 1 }, { headers }), Reply.json({ n: 2 })])]]
      })
      const client = yield* limitedClient(server)
      expect(yield* client.get("/quota")).toEqual({ n: 1 })
      const next = yield* Effect.fork(client.get("/quota"))
      yield* waitForSleep(10_000)
      expect(yield* count(server, "/quota")).toBe(1)
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(next)).toEqual({ n: 2 })
      expect(yield* count(server, "/quota")).toBe(2)
    }))

  it.scoped("remaining above 0 does not pause", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/quota", Reply.json({}, { headers: { "ratelimit": "limit=100, remaining=1, reset=10" } })]]
      })
      const client = yield* limitedClient(server)
      for (let i = 0; i < 3; i++) yield* client.get("/quota")
      expect(yield* count(server, "/quota")).toBe(3)
    }))

  it.scoped("the token bucket lets a burst through, then one call per interval", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", ok]] })
      const client = yield* limitedClient(server, { limit: { requests: 2, per: "1 second" } })
      const calls = yield* Effect.fork(Effect.all([client.get("/x"), client.get("/x"), client.get("/x")], { concurrency: 3 }))
      yield* waitForSleep(500)
      yield* waitForRequests(server, "/x", 2)
      yield* stillWaiting(calls)
      expect(yield* count(server, "/x")).toBe(2)
      yield* TestClock.adjust("500 millis")
      yield* Fiber.join(calls)
      expect(yield* count(server, "/x")).toBe(3)
    }))

  it.scoped.each([
    ["drafts 03-07", "2;w=1"],
    ["drafts 08 and later", "\"burst\";q=2;w=1, \"hourly\";q=10000;w=3600"]
  ] as const)("without a limit of its own, it paces calls by the RateLimit-Policy the server announces (%s)", ([_name, policy]) =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/x", Reply.json({}, { headers: { "ratelimit-policy": policy } })]]
      })
      const client = yield* limitedClient(server)
      // The first answer announces 2 a second: one more may go now, then one every 500 ms.
      yield* client.get("/x")
      const calls = yield* Effect.fork(Effect.all([client.get("/x"), client.get("/x"), client.get("/x")], { concurrency: 3 }))
      yield* waitForSleep(1_000)
      yield* waitForRequests(server, "/x", 2)
      yield* stillWaiting(calls)
      expect(yield* count(server, "/x")).toBe(2)
      yield* TestClock.adjust("500 millis")
      yield* waitForRequests(server, "/x", 3)
      yield* TestClock.adjust("500 millis")
      yield* Fiber.join(calls)
      expect(yield* count(server, "/x")).toBe(4)
    }))

  it("reads the draft's header forms", () => {
    expect(RateLimiter.exhaustedFor({ "ratelimit": "limit=10, remaining=0, reset=30" })).toBe(30_000)
    expect(RateLimiter.exhaustedFor({ "ratelimit": "limit=10, remaining=3, reset=30" })).toBeUndefined()
    expect(RateLimiter.exhaustedFor({ "ratelimit": "\"default\";r=0;t=7" })).toBe(7_000)
    expect(RateLimiter.exhaustedFor({ "ratelimit": "\"a\";r=0;t=7, \"b\";r=0;t=60" })).toBe(60_000)
    expect(RateLimiter.exhaustedFor({ "ratelimit-remaining": "0", "ratelimit-reset": "5" })).toBe(5_000)
    expect(RateLimiter.exhaustedFor({ "ratelimit-remaining": "0" })).toBeUndefined()
    expect(RateLimiter.exhaustedFor({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000" })).toBeUndefined()
    expect(RateLimiter.exhaustedFor({ "ratelimit": "remaining=0, reset=soon" })).toBeUndefined()
  })
})
