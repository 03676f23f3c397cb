import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Format from "../src/Format.js"
import * as Progress from "../src/Progress.js"
import type * as Stdio from "../src/Stdio.js"

const capture = (isTTY: boolean) => {
  const written: Array<string> = []
  const out: Stdio.Output = {
    isTTY,
    colour: false,
    columns: () => 100,
    write: (chunk) => Effect.sync(() => void written.push(String(chunk))),
    unsafeWrite: (chunk) => void written.push(chunk)
  }
  return { out, written }
}

describe("Progress", () => {
  it.effect("plain lines come at most once a second", () =>
    Effect.gen(function*() {
      const { out, written } = capture(false)
      const meter = yield* Progress.make({ label: "download", mode: "lines", out })
      yield* meter.update({ transferred: 0, total: 4096 })
      yield* TestClock.adjust("500 millis")
      yield* meter.update({ transferred: 1024, total: 4096 })
      expect(written).toEqual(["courier: download 0% 0 B of 4.0 KiB\n"])
      yield* TestClock.adjust("500 millis")
      yield* meter.update({ transferred: 2048, total: 4096 })
      expect(written).toHaveLength(2)
      expect(written[1]).toBe("courier: download 50% 2.0 KiB of 4.0 KiB at 2.0 KiB/s\n")
      yield* meter.end
      expect(written).toHaveLength(2)
    }))

  it.effect("the bar redraws in place and ends its line once", () =>
    Effect.gen(function*() {
      const { out, written } = capture(true)
      const meter = yield* Progress.make({ label: "download", mode: "bar", out })
      yield* meter.update({ transferred: 0, total: 2048 })
      yield* TestClock.adjust("1 second")
      yield* meter.update({ transferred: 2048, total: 2048 })
      yield* meter.end
      yield* meter.end
      expect(written.every((chunk) => chunk === "\n" || chunk.startsWith("\r"))).toBe(true)
      expect(written.filter((chunk) => chunk === "\n")).toHaveLength(1)
      expect(written.at(-2)).toContain("100%  2.0 KiB / 2.0 KiB")
    }))

  it.effect("nothing in quiet mode", () =>
    Effect.gen(function*() {
      const { out, written } = capture(true)
      const meter = yield* Progress.make({ label: "upload", mode: "none", out })
      yield* meter.update({ transferred: 10, total: 20 })
      yield* meter.end
      expect(written).toEqual([])
    }))

  it("fits the bar to the terminal and copes with an unknown total", () => {
    const line = Progress.barLine("download", { transferred: 512, total: 1024 }, 256, 80)
    expect(line.length).toBeLessThan(80)
    expect(line).toMatch(/^download  \[█+░+\]  50%  512 B \/ 1\.0 KiB  256 B\/s  eta 2\.0 s$/)
    expect(Progress.barLine("download", { transferred: 5000, total: undefined }, 1000, 80)).toBe(
      "download  4.9 KiB  1000 B/s"
    )
  })
})

describe("Format", () => {
  it("pretty-prints JSON like JSON.stringify, coloured only when asked", () => {
    const value = { a: [1, "x", null, true], b: {}, c: [], d: { e: -1.5 } }
    expect(Format.json(value, Format.plain)).toBe(JSON.stringify(value, null, 2))
    expect(Format.json(value, Format.colours)).toContain("\x1b[1;34m\"a\"\x1b[0m")
  })

  it("knows JSON content types", () => {
    expect(Format.isJsonContentType("application/json; charset=utf-8")).toBe(true)
    expect(Format.isJsonContentType("application/problem+json")).toBe(true)
    expect(Format.isJsonContentType("text/html")).toBe(false)
    expect(Format.isJsonContentType("application/jsonl")).toBe(false)
    expect(Format.isJsonContentType(undefined)).toBe(false)
  })
})
