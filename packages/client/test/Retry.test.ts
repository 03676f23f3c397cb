import { Body, CourierClient, CourierError, Metrics, Retry } from "@courier/client"
import type { CourierConfig, CourierRequest } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { closedPort, transports, waitForRequests, waitUntil } from "./support.js"

// Every rule of the retry Layer, proven on the wire: a real loopback server
// scripts the failures, its journal says how many attempts reached it, and a
// spy below the Layer records the attempt numbers. Time is the TestClock's.

/** No backoff wait (each delay is 0) and no budget: for the tests about what is retried, not when. */
const fast: Partial<Retry.Policy> = { baseDelay: 0, budget: false }

/**
 * A client with the retry Layer over a spy that records `request.attempt`
 * of every attempt, over a real transport pointed at `server`.
 */
const retryingClient = (
  server: TestServer.Service,
  policy: Partial<Retry.Policy> = fast,
  options: CourierConfig.Options = {},
  kind: TestClient.Transport = "node"
) =>
  Effect.gen(function*() {
    const attempts: Array<number> = []
    const spy = CourierClient.layerDecorate((execute) =>
      Effect.succeed((request: CourierRequest.CourierRequest) => {
        attempts.push(request.attempt)
        return execute(request)
      })
    )
    const context = yield* Layer.build(
      Retry.layer(policy).pipe(Layer.provide(spy), Layer.provide(TestClient.layerFor(server, options, kind)))
    )
    return { client: Context.get(context, CourierClient.CourierClient), attempts }
  }).pipe(Effect.orDie)

const wallSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** Asserts, for about 100 ms of wall-clock time, that `path` stays at `count` requests. */
const staysAt = (server: TestServer.Service, path: string, count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10; i++) {
      yield* wallSleep(10)
      expect((yield* server.requests(path)).length).toBe(count)
    }
  })

/** Waits (on the wall clock) until some fiber sleeps on the TestClock until `at`. */
const waitForSleep = (at: number) =>
  waitUntil(Effect.map(TestClock.sleeps(), Chunk.some((end) => end === at)), `a sleep until ${at}`)

/**
 * Runs `effect` without ever moving the TestClock. It must settle on its own
 * (no wait), or the test dies after a few wall-clock seconds saying so.
 */
const settlesWithoutWaiting = <A, E>(effect: Effect.Effect<A, E>, what: string) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* waitUntil(Effect.map(Fiber.poll(fiber), Option.isSome), what, 300)
    return yield* Fiber.await(fiber)
  })

const ok = Reply.json({ ok: true })
const Ok = Schema.Struct({ ok: Schema.Boolean })
const status503 = (retryAfter: string) => Reply.status(503, { headers: { "retry-after": retryAfter } })

