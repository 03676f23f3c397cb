import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

// This kit turns every effect 4 `Duration.Input` into milliseconds as the
// reply is built; the wire behaviour of the replies is the engine's, tested
// in packages/core/test/testkit.

describe("Reply durations", () => {
  it("are stored in milliseconds, from any Duration.Input", () => {
    expect(Reply.drip({ chunk: "x", interval: "60 millis", count: 1 }).intervalMillis).toBe(60)
    expect(Reply.delay("2 seconds", Reply.stall).millis).toBe(2_000)
    expect(Reply.delay(Duration.minutes(1))(Reply.stall).millis).toBe(60_000)
    expect(Reply.delay("Infinity", Reply.stall).millis).toBe(Infinity)
  })

  it.live("hold the answer back on a live server for as long as they say", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/late", Reply.delay(Duration.millis(150), Reply.text("late"))]] })
      const started = performance.now()
      const text = yield* Effect.promise(() => fetch(`${server.url}/late`).then((response) => response.text()))
      expect(text).toBe("late")
      expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    }))
})
