import { CircuitBreaker, CourierClient, CourierError, Retry } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as TestClock from "effect/TestClock"
import { gate, waitForRequests } from "./support.js"

// The breaker proven on the wire: a real loopback server scripts the
// downstream's failures, its journal says what reached it. Time is the
// TestClock's, so the break duration passes when the test says so.

const breakerClient = (
  server: TestServer.Service,
  options: CircuitBreaker.Options = {},
  retry?: Partial<Retry.Policy>,
  config: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(
      (retry === undefined
        ? CircuitBreaker.layer(options)
        : Layer.provide(Retry.layer(retry), CircuitBreaker.layer(options))).pipe(
          Layer.provide(TestClient.layerFor(server, config, "node"))
        )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const count = (server: TestServer.Service, path: string) => Effect.map(server.requests(path), (r) => r.length)

/** 503 and 200 in turn, for as long as it is asked. */
const alternating = () => {
  let n = 0
  return Reply.custom((_request, response) => {
    n += 1
    response.writeHead(n % 2 === 1 ? 503 : 200, { "content-type": "text/plain" }).end("x")
  })
}

describe("CircuitBreaker", () => {
  it.scoped("5 failures in a row open the circuit; an open circuit fails fast with nothing on the wire", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const client = yield* breakerClient(server)
      for (let i = 0; i < 5; i++) {
        expect(yield* Effect.flip(client.get("/down"))).toMatchObject({ _tag: "BadResponse", status: 503 })
      }
      expect(yield* count(server, "/down")).toBe(5)
      const error = yield* Effect.flip(client.get("/down"))
      expect(error).toBeInstanceOf(CourierError.CircuitOpen)
      expect(error).toMatchObject({ _tag: "CircuitOpen", key: server.origin, state: "Open", retryAt: 5_000 })
      if (error._tag === "CircuitOpen") expect(Duration.toMillis(error.retryAfter)).toBe(5_000)
      expect(yield* count(server, "/down")).toBe(5)
      // catchTag works on it like on any Courier failure.
      const handled = yield* client.get("/down").pipe(Effect.catchTag("CircuitOpen", (e) => Effect.succeed(e.key)))
      expect(handled).toBe(server.origin)
    }))

  it.scoped("a success in between resets the count", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/flaky", Reply.sequence([
          Reply.status(503),
          Reply.status(503),
          Reply.json({}),
          Reply.status(503),
          Reply.status(503),
          Reply.json({})
        ])]]
      })
      const client = yield* breakerClient(server, { consecutiveFailures: 3 })
      for (let i = 0; i < 6; i++) yield* Effect.either(client.get("/flaky"))
      expect(yield* count(server, "/flaky")).toBe(6)
    }))

  it.scoped("4xx answers and a 401 do not count", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/missing", Reply.status(404)], ["GET", "/private", Reply.status(401)]]
      })
      const client = yield* breakerClient(server, { consecutiveFailures: 2 })
      for (let i = 0; i < 5; i++) {
        expect(yield* Effect.flip(client.get("/missing"))).toMatchObject({ status: 404 })
      }
      for (let i = 0; i < 5; i++) {
        expect(yield* Effect.flip(client.get("/private"))).toMatchObject({ _tag: "Unauthorized" })
      }
      expect(yield* count(server, "/missing")).toBe(5)
      expect(yield* count(server, "/private")).toBe(5)
    }))

  it.scoped("network failures and 429 count", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/reset", Reply.reset], ["GET", "/busy", Reply.status(429)]]
      })
      const client = yield* breakerClient(server, { consecutiveFailures: 2, key: () => "one" })
      expect(yield* Effect.flip(client.get("/reset"))).toMatchObject({ _tag: "Network" })
      expect(yield* Effect.flip(client.get("/busy"))).toMatchObject({ status: 429 })
      expect(yield* Effect.flip(client.get("/busy"))).toMatchObject({ _tag: "CircuitOpen", key: "one" })
      expect(yield* count(server, "/busy")).toBe(1)
    }))

  it.scoped("circuits are per origin: another origin's calls still go", () =>
    Effect.gen(function*() {
      const down = yield* TestServer.make({ routes: [["GET", "/x", Reply.status(503)]] })
      const up = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ ok: true })]] })
      const client = yield* breakerClient(down, { consecutiveFailures: 1 }, undefined, { allowedOrigins: [up.origin] })
      yield* Effect.flip(client.get("/x"))
      expect(yield* Effect.flip(client.get("/x"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* client.get(`${up.url}/x`)).toEqual({ ok: true })
      expect(yield* count(up, "/x")).toBe(1)
    }))

  it.scoped("a failure after a redirect counts against the origin that failed, not the one that redirected", () =>
    Effect.gen(function*() {
      const down = yield* TestServer.make({ routes: [["GET", "/x", Reply.status(503)]] })
      const api = yield* TestServer.make({
        routes: [["GET", "/go", Reply.redirect(302, `${down.url}/x`)], ["GET", "/ok", Reply.json({ ok: true })]]
      })
      const client = yield* breakerClient(api, { consecutiveFailures: 2 }, undefined, { allowedOrigins: [down.origin] })
      for (let i = 0; i < 2; i++) expect(yield* Effect.flip(client.get("/go"))).toMatchObject({ _tag: "BadResponse", status: 503 })
      // The API answered both calls (with a redirect): its circuit stays closed.
      expect(yield* client.get("/ok")).toEqual({ ok: true })
      // The origin that failed twice in a row is open.
      expect(yield* Effect.flip(client.get(`${down.url}/x`))).toMatchObject({ _tag: "CircuitOpen", key: down.origin })
      expect(yield* count(down, "/x")).toBe(2)
    }))

  it.scoped("after the break, half-open lets N probes through, rejects the rest, and success closes", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/svc", Reply.status(503)]] })
      const client = yield* breakerClient(server, { consecutiveFailures: 1, halfOpenProbes: 2, breakDuration: "10 seconds" })
      yield* Effect.flip(client.get("/svc"))
      expect(yield* Effect.flip(client.get("/svc"))).toMatchObject({ _tag: "CircuitOpen", retryAt: 10_000 })
      const { releaseAll, reply } = gate()
      yield* server.route("GET", "/svc", reply)
      yield* TestClock.adjust("10 seconds")
      const probes = yield* Effect.fork(Effect.all([client.get("/svc"), client.get("/svc")], { concurrency: 2 }))
      yield* waitForRequests(server, "/svc", 3)
      // Both probes are out: a third call is refused without reaching the server.
      expect(yield* Effect.flip(client.get("/svc"))).toMatchObject({ _tag: "CircuitOpen", state: "HalfOpen" })
      yield* releaseAll
      yield* Fiber.join(probes)
      expect(yield* count(server, "/svc")).toBe(3)
      // Closed again: every call goes.
      yield* server.route("GET", "/svc", Reply.json({ ok: true }))
      for (let i = 0; i < 3; i++) yield* client.get("/svc")
      expect(yield* count(server, "/svc")).toBe(6)
    }))

  it.scoped("a failed probe opens the circuit again for another break", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/svc", Reply.status(503)]] })
      const client = yield* breakerClient(server, { consecutiveFailures: 1, breakDuration: "5 seconds" })
      yield* Effect.flip(client.get("/svc"))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Effect.flip(client.get("/svc"))).toMatchObject({ _tag: "BadResponse", status: 503 })
      expect(yield* count(server, "/svc")).toBe(2)
      expect(yield* Effect.flip(client.get("/svc"))).toMatchObject({ _tag: "CircuitOpen", retryAt: 10_000 })
      yield* TestClock.adjust("4 seconds")
      expect(yield* Effect.flip(client.get("/svc"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/svc")).toBe(2)
    }))

  it.scoped("the failure-rate rule opens at the threshold over the window, forgetting older calls", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/half", alternating()]] })
      const client = yield* breakerClient(server, {
        consecutiveFailures: false,
        failureRate: { threshold: 0.6, window: "10 seconds", minimumCalls: 4 }
      })
      // fail, ok, fail, ok: 50%, under the threshold.
      for (let i = 0; i < 4; i++) yield* Effect.either(client.get("/half"))
      // Those calls leave the window: fail, ok, fail: 67% of 3, under the minimum.
      yield* TestClock.adjust("11 seconds")
      for (let i = 0; i < 3; i++) yield* Effect.either(client.get("/half"))
      expect(yield* count(server, "/half")).toBe(7)
      // ok, fail: 3 failures in 5 calls, 60%: open.
      yield* Effect.either(client.get("/half"))
      yield* Effect.either(client.get("/half"))
      expect(yield* count(server, "/half")).toBe(9)
      expect(yield* Effect.flip(client.get("/half"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/half")).toBe(9)
    }))

  it.scoped("a downstream failing half the calls for a minute gets only the probes once the circuit opens", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/half", alternating()]] })
      const client = yield* breakerClient(server, {
        consecutiveFailures: false,
        failureRate: { threshold: 0.5, window: "10 seconds", minimumCalls: 4 },
        breakDuration: "5 seconds",
        halfOpenProbes: 2
      })
      let openedAfter: number | undefined
      let rejected = 0
      // A call every 250 ms of TestClock time, for a minute.
      for (let i = 0; i < 240; i++) {
        const result = yield* Effect.either(client.get("/half"))
        if (result._tag === "Left" && result.left._tag === "CircuitOpen") {
          rejected += 1
          if (openedAfter === undefined) openedAfter = yield* count(server, "/half")
        }
        yield* TestClock.adjust("250 millis")
      }
      // fail, ok, fail: 2 of 3 under the minimum; ok, fail... the 5th call trips it.
      expect(openedAfter).toBe(5)
      // At most two probes per break (one succeeds, the next fails), 12 breaks in a minute.
      const sent = yield* count(server, "/half")
      expect(sent - openedAfter!).toBeLessThanOrEqual(2 * 12)
      expect(sent - openedAfter!).toBeGreaterThan(0)
      expect(rejected + sent).toBe(240)
    }))

  it.scoped("under Retry each attempt counts, and a CircuitOpen is not retried", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const client = yield* breakerClient(server, { consecutiveFailures: 3 }, { retries: 5, baseDelay: 0, budget: false })
      // Three attempts open the circuit; the fourth attempt fails fast and ends the retries.
      expect(yield* Effect.flip(client.get("/down"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/down")).toBe(3)
      expect(yield* Effect.flip(client.get("/down"))).toMatchObject({ _tag: "CircuitOpen" })
      expect(yield* count(server, "/down")).toBe(3)
    }))

  it.scoped("state changes are logged and counted", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/svc", Reply.status(503)]] })
      const client = yield* breakerClient(server, { consecutiveFailures: 1, breakDuration: "1 second" })
      const lines: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      const opened = Metric.tagged(CircuitBreaker.transitions, "state", "open")
      const before = (yield* Metric.value(opened)).count
      const logged = <A, E>(effect: Effect.Effect<A, E>) =>
        Effect.provide(effect, Logger.replace(Logger.defaultLogger, logger))
      yield* logged(Effect.either(client.get("/svc")))
      yield* TestClock.adjust("1 second")
      yield* server.route("GET", "/svc", Reply.json({}))
      yield* logged(client.get("/svc"))
      expect(lines).toEqual([
        "WARN circuit opened: calls fail fast with CircuitOpen",
        "INFO circuit half-open: letting probes through",
        "INFO circuit closed: the probes succeeded"
      ])
      expect((yield* Metric.value(opened)).count).toBe(before + 1)
    }))
})
