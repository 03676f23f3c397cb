import { Body, CourierError, Metrics, Retry } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import * as Net from "node:net"
import { clientWith, hits } from "./layers.js"

// The retry Layer on the wire: a real loopback server scripts the failures,
// its journal says how many attempts reached it, a spy below the Layer the
// attempt numbers. Waits are kept at zero (baseDelay 0) where the test is
// about what is retried; when, on the TestClock, is in RetryPolicy.test.ts.

const fast: Partial<Retry.Policy> = { baseDelay: 0, budget: false }
const ok = Reply.json({ ok: true })

/** A port nothing listens on: bound by the OS, then closed. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describe("Retry on the wire", () => {
  it.live("a GET answered 503, 503, 200 is sent three times, numbered 1, 2, 3", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.status(503), ok])]]
      })
      const { client, seen } = yield* clientWith(server, Retry.layer(fast))
      expect(yield* client.get("/flaky")).toEqual({ ok: true })
      expect(yield* hits(server, "/flaky")).toBe(3)
      expect(seen.attempts).toEqual([1, 2, 3])
    }))

  it.live("a POST without an Idempotency-Key is sent once; with one, again", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/bare", Reply.sequence([Reply.status(503), ok])],
          ["POST", "/keyed", Reply.sequence([Reply.status(503), ok])]
        ]
      })
      const { client } = yield* clientWith(server, Retry.layer(fast))
      const bare = yield* Effect.exit(client.post("/bare", { body: Body.json({ n: 1 }) }))
      expect(Exit.isFailure(bare)).toBe(true)
      expect(yield* hits(server, "/bare")).toBe(1)
      const keyed = yield* client.post("/keyed", { body: Body.json({ n: 1 }), headers: Retry.idempotencyKey() })
      expect(keyed).toEqual({ ok: true })
      const sent = yield* server.requests("/keyed")
      expect(sent).toHaveLength(2)
      // The same key and body on both attempts: the server can tell it is one operation.
      expect(sent[0]!.headers["idempotency-key"]).toBe(sent[1]!.headers["idempotency-key"])
      expect(sent[1]!.bodyText).toBe(`{"n":1}`)
    }))

  it.live("a POST whose connection was refused is retried: nothing was sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const port = yield* closedPort
      const { client, seen } = yield* clientWith(server, Retry.layer(fast), undefined, {
        allowedOrigins: [`http://127.0.0.1:${port}`]
      })
      const exit = yield* Effect.exit(client.post(`http://127.0.0.1:${port}/x`, { body: Body.json({}) }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(seen.attempts).toEqual([1, 2, 3])
    }))

  it.live("a 404 and a bare POST's 500 are not retried; other statuses per the policy", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/missing", Reply.status(404)],
          ["GET", "/teapot", Reply.sequence([Reply.status(418), ok])]
        ]
      })
      const { client } = yield* clientWith(server, Retry.layer({ ...fast, statuses: [418] }))
      const missing = yield* Effect.flip(client.get("/missing"))
      expect(missing._tag).toBe("BadResponse")
      expect(yield* hits(server, "/missing")).toBe(1)
      expect(yield* client.get("/teapot")).toEqual({ ok: true })
      expect(yield* hits(server, "/teapot")).toBe(2)
    }))

  it.live("Retry-After is honoured; one past maxRetryAfter fails at once with the last failure", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/slow-down", Reply.sequence([Reply.status(429, { headers: { "retry-after": "1" } }), ok])],
          ["GET", "/go-away", Reply.status(503, { headers: { "retry-after": "3600" } })]
        ]
      })
      const { client } = yield* clientWith(server, Retry.layer({ budget: false, maxRetryAfter: "10 seconds" }))
      const started = Date.now()
      expect(yield* client.get("/slow-down")).toEqual({ ok: true })
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      const quick = Date.now()
      const error = yield* Effect.flip(client.get("/go-away"))
      expect(error._tag).toBe("BadResponse")
      expect(Date.now() - quick).toBeLessThan(900)
      expect(yield* hits(server, "/go-away")).toBe(1)
    }))

  it.live("no wait past the call's total timeout: the last failure comes back before it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503, { headers: { "retry-after": "5" } })]] })
      const { client } = yield* clientWith(server, Retry.layer({ budget: false }), undefined, { timeouts: { total: "2 seconds" } })
      const started = Date.now()
      const error = yield* Effect.flip(client.get("/down"))
      expect(error._tag).toBe("BadResponse")
      expect(Date.now() - started).toBeLessThan(1500)
      expect(yield* hits(server, "/down")).toBe(1)
    }))

  it.live("the budget is shared by the Layer's calls", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const { client } = yield* clientWith(
        server,
        Retry.layer({ baseDelay: 0, retries: 5, budget: { ratio: 0, window: "10 seconds", minPerSecond: 0.2 } })
      )
      yield* Effect.flip(client.get("/down"))
      yield* Effect.flip(client.get("/down"))
      // A floor of two retries in the window, whatever the calls asked for.
      expect(yield* hits(server, "/down")).toBe(4)
    }))

  it.live("Retry.disabled and withPolicy change one call; retries are counted", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/down", Reply.status(503)]] })
      const { client } = yield* clientWith(server, Retry.layer(fast))
      const before = (yield* Metric.value(Metrics.retries)).count
      yield* Effect.flip(Retry.disabled(client.get("/down")))
      expect(yield* hits(server, "/down")).toBe(1)
      yield* Effect.flip(client.get("/down").pipe(Retry.withPolicy({ retries: 4 })))
      expect(yield* hits(server, "/down")).toBe(6)
      expect((yield* Metric.value(Metrics.retries)).count - before).toBe(4)
    }))

  it.live("a one-shot stream body is sent once; a replayable one is built anew for each attempt", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["PUT", "/once", Reply.sequence([Reply.status(503), ok])],
          ["PUT", "/again", Reply.sequence([Reply.status(503), ok])]
        ]
      })
      const { client } = yield* clientWith(server, Retry.layer(fast))
      const chunk = new TextEncoder().encode("payload")
      const once = yield* Effect.flip(client.put("/once", { body: Body.stream(Stream.make(chunk)) }))
      expect(once._tag).toBe("BadResponse")
      expect(yield* hits(server, "/once")).toBe(1)
      let built = 0
      const again = Body.replayableStream(() => {
        built += 1
        return Stream.make(chunk)
      })
      expect(yield* client.put("/again", { body: again })).toEqual({ ok: true })
      const sent = yield* server.requests("/again")
      expect(sent.map((entry) => entry.bodyText)).toEqual(["payload", "payload"])
      expect(built).toBe(2)
    }))

  it.live("a policy that cannot be used fails the Layer, or the call before anything is sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", ok]] })
      const broken = yield* Effect.exit(clientWith(server, Retry.layer({ baseDelay: "soon" as never })))
      expect(Exit.isFailure(broken)).toBe(true)
      if (Exit.isFailure(broken)) expect(String(broken.cause)).toContain("baseDelay")
      const { client } = yield* clientWith(server, Retry.layer(fast))
      const refused = yield* Effect.flip(client.get("/x").pipe(Retry.withPolicy({ maxDelay: "later" as never })))
      expect(refused).toBeInstanceOf(CourierError.RequestRefused)
      expect(yield* hits(server, "/x")).toBe(0)
    }))
})

