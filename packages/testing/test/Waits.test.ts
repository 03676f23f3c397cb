import { CourierClient } from "@courier/client"
import { FaultServer, Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { inFlightReaches } from "./helpers.js"

// What the waits mean with the kit's TestClient, whose pool keeps a
// keep-alive socket open after a successful call and closes it with its
// scope. The waits themselves are the engine's (packages/core/test/testkit).

/** Runs `use` with a Courier client on `url`; the client (and its pool) is closed when `use` ends. */
const withClient = <A, E>(
  server: { readonly url: string },
  use: (client: CourierClient.Service) => Effect.Effect<A, E>
) =>
  Effect.scoped(
    Effect.flatMap(
      Effect.orDie(Layer.build(TestClient.layerFor(server as TestServer.Service, {}, "node"))),
      (context) => use(Context.get(context, CourierClient.CourierClient))
    )
  )

const servers = [
  ["TestServer", () => TestServer.make({ routes: [["GET", "/todos", Reply.json([])], ["GET", "/stall", Reply.stall]] })],
  ["FaultServer", () =>
    FaultServer.make({ routes: [["GET", "/todos", FaultServer.json([])], ["GET", "/stall", FaultServer.stallHeaders]] })]
] as const

for (const [name, make] of servers) {
  describe(`${name} waits with TestClient`, () => {
    it.scopedLive("after a successful call the pooled socket stays open until the client's scope closes", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* withClient(server, (client) =>
          Effect.gen(function*() {
            yield* client.get("/todos")
            expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
            expect(yield* server.inFlight).toBe(0)
            expect(yield* server.awaitNoConnections("100 millis")).toBe(false)
          }))
        // The client's scope is closed: its pool closed the socket.
        expect(yield* server.awaitNoConnections("2 seconds")).toBe(true)
        expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      }))

    it.scopedLive("a stalled answer is in flight until the call is interrupted", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* withClient(server, (client) =>
          Effect.gen(function*() {
            const call = yield* Effect.fork(client.get("/stall"))
            yield* inFlightReaches(server, 1)
            expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
            yield* Fiber.interrupt(call)
            expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
          }))
      }))

    it.scopedLive("requests(path?query) sees the query the client encoded", () =>
      Effect.gen(function*() {
        const server = yield* make()
        yield* withClient(server, (client) =>
          Effect.gen(function*() {
            yield* client.get("/todos", { query: { userId: 1 } })
            yield* client.get("/todos", { query: { userId: 2 } })
          }))
        expect(yield* server.requests("/todos")).toHaveLength(2)
        expect((yield* server.requests("/todos?userId=1")).map((entry) => entry.path)).toEqual(["/todos?userId=1"])
        expect(yield* server.requests("/todos?userId=3")).toHaveLength(0)
      }))
  })
}
