import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

// What this kit adds to the engine's replies: durations as effect 3
// `Duration`s, turned into milliseconds when a route is registered. What each
// reply puts on the wire is tested once, in packages/core/test/testkit.

/** Status, body and the ms until the head arrived, through fetch. */
const timedGet = (url: string) =>
  Effect.promise(async () => {
    const started = performance.now()
    const response = await fetch(url)
    const headersAt = performance.now() - started
    return { status: response.status, body: await response.text(), headersAt, endAt: performance.now() - started }
  })

describe("Reply (effect 3 kit)", () => {
  it("keeps its durations as Duration values, from any DurationInput", () => {
    expect(Reply.drip({ chunk: "x", interval: "60 millis", count: 1 }).interval).toEqual(Duration.millis(60))
    expect(Reply.delay("2 seconds", Reply.stall).duration).toEqual(Duration.seconds(2))
    expect(Reply.delay(Duration.minutes(1))(Reply.stall).duration).toEqual(Duration.minutes(1))
    expect(Duration.isFinite(Reply.delay(Duration.infinity, Reply.stall).duration)).toBe(false)
  })

  it.scoped("a delay and a drip interval reach the server as milliseconds", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/slow", Reply.delay("150 millis", Reply.drip({ chunk: "x", interval: "60 millis", count: 3 }))]]
      })
      const slow = yield* timedGet(`${server.url}/slow`)
      expect(slow.body).toBe("xxx")
      expect(slow.headersAt).toBeGreaterThanOrEqual(140)
      // Three intervals of 60 ms after the head; a generous lower bound only.
      expect(slow.endAt - slow.headersAt).toBeGreaterThanOrEqual(100)
    }))

  it.scoped("a sequence reached twice in one route keeps one position; one nested in itself answers 500", () =>
    Effect.gen(function*() {
      const flaky = Reply.sequence([Reply.status(503), Reply.text("ok")])
      const steps: Array<Reply.Reply> = []
      const loop: Reply.Sequence = { _tag: "Sequence", replies: steps }
      steps.push(Reply.delay("1 millis", loop))
      const server = yield* TestServer.make({ routes: [["GET", "/twice", Reply.sequence([flaky, flaky])]] })
      yield* server.route("GET", "/loop", loop)
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* timedGet(`${server.url}/twice`)).status)
      expect(statuses).toEqual([503, 200, 200])
      expect((yield* timedGet(`${server.url}/loop`)).status).toBe(500)
    }))
})
