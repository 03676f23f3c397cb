import { FaultServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { connectOutcome, get, inFlightReaches } from "./helpers.js"

// What this kit adds to the engine's fault server (whose faults are tested
// byte by byte in packages/core/test/testkit): durations as `Duration`s,
// turned into milliseconds when a route is registered, and a scoped lifetime.

describe("FaultServer (effect 3 kit)", () => {
  it("keeps its durations as Duration values", () => {
    expect(FaultServer.drip("30 millis").interval).toEqual(Duration.millis(30))
    expect(FaultServer.endlessHeaders({ interval: "1 second" }).interval).toEqual(Duration.seconds(1))
    expect(FaultServer.answerEarly(413, { linger: Duration.millis(5) }).linger).toEqual(Duration.millis(5))
    // The defaults are the engine's, in Duration form.
    expect(Duration.toMillis(FaultServer.endlessHeaders().interval)).toBe(20)
  })

  it.live("a drip interval reaches the server as milliseconds", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["GET", "/d", FaultServer.drip("40 millis", "abcd")]] })
      const started = performance.now()
      expect((yield* get(`${server.url}/d`)).body).toBe("abcd")
      // Four bytes, one per 40 ms interval; a generous lower bound only.
      expect(performance.now() - started).toBeGreaterThanOrEqual(120)
      expect(yield* server.journal).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("closing the scope ends a stalled exchange and the listener", () =>
    Effect.gen(function*() {
      const { port, stall } = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* FaultServer.make({ routes: [["GET", "/stall", FaultServer.stallHeaders]] })
        const stall = yield* Effect.fork(Effect.either(get(`${server.url}/stall`)))
        yield* inFlightReaches(server, 1)
        return { port: server.port, stall }
      }))
      const stalled = yield* Fiber.join(stall)
      expect(Either.isLeft(stalled) && stalled.left.code).toBe("ECONNRESET")
      expect(yield* connectOutcome(port)).toBe("ECONNREFUSED")
    }))
})
