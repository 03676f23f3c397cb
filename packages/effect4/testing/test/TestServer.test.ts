import { FaultServer, Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Net from "node:net"
import { dial, fetchText, until } from "./helpers.js"

// The engine under this kit is tested in packages/core/test/testkit. Here:
// a server whose lifetime is a Scope, whose journal and counts are Effects,
// whose waits and keep-alive take a Duration.Input, and the Layers.

describe("TestServer on effect 4", () => {
  it.live("has the engine's url, also as origin", () =>
    Effect.gen(function*() {
      const { origin, port, url } = yield* TestServer.make()
      expect([url, origin]).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port}`])
    }))

  it.live("route, journal, requests, clearJournal and the counts are Effects run when yielded", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const addRoute = server.route("PUT", "/item", Reply.status(202))
      expect((yield* fetchText(`${server.url}/item`, { method: "PUT" })).status).toBe(404)
      yield* addRoute
      expect((yield* fetchText(`${server.url}/item?v=2`, { method: "PUT" })).status).toBe(202)
      const readJournal = server.journal
      expect((yield* readJournal).map(({ method, path }) => `${method} ${path}`)).toEqual(["PUT /item", "PUT /item?v=2"])
      expect(yield* server.requests("/item?v=2")).toHaveLength(1)
      yield* server.clearJournal
      expect(yield* readJournal).toEqual([])
      expect(yield* server.inFlight).toBe(0)
    }))

  it.live("keepAliveTimeout and the waits are Duration.Inputs", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ keepAliveTimeout: "200 millis", routes: [["GET", "/", Reply.text("up")]] })
      // A socket that asks for keep-alive and is never closed by this side.
      const socket = yield* Effect.acquireRelease(
        Effect.callback<Net.Socket>((resume) => {
          const socket = Net.connect({ host: "127.0.0.1", port: server.port })
          socket.on("error", () => {})
          socket.once("data", () => resume(Effect.succeed(socket)))
          socket.write("GET / HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n\r\n")
        }),
        (socket) => Effect.sync(() => socket.destroy())
      )
      expect(socket.destroyed).toBe(false)
      expect(yield* server.openConnections).toBe(1)
      expect(yield* server.awaitNoConnections("50 millis")).toBe(false)
      // Closed by the server once its 200 ms keep-alive passed (node checks it coarsely).
      expect(yield* server.awaitIdle("5 seconds")).toBe(true)
      expect(yield* server.awaitNoRequestsInFlight()).toBe(true)
    }))

  it.effect("a wait's timeout runs on the wall clock under TestClock, on both servers", () =>
    Effect.gen(function*() {
      const test = yield* TestServer.make({ routes: [["GET", "/stall", Reply.stall]] })
      const fault = yield* FaultServer.make({ routes: [["GET", "/stall", FaultServer.stallHeaders]] })
      for (const server of [test, fault]) {
        yield* Effect.forkChild(fetchText(`${server.url}/stall`))
        yield* until(server.inFlight, 1)
        // The TestClock never moves here; the wait still ends after its 100 ms.
        expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
      }
    }))

  it.live("the closing scope destroys the sockets, the drip's timer and the listener", () =>
    Effect.gen(function*() {
      const calls = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/stall", Reply.stall], ["GET", "/drip", Reply.drip({ chunk: ".", interval: "1 minute", count: 2 })]]
        })
        const stall = yield* Effect.forkChild(Effect.result(fetchText(`${server.url}/stall`)))
        const drip = yield* Effect.forkChild(Effect.result(fetchText(`${server.url}/drip`)))
        yield* until(server.inFlight, 2)
        return { stall, drip, port: server.port }
      }))
      const stalled = yield* Fiber.join(calls.stall)
      const dripped = yield* Fiber.join(calls.drip)
      expect(stalled._tag).toBe("Failure")
      expect(dripped._tag).toBe("Failure")
      expect(yield* dial(calls.port)).toBe("ECONNREFUSED")
    }))
})

layer(TestServer.layer({ routes: [["GET", "/hello", Reply.text("hi")]] }))("TestServer.layer", (it) => {
  it.effect("provides a running server", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer.TestServer
      expect((yield* fetchText(`${url}/hello`)).text).toBe("hi")
    }))

  it.effect("shares it across the suite", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      expect(yield* server.requests("/hello")).toHaveLength(1)
    }))
})