describe("Retry", () => {
  describe("attempts", () => {
    it.scoped("a GET failing 503, 503 then 200 succeeds on the third request, attempts numbered 1, 2, 3", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.status(503), ok])]]
        })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* client.get("/flaky", { schema: Ok })).toEqual({ ok: true })
        expect((yield* server.requests("/flaky")).length).toBe(3)
        expect(attempts).toEqual([1, 2, 3])
      }))

    it.scoped("with the default 2 retries, four 503s fail with the last BadResponse after 3 requests", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/down", Reply.sequence([
            Reply.status(503),
            Reply.status(503),
            Reply.status(503),
            Reply.status(503),
            ok
          ])]]
        })
        const { attempts, client } = yield* retryingClient(server, { baseDelay: 0 })
        const error = yield* Effect.flip(client.get("/down"))
        expect(error).toBeInstanceOf(CourierError.BadResponse)
        expect(error).toMatchObject({ _tag: "BadResponse", status: 503 })
        expect((yield* server.requests("/down")).length).toBe(3)
        expect(attempts).toEqual([1, 2, 3])
      }))
  })

  describe("transient failures only", () => {
    it.scoped.each([408, 429, 500, 502, 503, 504])("a GET answered %i is retried", (status) =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/s", Reply.sequence([Reply.status(status), ok])]] })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* client.get("/s", { schema: Ok })).toEqual({ ok: true })
        expect((yield* server.requests("/s")).length).toBe(2)
        expect(attempts).toEqual([1, 2])
      }))

    it.scoped.each([
      [400, "BadResponse"],
      [404, "BadResponse"],
      [401, "Unauthorized"]
    ] as const)("a GET answered %i fails with %s after 1 request", ([status, tag]) =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/s", Reply.sequence([Reply.status(status), ok])]] })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* Effect.flip(client.get("/s"))).toMatchObject({ _tag: tag, status })
        expect((yield* server.requests("/s")).length).toBe(1)
        expect(attempts).toEqual([1])
      }))

    it.scoped("a Parse failure (invalid JSON for a schema) is not retried", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/html", Reply.sequence([
            Reply.text("<html>oops</html>", { headers: { "content-type": "application/json" } }),
            ok
          ])]]
        })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* Effect.flip(client.get("/html", { schema: Ok }))).toMatchObject({
          _tag: "Parse",
          reason: "InvalidJson"
        })
        expect((yield* server.requests("/html")).length).toBe(1)
        expect(attempts).toEqual([1])
      }))
  })

  describe("only what is safe", () => {
    it.scoped("a POST without an Idempotency-Key answered 503 is not retried", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/orders", Reply.sequence([Reply.status(503), ok])]] })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))).toMatchObject({
          _tag: "BadResponse",
          status: 503
        })
        expect((yield* server.requests("/orders")).length).toBe(1)
        expect(attempts).toEqual([1])
      }))

    it.scoped("a POST with Retry.idempotencyKey() is retried, every attempt with the same key and the whole body", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["POST", "/orders", Reply.sequence([Reply.status(503), Reply.status(502), ok])]]
        })
        const { attempts, client } = yield* retryingClient(server)
        const headers = Retry.idempotencyKey()
        expect(headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/)
        const body = { item: 1, note: "é".repeat(100) }
        expect(yield* client.post("/orders", { body: Body.json(body), headers, schema: Ok })).toEqual({ ok: true })
        const journal = yield* server.requests("/orders")
        expect(journal.length).toBe(3)
        expect(attempts).toEqual([1, 2, 3])
        for (const entry of journal) {
          expect(entry.headers["idempotency-key"]).toBe(headers["idempotency-key"])
          expect(entry.bodyComplete).toBe(true)
          expect(entry.bodyText).toBe(JSON.stringify(body))
        }
        expect(Retry.idempotencyKey()["idempotency-key"]).not.toBe(headers["idempotency-key"])
      }))

    it.scoped("a one-shot stream body is not retried, even with an Idempotency-Key or on a PUT", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["POST", "/upload", Reply.sequence([Reply.status(503), ok])],
            ["PUT", "/upload", Reply.sequence([Reply.status(503), ok])]
          ]
        })
        const { attempts, client } = yield* retryingClient(server)
        const body = () => Body.stream(Stream.make(new TextEncoder().encode("once")))
        expect(yield* Effect.flip(client.post("/upload", { body: body(), headers: Retry.idempotencyKey() })))
          .toMatchObject({ _tag: "BadResponse", status: 503 })
        expect(yield* Effect.flip(client.put("/upload", { body: body() })))
          .toMatchObject({ _tag: "BadResponse", status: 503 })
        const journal = yield* server.requests("/upload")
        expect(journal.map((e) => `${e.method} ${e.bodyText}`)).toEqual(["POST once", "PUT once"])
        expect(attempts).toEqual([1, 1])
      }))

    it.scoped("a replayable stream body with an Idempotency-Key is rebuilt and sent whole for each attempt", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.sequence([Reply.status(503), ok])]] })
        const { client } = yield* retryingClient(server)
        let built = 0
        const body = Body.replayableStream(() => {
          built++
          return Stream.make(new TextEncoder().encode("again"))
        })
        expect(yield* client.post("/upload", { body, headers: Retry.idempotencyKey(), schema: Ok })).toEqual({ ok: true })
        expect((yield* server.requests("/upload")).map((e) => e.bodyText)).toEqual(["again", "again"])
        expect(built).toBe(2)
      }))
  })

  for (const kind of transports) {
    describe(`network failures on ${kind}`, () => {
      it.scoped("a POST to a closed port (nothing sent) is retried", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make()
          const port = yield* closedPort
          const { attempts, client } = yield* retryingClient(server, fast, { baseUrl: `http://127.0.0.1:${port}` }, kind)
          const error = yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))
          expect(error).toMatchObject({ _tag: "Network", reason: "ConnectionRefused" })
          expect(error._tag === "Network" && error.nothingSent).toBe(true)
          expect(attempts).toEqual([1, 2, 3])
        }))

      it.scoped("a POST reset after its bytes were sent is not retried", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["POST", "/orders", Reply.sequence([Reply.reset, ok])]] })
          const { attempts, client } = yield* retryingClient(server, fast, {}, kind)
          const error = yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))
          expect(error).toMatchObject({ _tag: "Network", reason: "ConnectionReset" })
          expect(error._tag === "Network" && error.nothingSent).toBe(false)
          expect((yield* server.requests("/orders")).length).toBe(1)
          expect(attempts).toEqual([1])
        }))

      it.scoped("a GET reset is retried", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/r", Reply.sequence([Reply.reset, ok])]] })
          const { attempts, client } = yield* retryingClient(server, fast, {}, kind)
          expect(yield* client.get("/r", { schema: Ok })).toEqual({ ok: true })
          expect((yield* server.requests("/r")).length).toBe(2)
          expect(attempts).toEqual([1, 2])
        }))
    })
  }

  describe("timeouts", () => {
    it.scoped("a receive Timeout on a GET is retried", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.sequence([Reply.stall, ok])]] })
        const { attempts, client } = yield* retryingClient(server, fast, { timeouts: { receive: "1 second" } })
        const fiber = yield* Effect.fork(client.get("/slow", { schema: Ok }))
        yield* waitForRequests(server, "/slow", 1)
        yield* waitForSleep(1000)
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
        expect((yield* server.requests("/slow")).length).toBe(2)
        expect(attempts).toEqual([1, 2])
      }))

    it.scoped("receive Timeouts on every attempt of a GET fail with the last one after 1 + retries requests", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
        const { client } = yield* retryingClient(server, fast, { timeouts: { receive: "1 second" } })
        const fiber = yield* Effect.fork(Effect.flip(client.get("/slow")))
        for (let n = 1; n <= 3; n++) {
          yield* waitForRequests(server, "/slow", n)
          yield* waitForSleep(n * 1000)
          yield* TestClock.adjust("1 second")
        }
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", phase: "receive" })
        expect((yield* server.requests("/slow")).length).toBe(3)
      }))

    it.scoped("a receive Timeout on a POST is not retried", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/slow", Reply.sequence([Reply.stall, ok])]] })
        const { attempts, client } = yield* retryingClient(server, fast, { timeouts: { receive: "1 second" } })
        const fiber = yield* Effect.fork(Effect.flip(client.post("/slow", { body: Body.json({ item: 1 }) })))
        yield* waitForRequests(server, "/slow", 1)
        yield* waitForSleep(1000)
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", phase: "receive" })
        yield* staysAt(server, "/slow", 1)
        expect(attempts).toEqual([1])
      }))

    it.scoped("a total Timeout is never retried", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.sequence([Reply.stall, ok])]] })
        const { attempts, client } = yield* retryingClient(server, fast, { timeouts: { total: "2 seconds" } })
        const fiber = yield* Effect.fork(Effect.flip(client.get("/slow")))
        yield* waitForRequests(server, "/slow", 1)
        yield* waitForSleep(2000)
        yield* TestClock.adjust("2 seconds")
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", phase: "total" })
        yield* staysAt(server, "/slow", 1)
        expect(attempts).toEqual([1])
        // Nor would the policy retry one, were a Layer below to report it.
        const request = yield* client.prepare("GET", "/slow")
        const total = new CourierError.Timeout({ request: request.info, phase: "total", duration: Duration.seconds(2) })
        const receive = new CourierError.Timeout({ request: request.info, phase: "receive", duration: Duration.seconds(2) })
        expect(Retry.isRetryable(Retry.defaultPolicy, request, total)).toBe(false)
        expect(Retry.isRetryable(Retry.defaultPolicy, request, receive)).toBe(true)
      }))
  })

  describe("Retry-After", () => {
    it.scoped("in seconds: the retry waits 5 s, not less", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/ra", Reply.sequence([status503("5"), ok])]] })
        const { client } = yield* retryingClient(server)
        const fiber = yield* Effect.fork(client.get("/ra", { schema: Ok }))
        yield* waitForRequests(server, "/ra", 1)
        yield* waitForSleep(5000)
        yield* TestClock.adjust("4999 millis")
        yield* staysAt(server, "/ra", 1)
        yield* TestClock.adjust("1 millis")
        yield* waitForRequests(server, "/ra", 2)
        expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      }))

    it.scoped("an HTTP date 3 s ahead: the retry waits until then", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2025-06-01T12:00:00.000Z"))
        const now = yield* Clock.currentTimeMillis
        const date = new Date(now + 3000).toUTCString()
        const server = yield* TestServer.make({ routes: [["GET", "/ra", Reply.sequence([status503(date), ok])]] })
        const { client } = yield* retryingClient(server)
        const fiber = yield* Effect.fork(client.get("/ra", { schema: Ok }))
        yield* waitForRequests(server, "/ra", 1)
        yield* waitForSleep(now + 3000)
        yield* TestClock.adjust("2999 millis")
        yield* staysAt(server, "/ra", 1)
        yield* TestClock.adjust("1 millis")
        yield* waitForRequests(server, "/ra", 2)
        expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      }))

    it.scoped("a past HTTP date: the retry goes at once, not after a backoff", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2025-06-01T12:00:00.000Z"))
        const now = yield* Clock.currentTimeMillis
        const server = yield* TestServer.make({
          routes: [["GET", "/ra", Reply.sequence([status503(new Date(now - 60_000).toUTCString()), ok])]]
        })
        // A backoff would wait 5 s (half of 10 s, with the random fixed at 0.5).
        const { client } = yield* retryingClient(server, { ...fast, baseDelay: "10 seconds", maxDelay: "10 seconds" })
        const exit = yield* settlesWithoutWaiting(
          client.get("/ra", { schema: Ok }).pipe(Effect.withRandom(Random.fixed([0.5]))),
          "the retry after a past date"
        )
        expect(exit).toEqual(Exit.succeed({ ok: true }))
        expect((yield* server.requests("/ra")).length).toBe(2)
      }))

    it.scoped("an unreadable value falls back to the backoff", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/ra", Reply.sequence([status503("soon"), status503("5 GMT"), ok])]]
        })
        // Random fixed at 0.5: the backoff waits 500 ms, then 1000 ms (base 1 s, doubling).
        const { client } = yield* retryingClient(server, { ...fast, baseDelay: "1 second" })
        const fiber = yield* Effect.fork(client.get("/ra", { schema: Ok }).pipe(Effect.withRandom(Random.fixed([0.5]))))
        yield* waitForRequests(server, "/ra", 1)
        yield* waitForSleep(500)
        yield* TestClock.adjust("499 millis")
        yield* staysAt(server, "/ra", 1)
        yield* TestClock.adjust("1 millis")
        yield* waitForRequests(server, "/ra", 2)
        yield* waitForSleep(1500)
        yield* TestClock.adjust("999 millis")
        yield* staysAt(server, "/ra", 2)
        yield* TestClock.adjust("1 millis")
        yield* waitForRequests(server, "/ra", 3)
        expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      }))

    it.scoped("longer than maxRetryAfter: fails at once with the BadResponse, after 1 request", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/ra", Reply.sequence([status503("120"), ok])]] })
        const { client } = yield* retryingClient(server, { ...fast, maxRetryAfter: "30 seconds" })
        const before = yield* Clock.currentTimeMillis
        const exit = yield* settlesWithoutWaiting(client.get("/ra"), "the failure on a too-long Retry-After")
        expect(yield* Effect.flip(exit)).toMatchObject({
          _tag: "BadResponse",
          status: 503,
          headers: { "retry-after": "120" }
        })
        expect(yield* Clock.currentTimeMillis).toBe(before)
        expect((yield* server.requests("/ra")).length).toBe(1)
      }))

    it.scoped("exactly maxRetryAfter is still honoured", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/ra", Reply.sequence([status503("5"), ok])]] })
        const { client } = yield* retryingClient(server, { ...fast, maxRetryAfter: "5 seconds" })
        const fiber = yield* Effect.fork(client.get("/ra", { schema: Ok }))
        yield* waitForSleep(5000)
        yield* TestClock.adjust("5 seconds")
        expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
        expect((yield* server.requests("/ra")).length).toBe(2)
      }))

    it.scoped("a wait that would pass the total deadline fails at once with the BadResponse", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/ra", Reply.sequence([status503("5"), ok])],
            ["GET", "/backoff", Reply.sequence([Reply.status(503), ok])]
          ]
        })
        const { client } = yield* retryingClient(
          server,
          { ...fast, baseDelay: "10 seconds", maxDelay: "10 seconds" },
          { timeouts: { total: "3 seconds" } }
        )
        const before = yield* Clock.currentTimeMillis
        const asked = yield* settlesWithoutWaiting(client.get("/ra"), "the failure on a Retry-After past the deadline")
        expect(yield* Effect.flip(asked)).toMatchObject({ _tag: "BadResponse", status: 503 })
        // The same for a backoff: 5 s with the random fixed at 0.5.
        const backedOff = yield* settlesWithoutWaiting(
          client.get("/backoff").pipe(Effect.withRandom(Random.fixed([0.5]))),
          "the failure on a backoff past the deadline"
        )
        expect(yield* Effect.flip(backedOff)).toMatchObject({ _tag: "BadResponse", status: 503 })
        expect(yield* Clock.currentTimeMillis).toBe(before)
        expect((yield* server.requests("/ra")).length).toBe(1)
        expect((yield* server.requests("/backoff")).length).toBe(1)
      }))
  })

  describe("the Retry.retryAfter parser", () => {
    const now = Date.parse("2015-10-21T07:28:00.000Z")
    const parse = (value: string) => Retry.retryAfter({ "retry-after": value }, now).pipe(Option.map(Duration.toMillis))

    it("reads delay-seconds", () => {
      expect(parse("5")).toEqual(Option.some(5000))
      expect(parse("0")).toEqual(Option.some(0))
      expect(parse(" 120 ")).toEqual(Option.some(120_000))
    })

    it("reads an HTTP date, relative to now", () => {
      expect(parse("Wed, 21 Oct 2015 07:28:30 GMT")).toEqual(Option.some(30_000))
      expect(parse("Wednesday, 21-Oct-15 07:29:00 GMT")).toEqual(Option.some(60_000))
      // asctime names no zone: it is GMT whatever the machine's time zone.
      expect(parse("Wed Oct 21 07:28:45 2015")).toEqual(Option.some(45_000))
      expect(parse("Wed Oct  1 07:28:45 2015")).toEqual(Option.some(0))
    })

    it("reads a past date as no wait", () => {
      expect(parse("Wed, 21 Oct 2015 07:27:00 GMT")).toEqual(Option.some(0))
      expect(parse("Thu, 01 Jan 1970 00:00:00 GMT")).toEqual(Option.some(0))
    })

    it("gives None for garbage, a negative or fractional number, an empty value or no header", () => {
      for (const value of ["soon", "-5", "1.5", "5s", "", "  ", "GMT", "5 GMT", "-5 GMT", "Wed, 99 Foo 2015 GMT"]) {
        expect(parse(value), JSON.stringify(value)).toEqual(Option.none())
      }
      expect(Retry.retryAfter({}, now)).toEqual(Option.none())
    })
  })

  describe("backoff", () => {
    const policy = { retries: 8, baseDelay: "100 millis", maxDelay: "1 second" } as const
    // Schedule.run also reports the step that ends the schedule, as a zero
    // delay: 8 retries give 9 outputs, the last one 0.
    const delaysWith = (seed: number) =>
      Schedule.run(Schedule.delays(Retry.backoff(policy)), 0, Array(20).fill(0)).pipe(
        Effect.map((delays) => {
          const millis = Chunk.toReadonlyArray(delays).map(Duration.toMillis)
          expect(millis.length).toBe(9)
          expect(millis[8]).toBe(0)
          return millis.slice(0, 8)
        }),
        Effect.withRandom(Random.make(seed))
      )

    it.effect("each delay is within [0, min(maxDelay, baseDelay * 2^n)], full jitter over the whole range", () =>
      Effect.gen(function*() {
        const ceilings = Array.from({ length: 8 }, (_, n) => Math.min(1000, 100 * 2 ** n))
        expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000])
        const runs: Array<ReadonlyArray<number>> = []
        for (let seed = 0; seed < 300; seed++) runs.push(yield* delaysWith(seed))
        for (const delays of runs) {
          expect(delays.length).toBe(8)
          delays.forEach((delay, n) => {
            expect(Number.isInteger(delay)).toBe(true)
            expect(delay).toBeGreaterThanOrEqual(0)
            expect(delay).toBeLessThanOrEqual(ceilings[n])
          })
        }
        ceilings.forEach((ceiling, n) => {
          const at = runs.map((delays) => delays[n])
          // Jittered: spread over the whole range, not one value.
          expect(new Set(at).size).toBeGreaterThan(ceiling === 100 ? 50 : 150)
          expect(Math.min(...at)).toBeLessThan(ceiling * 0.1)
          expect(Math.max(...at)).toBeGreaterThan(ceiling * 0.9)
        })
        // Capped: past the cap the ceilings stay at maxDelay however many retries.
        expect(Math.max(...runs.flatMap((delays) => delays.slice(4)))).toBeLessThanOrEqual(1000)
      }))

    it.effect("a seed makes a run deterministic; different seeds differ", () =>
      Effect.gen(function*() {
        expect(yield* delaysWith(42)).toEqual(yield* delaysWith(42))
        expect(yield* delaysWith(42)).not.toEqual(yield* delaysWith(43))
      }))

    it.effect("stops after `retries` delays, the defaults being 2 from 200 ms", () =>
      Effect.gen(function*() {
        const steps = yield* Schedule.run(Schedule.delays(Retry.backoff()), 0, Array(10).fill(0))
        const delays = Chunk.toReadonlyArray(steps).map(Duration.toMillis)
        // Two delays, then the ending step (see above) and no more input consumed.
        expect(delays.length).toBe(3)
        expect(delays[0]).toBeLessThanOrEqual(200)
        expect(delays[1]).toBeLessThanOrEqual(400)
        expect(delays[2]).toBe(0)
      }))
  })

  describe("budget", () => {
    const alwaysDown = () => TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
    const calls = (client: CourierClient.Service, n: number) =>
      Effect.forEach(Array.from({ length: n }), () => Effect.flip(client.get("/down")), { discard: true })

    it.scoped("100 GETs on an always-503 server: without a budget 300 requests, with 10% at most 111", () =>
      Effect.gen(function*() {
        const unbounded = yield* alwaysDown()
        yield* calls((yield* retryingClient(unbounded, { retries: 2, baseDelay: 0, budget: false })).client, 100)
        expect((yield* unbounded.requests("/down")).length).toBe(300)

        const server = yield* alwaysDown()
        const { client } = yield* retryingClient(server, {
          retries: 2,
          baseDelay: 0,
          budget: { ratio: 0.1, window: "10 seconds", minPerSecond: 0 }
        })
        yield* calls(client, 100)
        const onTheWire = (yield* server.requests("/down")).length
        expect(onTheWire).toBeGreaterThan(100)
        expect(onTheWire).toBeLessThanOrEqual(100 + 10 + 1)
      }))

    it.scoped("the floor (minPerSecond) allows a few retries even with few requests", () =>
      Effect.gen(function*() {
        const policy = (minPerSecond: number): Partial<Retry.Policy> => ({
          retries: 2,
          baseDelay: 0,
          budget: { ratio: 0.1, window: "10 seconds", minPerSecond }
        })
        const noFloor = yield* alwaysDown()
        yield* calls((yield* retryingClient(noFloor, policy(0))).client, 3)
        expect((yield* noFloor.requests("/down")).length).toBe(3)

        // 0.5 per second over 10 s: 5 retries (0.3 more from the ratio does not make a sixth).
        const withFloor = yield* alwaysDown()
        yield* calls((yield* retryingClient(withFloor, policy(0.5))).client, 3)
        expect((yield* withFloor.requests("/down")).length).toBe(3 + 5)
      }))

    it.scoped("the budget is shared by the client's calls and refills once the window has passed", () =>
      Effect.gen(function*() {
        const server = yield* alwaysDown()
        // A floor of 2 retries per 10 s window, nothing from the ratio.
        const { client } = yield* retryingClient(server, {
          retries: 2,
          baseDelay: 0,
          budget: { ratio: 0, window: "10 seconds", minPerSecond: 0.2 }
        })
        const count = Effect.map(server.requests("/down"), (entries) => entries.length)
        yield* calls(client, 3)
        expect(yield* count).toBe(3 + 2)
        // Half a window later the spent retries still count.
        yield* TestClock.adjust("5 seconds")
        yield* calls(client, 1)
        expect(yield* count).toBe(5 + 1)
        // A whole window after them, they no longer do.
        yield* TestClock.adjust("6 seconds")
        yield* calls(client, 1)
        expect(yield* count).toBe(6 + 3)
      }))

    it("Retry.makeBudget: ratio of the requests in the window plus the floor", () => {
      const budget = Retry.makeBudget({ ratio: 0.5, window: "10 seconds", minPerSecond: 0.1 })
      const t0 = 1_700_000_000_000
      for (let i = 0; i < 4; i++) budget.recordRequest(t0)
      // 1 (floor) + 0.5 * 4 = 3 retries.
      expect([1, 2, 3, 4].map(() => budget.tryRetry(t0))).toEqual([true, true, true, false])
      expect(budget.tryRetry(t0 + 9_000)).toBe(false)
      expect(budget.tryRetry(t0 + 10_000)).toBe(true)
    })
  })

  describe("per-request override", () => {
    it.scoped("Retry.disabled makes 1 request; Retry.withPolicy({ retries: 4 }) makes 5", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: ["/off", "/more", "/base"].map((path) => ["GET", path, Reply.status(503)] as const)
        })
        const { attempts, client } = yield* retryingClient(server)
        expect(yield* Effect.flip(Retry.disabled(client.get("/off")))).toMatchObject({ _tag: "BadResponse", status: 503 })
        expect((yield* server.requests("/off")).length).toBe(1)
        expect(attempts).toEqual([1])

        attempts.length = 0
        expect(yield* Effect.flip(client.get("/more").pipe(Retry.withPolicy({ retries: 4 })))).toMatchObject({
          _tag: "BadResponse",
          status: 503
        })
        expect((yield* server.requests("/more")).length).toBe(5)
        expect(attempts).toEqual([1, 2, 3, 4, 5])

        // The override ends with the effect it wraps.
        yield* Effect.flip(client.get("/base"))
        expect((yield* server.requests("/base")).length).toBe(3)
        // Data-first too.
        yield* Effect.flip(Retry.withPolicy(client.get("/base"), { retries: 1 }))
        expect((yield* server.requests("/base")).length).toBe(3 + 2)
      }))
  })
})

describe("metrics", () => {
  it.scopedLive("each retry counts in Metrics.retries, the first attempt does not", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.status(503), Reply.json({ ok: true })])]]
      })
      const { client } = yield* retryingClient(server)
      const before = (yield* Metric.value(Metrics.retries)).count
      yield* client.get("/flaky")
      expect((yield* Metric.value(Metrics.retries)).count - before).toBe(2)
    }))
})
