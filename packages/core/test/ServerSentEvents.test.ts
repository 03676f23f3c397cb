import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Sse from "../src/ServerSentEvents.js"

const parse = (lines: ReadonlyArray<string>, max?: number) => Sse.makeParser(max).push(lines)

describe("ServerSentEvents.makeParser", () => {
  it("reads events, ids, retry and multi-line data; comments and events without data are not dispatched", () => {
    const step = parse([
      "\ufeff: a comment",
      "event: update",
      "data: one",
      "data:two",
      "id: 7",
      "retry: 1500",
      "",
      "event: empty",
      "",
      "data",
      "id: a\u0000b",
      "retry: soon",
      ""
    ])
    expect(step).toEqual({
      events: [
        { event: "update", data: "one\ntwo", id: "7", retry: 1500 },
        { event: "message", data: "", id: "7", retry: 1500 }
      ],
      tooLarge: false
    })
  })

  it("an event not ended by a blank line is not dispatched", () => {
    expect(parse(["data: x"]).events).toEqual([])
  })

  it("the events do not depend on how the lines are grouped", () => {
    const line = fc.oneof(
      fc.constantFrom("", "", "data: a", "data:b", "event: e", "id: 1", "retry: 10", ": c", "data", "bogus: x"),
      fc.string({ maxLength: 10 }).map((s) => `data: ${s}`)
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
        const whole = parse(lines).events
        const parser = Sse.makeParser()
        const points = [...new Set(cuts.map((c) => c % (lines.length + 1)))].sort((a, b) => a - b)
        const events: Array<Sse.Event> = []
        let start = 0
        for (const point of [...points, lines.length]) {
          events.push(...parser.push(lines.slice(start, point)).events)
          start = point
        }
        expect(events).toEqual(whole)
      }),
      { numRuns: 300 }
    )
  })

  it("an event whose data lines together pass the limit is reported after the events before it", () => {
    const step = parse(["data: ok", "", "data: 12345", "data: 12345"], 10)
    expect(step).toEqual({ events: [{ event: "message", data: "ok", id: undefined, retry: undefined }], tooLarge: true })
    // The joining newline counts: two 5-byte lines are 11 bytes of data.
    expect(parse(["data: 12345", "data: 1234", ""], 10).tooLarge).toBe(false)
    expect(parse(["data: 12345", "data: 12345", ""], 10).tooLarge).toBe(true)
  })
})
