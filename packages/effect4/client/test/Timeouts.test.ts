import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as net from "node:net"
import * as Body from "../src/Body.js"
import * as CourierRequest from "../src/CourierRequest.js"
import { fromCause } from "../src/internal/transport/failure.js"
import { client } from "./support.js"

// Live timers with wide margins: each test asserts the phase that ran out,
// and that the call ended long before the other timers could have.
const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = Date.now()
    const result = yield* effect
    return [result, Date.now() - started] as const
  })

describe("timeouts", () => {
  it.live("receive: no head within the receive timeout", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.stall]] })
      const c = yield* client({ baseUrl: s.url, timeouts: { receive: "300 millis", total: "30 seconds" } })
      const [error, ms] = yield* elapsed(Effect.flip(c.get("/")))
      expect(error._tag === "Timeout" && error.phase).toBe("receive")
      expect(error._tag === "Timeout" && Duration.toMillis(error.duration)).toBe(300)
      expect(ms).toBeLessThan(15_000)
    }).pipe(Effect.scoped))

  it.live("receive: silence between two body chunks", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.drip({ chunk: "a", interval: "20 seconds", count: 2 })]] })
      const c = yield* client({ baseUrl: s.url, timeouts: { receive: "300 millis", total: "30 seconds" } })
      const error = yield* Effect.flip(c.get("/", { responseType: "text" }))
      expect(error._tag === "Timeout" && error.phase).toBe("receive")
    }).pipe(Effect.scoped))

  it.live("total: the deadline ends a slow answer, whatever the receive timeout", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.delay("20 seconds", Reply.json({}))]] })
      const c = yield* client({ baseUrl: s.url, timeouts: { receive: "30 seconds", total: "400 millis" } })
      const [error, ms] = yield* elapsed(Effect.flip(c.get("/")))
      expect(error._tag === "Timeout" && error.phase).toBe("total")
      expect(ms).toBeLessThan(15_000)
      expect(yield* s.awaitNoRequestsInFlight("5 seconds")).toBe(true)
    }).pipe(Effect.scoped))

  it.live("total: one deadline over the body read", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.drip({ chunk: "a", interval: "50 millis", count: 10_000 })]]
      })
      const c = yield* client({ baseUrl: s.url, timeouts: { receive: "5 seconds", total: "500 millis" } })
      const error = yield* Effect.flip(c.get("/", { responseType: "text" }))
      expect(error._tag === "Timeout" && error.phase).toBe("total")
      const streamed = yield* Effect.flip(Stream.runDrain(c.stream("GET", "/")))
      expect(streamed._tag === "Timeout" && streamed.phase).toBe("total")
    }).pipe(Effect.scoped))

  it.live("total: one deadline over every redirect hop", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/loop", Reply.delay("150 millis", Reply.redirect(302, "/loop"))]]
      })
      const c = yield* client({ baseUrl: s.url, maxRedirects: 100, timeouts: { receive: "5 seconds", total: "700 millis" } })
      const error = yield* Effect.flip(c.get("/loop"))
      expect(error._tag === "Timeout" && error.phase).toBe("total")
      expect(error.request.redirects).toBeGreaterThan(0)
      expect((yield* s.journal).length).toBeLessThan(10)
    }).pipe(Effect.scoped))

  it.live("send: an upload that stops", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["POST", "/", Reply.stall]] })
      const c = yield* client({ baseUrl: s.url, timeouts: { send: "300 millis", receive: "30 seconds", total: "30 seconds" } })
      const body = Body.stream(Stream.concat(Stream.make(new TextEncoder().encode("start")), Stream.never))
      const [error, ms] = yield* elapsed(Effect.flip(c.post("/", { body })))
      expect(error._tag === "Timeout" && error.phase).toBe("send")
      expect(ms).toBeLessThan(15_000)
    }).pipe(Effect.scoped))

  it.live("interrupting a call aborts its request", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.stall]] })
      const c = yield* client({ baseUrl: s.url })
      const fiber = yield* Effect.forkChild(c.get("/"))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(fiber)
      expect(yield* s.awaitNoRequestsInFlight("5 seconds")).toBe(true)
    }).pipe(Effect.scoped))

  it.effect("the deadline is fixed when the request is prepared: past it, nothing is sent (TestClock)", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.json({})]] })
      const c = yield* client({ baseUrl: s.url, timeouts: { total: "10 seconds" } })
      const request = yield* c.prepare("GET", "/")
      expect(Duration.toMillis(yield* CourierRequest.remaining(request))).toBe(10_000)
      yield* TestClock.adjust("4 seconds")
      expect(Duration.toMillis(yield* CourierRequest.remaining(request))).toBe(6_000)
      yield* TestClock.adjust("6 seconds")
      expect(Duration.toMillis(yield* CourierRequest.remaining(request))).toBe(0)
      const error = yield* Effect.flip(c.execute(request))
      expect(error._tag === "Timeout" && error.phase).toBe("total")
      expect(yield* s.journal).toHaveLength(0)
      const none = yield* client({ baseUrl: s.url, timeouts: { total: Duration.infinity } })
      expect(Duration.isFinite(yield* CourierRequest.remaining(yield* none.prepare("GET", "/")))).toBe(false)
    }).pipe(Effect.scoped))

  it.live("connect: a TLS handshake that never completes", () =>
    Effect.gen(function*() {
      // A TCP listener that accepts and stays silent: the socket connects, the
      // TLS session never does, and undici's connector counts both.
      const port = yield* Effect.acquireRelease(
        Effect.callback<{ readonly server: net.Server; readonly sockets: Set<net.Socket> }>((resume) => {
          const sockets = new Set<net.Socket>()
          const server = net.createServer((socket) => {
            sockets.add(socket)
            socket.on("error", () => {})
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
        }),
        ({ server, sockets }) => Effect.sync(() => {
          sockets.forEach((socket) => socket.destroy())
          server.close()
        })
      ).pipe(Effect.map(({ server }) => (server.address() as net.AddressInfo).port))
      const c = yield* client({ timeouts: { connect: "300 millis", receive: "30 seconds", total: "30 seconds" } })
      const [error, ms] = yield* elapsed(Effect.flip(c.get(`https://127.0.0.1:${port}/`)))
      expect(error._tag === "Timeout" && error.phase).toBe("connect")
      expect(error._tag === "Timeout" && Duration.toMillis(error.duration)).toBe(300)
      expect(ms).toBeLessThan(15_000)
    }).pipe(Effect.scoped))

  it("undici's connect timeout is the connect phase, with the client's duration", () => {
    const request = { info: { method: "GET", url: "http://x/" }, timeouts: { connect: Duration.seconds(3) } }
    const error = fromCause(request as never, Object.assign(new Error("connect"), { code: "UND_ERR_CONNECT_TIMEOUT" }), undefined)
    expect(error._tag === "Timeout" && error.phase).toBe("connect")
    expect(error._tag === "Timeout" && Duration.toMillis(error.duration)).toBe(3000)
  })
})
