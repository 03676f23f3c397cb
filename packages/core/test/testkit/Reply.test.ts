import { describe, expect, it } from "vitest"
import * as Reply from "../../src/testkit/Reply.js"

describe("Reply.resolve", () => {
  it("walks sequences, delays and ignoreBody to the reply that acts, one sequence step per request", () => {
    const reply = Reply.sequence([
      Reply.delay(100, Reply.ignoreBody(Reply.delay(50, Reply.status(503)))),
      Reply.sequence([Reply.text("a"), Reply.text("b")])
    ])
    const counters = new Map<Reply.Sequence, number>()
    const first = Reply.resolve(reply, counters)
    expect(first).toEqual({ delayMillis: 150, readBody: false, terminal: Reply.status(503) })
    expect(Reply.resolve(reply, counters)).toEqual({ delayMillis: 0, readBody: true, terminal: Reply.text("a") })
    // The outer sequence repeats its last step, whose own sequence moves on.
    expect(Reply.resolve(reply, counters).terminal).toEqual(Reply.text("b"))
    expect(Reply.resolve(reply, counters).terminal).toEqual(Reply.text("b"))
    // Fresh counters (a new registration) start over.
    expect(Reply.resolve(reply, new Map()).delayMillis).toBe(150)
  })

  it("an empty sequence, or one nested in itself, answers 500 instead of looping", () => {
    expect(Reply.resolve(Reply.sequence([]), new Map()).terminal).toMatchObject({ _tag: "Respond", status: 500 })
    const steps: Array<Reply.Reply> = []
    const loop: Reply.Sequence = { _tag: "Sequence", replies: steps }
    steps.push(loop)
    expect(Reply.resolve(loop, new Map()).terminal).toMatchObject({ _tag: "Respond", status: 500 })
  })

  it("constructors take milliseconds and normalize what they are given", () => {
    const drip = Reply.drip({ chunk: "x", intervalMillis: 25, count: 2.7, headers: { "X-A": "1" } })
    expect(drip).toMatchObject({ intervalMillis: 25, count: 2, headers: { "content-type": "text/plain; charset=utf-8", "x-a": "1" } })
    expect(Reply.delay(Infinity, Reply.stall).millis).toBe(Infinity)
    expect(Reply.closeMidBody({ declaredLength: 3, body: "abcdef" }).body).toEqual(new TextEncoder().encode("ab"))
  })
})
