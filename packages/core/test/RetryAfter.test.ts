import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as RetryAfter from "../src/RetryAfter.js"

const now = Date.parse("2015-10-21T07:28:00.000Z")
const parse = (value: string) => RetryAfter.parse(value, now)

describe("RetryAfter.parse", () => {
  it("reads delay-seconds, in milliseconds", () => {
    expect(parse("5")).toBe(5000)
    expect(parse("0")).toBe(0)
    expect(parse(" 120 ")).toBe(120_000)
  })

  it("reads any number of digits, even past what a number holds exactly", () => {
    expect(RetryAfter.parse("99999999999999", 0)).toBe(99999999999999000)
    expect(RetryAfter.parse("9".repeat(400), 0)).toBe(Infinity)
  })

  it("reads an HTTP date in its three forms, relative to now; a past one as no wait", () => {
    expect(parse("Wed, 21 Oct 2015 07:28:30 GMT")).toBe(30_000)
    expect(parse("Wednesday, 21-Oct-15 07:29:00 GMT")).toBe(60_000)
    // asctime names no zone: it is GMT whatever the machine's time zone.
    expect(parse("Wed Oct 21 07:28:45 2015")).toBe(45_000)
    expect(parse("Wed Oct  1 07:28:45 2015")).toBe(0)
    expect(parse("Thu, 01 Jan 1970 00:00:00 GMT")).toBe(0)
  })

  it("gives undefined for garbage, a negative or fractional number, an empty value or no header", () => {
    for (const value of ["soon", "-5", "1.5", "5s", "", "  ", "GMT", "5 GMT", "-5 GMT", "Wed, 99 Foo 2015 GMT"]) {
      expect(parse(value), JSON.stringify(value)).toBeUndefined()
    }
    expect(RetryAfter.fromHeaders({}, now)).toBeUndefined()
    expect(RetryAfter.fromHeaders({ "retry-after": "3" }, now)).toBe(3000)
  })

  it("integer seconds and HTTP dates are read, anything else ignored, never a throw", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 9_999_999_999 }).map(String),
          fc.date({ min: new Date(0), max: new Date(4_000_000_000_000) }).map((d) => d.toUTCString()),
          fc.string({ unit: "binary", maxLength: 30 }),
          fc.constantFrom("-1", "1.5", "5 GMT", "", " 12 ", "0x10", "Infinity", "NaN", "1e3")
        ),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (value, at) => {
          const parsed = RetryAfter.parse(value, at)
          if (/^\s*\d{1,10}\s*$/.test(value)) {
            expect(parsed).toBe(Number(value) * 1000)
          } else if (parsed !== undefined) {
            const date = Date.parse(value)
            expect(Number.isNaN(date)).toBe(false)
            expect(value).toMatch(/GMT\s*$/)
            expect(parsed).toBe(Math.max(0, date - at))
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})
