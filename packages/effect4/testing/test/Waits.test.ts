import { FaultServer, Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Http from "node:http"
import { eventually, raw } from "./helpers.js"

// What the waits mean with a client whose pool keeps a keep-alive socket
// open after a successful call (a node:http Agent here), on both servers.

const keepAliveAgent = Effect.acquireRelease(
  Effect.sync(() => new Http.Agent({ keepAlive: true, maxSockets: 1 })),
  (agent) => Effect.sync(() => agent.destroy())
)

const servers = [
  ["TestServer", () => TestServer.make({ routes: [["GET", "/todos", Reply.json([])], ["GET", "/stall", Reply.stall]] })],
  ["FaultServer", () =>
    FaultServer.make({ routes: [["GET", "/todos", FaultServer.json([])], ["GET", "/stall", FaultServer.stallHeaders]] })]
] as const

for (const [name, make] of servers) {
  describe(`${name} waits`, () => {
    it.live("after a successful call: no request in flight, but the pooled socket is still open", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* Effect.scoped(Effect.gen(function*() {
          const agent = yield* keepAliveAgent
          expect((yield* raw(`${server.url}/todos`, { agent })).status).toBe(200)
          expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
          expect(yield* server.inFlight).toBe(0)
          expect(yield* server.awaitNoConnections("100 millis")).toBe(false)
        }))
        // The agent is destroyed: its pool closed the socket.
        expect(yield* server.awaitNoConnections("2 seconds")).toBe(true)
        expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      }))

    it.live("a stalled answer is in flight until the call gives up", () =>
      Effect.gen(function*() {
        const server = yield* make()
        const call = yield* Effect.forkChild(raw(`${server.url}/stall`))
        yield* eventually(server.inFlight, (n) => n === 1)
        expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
        yield* Fiber.interrupt(call)
        expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
      }))

    it.effect("a wait's timeout runs on the wall clock under TestClock", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* Effect.forkChild(raw(`${server.url}/stall`))
        yield* eventually(server.inFlight, (n) => n === 1)
        // The TestClock never moves here; the wait still ends after its 100 ms.
        expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
      }))

    it.live("requests(path) matches the pathname, or the path and query when it has one", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* raw(`${server.url}/todos?userId=1`)
        yield* raw(`${server.url}/todos?userId=2`)
        expect(yield* server.requests("/todos")).toHaveLength(2)
        const [first] = yield* server.requests("/todos?userId=1")
        expect(first?.path).toBe("/todos?userId=1")
        expect(yield* server.requests("/todos?userId=1")).toHaveLength(1)
        expect(yield* server.requests("/todos?userId=3")).toHaveLength(0)
      }))
  })
}

describe("layers", () => {
  it.effect("FaultServer.layer provides a running server", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.FaultServer
      const response = yield* raw(`${server.url}/hello`)
      expect(response.body.toString()).toBe("{\"ok\":true}")
    }).pipe(Effect.provide(FaultServer.layer({ routes: [["GET", "/hello", FaultServer.json({ ok: true })]] }))))
})
