import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Net from "node:net"
import { connectOutcome, get, inFlightReaches } from "./helpers.js"

// What this kit adds to the engine's server (tested in
// packages/core/test/testkit): a scoped lifetime, the journal and counts as
// Effects, waits that take a Duration and run on the wall clock, and a Layer.

describe("TestServer (effect 3 kit)", () => {
  it.scoped("exposes the engine's address, with origin as the url", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.origin).toBe(server.url)
    }))

  it.scoped("journal, requests and counts are Effects that read the server each time they run", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/a", Reply.text("a")]] })
      const { journal, totalConnections } = server
      expect(yield* journal).toHaveLength(0)
      yield* get(`${server.url}/a?x=1`)
      yield* server.route("GET", "/b", Reply.text("b"))
      expect((yield* get(`${server.url}/b`)).body).toBe("b")
      expect((yield* journal).map((entry) => entry.path)).toEqual(["/a?x=1", "/b"])
      expect(yield* server.requests("/a")).toHaveLength(1)
      expect(yield* totalConnections).toBe(2)
      yield* server.clearJournal
      expect(yield* journal).toHaveLength(0)
    }))

  it.scoped("waits take a Duration; keepAliveTimeout too", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ keepAliveTimeout: "200 millis", routes: [["GET", "/ping", Reply.text("pong")]] })
      // A raw keep-alive request whose socket the client never closes (an Agent would obey
      // the server's keep-alive hint and close it itself).
      const socket = yield* Effect.acquireRelease(
        Effect.sync(() => Net.connect({ host: "127.0.0.1", port: server.port }).on("error", () => {})),
        (socket) => Effect.sync(() => socket.destroy())
      )
      socket.write("GET /ping HTTP/1.1\r\nhost: x\r\n\r\n")
      yield* Effect.async<void>((resume) => void socket.once("data", () => resume(Effect.void)))
      expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
      expect(yield* server.awaitNoConnections("50 millis")).toBe(false)
      // The server's own 200 ms keep-alive timeout closes the idle socket.
      expect(yield* server.awaitIdle("5 seconds")).toBe(true)
      expect(yield* server.openConnections).toBe(0)
    }))

  it.effect("a wait's timeout runs on the wall clock under TestClock", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/stall", Reply.stall]] })
      yield* Effect.fork(get(`${server.url}/stall`))
      yield* inFlightReaches(server, 1)
      // The TestClock never moves here; the wait still ends after its 100 ms.
      expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
    }).pipe(Effect.scoped))

  it.scoped("closing the scope destroys open connections, pending timers and the listener", () =>
    Effect.gen(function*() {
      const { drip, port, stall } = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/stall", Reply.stall],
            ["GET", "/drip", Reply.drip({ chunk: "x", interval: "10 seconds", count: 3 })]
          ]
        })
        const stall = yield* Effect.fork(Effect.either(get(`${server.url}/stall`)))
        const drip = yield* Effect.fork(Effect.either(get(`${server.url}/drip`)))
        yield* inFlightReaches(server, 2)
        return { drip, port: server.port, stall }
      }))
      const stalled = yield* Fiber.join(stall)
      expect(Either.isLeft(stalled) && stalled.left.code).toBe("ECONNRESET")
      const dripped = yield* Fiber.join(drip)
      expect(Either.isLeft(dripped) && dripped.left.message).toBe("aborted")
      expect(yield* connectOutcome(port)).toBe("ECONNREFUSED")
    }))

  it.scoped("a raw socket left open is destroyed with the scope", () =>
    Effect.gen(function*() {
      const socket = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.make()
        const socket = Net.connect({ host: "127.0.0.1", port: server.port })
        socket.on("error", () => {})
        yield* Effect.async<void>((resume) => void socket.once("connect", () => resume(Effect.void)))
        return socket
      }))
      yield* Effect.async<void>((resume) => {
        if (socket.closed) resume(Effect.void)
        else socket.once("close", () => resume(Effect.void))
      })
      expect(socket.closed).toBe(true)
    }))
})

layer(TestServer.layer({ routes: [["GET", "/hello", Reply.text("hi")]] }))("TestServer.layer", (it) => {
  it.effect("provides a running server", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      expect((yield* get(`${server.url}/hello`)).body).toBe("hi")
    }))

  it.effect("shares it across the suite", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      expect((yield* server.requests("/hello")).length).toBe(1)
    }))
})
