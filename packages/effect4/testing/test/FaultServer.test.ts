import { FaultServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { dial, fetchText, until } from "./helpers.js"

// Each fault's bytes are the engine's, tested in packages/core/test/testkit;
// this kit converts its Duration.Inputs to milliseconds and ties the server
// to a Scope or a Layer.

describe("FaultServer on effect 4", () => {
  it("turns each Duration.Input into the engine's milliseconds", () => {
    expect(FaultServer.drip("30 millis").intervalMillis).toBe(30)
    expect(FaultServer.endlessHeaders({ interval: Duration.seconds(1) }).intervalMillis).toBe(1_000)
    expect(FaultServer.answerEarly(413, { linger: "5 millis" }).lingerMillis).toBe(5)
  })

  it.live("drips on the wire at the converted interval", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["GET", "/d", FaultServer.drip(Duration.millis(40), "wxyz")]] })
      const started = performance.now()
      expect((yield* fetchText(`${server.url}/d`)).text).toBe("wxyz")
      // One byte per 40 ms; only a generous lower bound.
      expect(performance.now() - started).toBeGreaterThanOrEqual(120)
    }))

  it.live("when its scope closes, a stalled call fails and the port refuses", () =>
    Effect.gen(function*() {
      const [call, port] = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* FaultServer.make({ routes: [["GET", "/s", FaultServer.stallHeaders]] })
        const call = yield* Effect.forkChild(Effect.flip(fetchText(`${server.url}/s`)))
        yield* until(server.inFlight, 1)
        return [call, server.port] as const
      }))
      expect((yield* Fiber.join(call)).message).toBe("fetch failed")
      expect(yield* dial(port)).toBe("ECONNREFUSED")
    }))

  it.effect("layer provides a running server", () =>
    Effect.gen(function*() {
      const { journal, url } = yield* FaultServer.FaultServer
      expect((yield* fetchText(`${url}/hello`)).text).toBe(`{"ok":true}`)
      expect(yield* journal).toHaveLength(1)
    }).pipe(Effect.provide(FaultServer.layer({ routes: [["GET", "/hello", FaultServer.json({ ok: true })]] }))))
})
