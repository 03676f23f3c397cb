import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Lines from "../src/Lines.js"

const encoder = new TextEncoder()

/** Splits `bytes` at the given cut points (any byte offset, inside a character or a CRLF too). */
const chunked = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let start = 0
  for (const point of points) {
    out.push(bytes.subarray(start, point))
    start = point
  }
  out.push(bytes.subarray(start))
  return out
}

/** Runs a splitter chunk by chunk: the lines, and whether it stopped on a line too long. */
const run = (chunks: ReadonlyArray<Uint8Array>, max: number) => {
  const splitter = Lines.makeSplitter(max)
  const lines: Array<string> = []
  for (const chunk of chunks) {
    const cut = splitter.push([chunk])
    lines.push(...cut.lines)
    if (cut.tooLong) return { lines, tooLong: true }
  }
  const last = splitter.end()
  return { lines: [...lines, ...last.lines], tooLong: last.tooLong }
}

const piece = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("\n", "\r\n", "\r", "é", "😀", "\u2028", "")
)

describe("Lines.makeSplitter", () => {
  it("splits on LF, CRLF and CR, a last line without terminator included", () => {
    expect(run([encoder.encode("a\nb\r\nc\rd")], 100)).toEqual({ lines: ["a", "b", "c", "d"], tooLong: false })
    expect(run([encoder.encode("a\r"), encoder.encode("\nb")], 100)).toEqual({ lines: ["a", "b"], tooLong: false })
    expect(run([encoder.encode("a\r"), encoder.encode("\n\nb")], 100)).toEqual({ lines: ["a", "", "b"], tooLong: false })
  })

  it("the lines do not depend on how the bytes are chunked", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const text = pieces.join("")
        const bytes = encoder.encode(text)
        const whole = run([bytes], 1_000)
        expect(run(chunked(bytes, cuts), 1_000)).toEqual(whole)
        expect(whole.lines).toEqual(text === "" ? [] : text.split(/\r\n|\r|\n/).filter((_, i, all) => i < all.length - 1 || all[i] !== ""))
      }),
      { numRuns: 400 }
    )
  })

  it("a line over the limit (in UTF-8 bytes) is reported after the lines before it, whole or still growing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.string({ maxLength: 16 }).filter((s) => !/[\r\n]/.test(s)), { minLength: 1, maxLength: 6 }), fc.boolean(), (max, lines, terminated) => {
        const text = lines.join("\n") + (terminated ? "\n" : "")
        const result = run([encoder.encode(text)], max)
        const firstTooLong = lines.findIndex((line) => encoder.encode(line).byteLength > max)
        if (firstTooLong === -1) {
          // Without a terminator, an empty last line is no line at all.
          const expected = !terminated && lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines
          expect(result).toEqual({ lines: expected, tooLong: false })
        } else {
          expect(result.tooLong).toBe(true)
          expect(result.lines).toEqual(lines.slice(0, firstTooLong))
        }
      }),
      { numRuns: 400 }
    )
  })

  it("holds no more than the limit of an unfinished line", () => {
    const splitter = Lines.makeSplitter(10)
    expect(splitter.push([encoder.encode("0123456789")])).toEqual({ lines: [], tooLong: false })
    expect(splitter.push([encoder.encode("x")])).toEqual({ lines: [], tooLong: true })
  })

  it("utf8Length counts as TextEncoder does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (text) => {
        expect(Lines.utf8Length(text)).toBe(encoder.encode(text).byteLength)
      })
    )
  })
})
