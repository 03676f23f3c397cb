import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Bytes from "../src/Bytes.js"

const chunk = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: 16 * 1024, max: 40 * 1024 }).map((n) => new Uint8Array(n).fill(n % 251)),
  // A small view on a large buffer, as a parser hands out.
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((bytes) => {
    const buffer = new Uint8Array(64 * 1024)
    buffer.set(bytes, 100)
    return buffer.subarray(100, 100 + bytes.length)
  })
)

describe("Bytes.Collector", () => {
  it("gives back exactly the bytes pushed, in order, whatever the chunking", () => {
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 20 }), (chunks) => {
        const collector = new Bytes.Collector()
        for (const c of chunks) collector.push(c)
        const expected = Buffer.concat(chunks)
        expect(collector.size).toBe(expected.byteLength)
        const bytes = collector.bytes()
        expect(bytes.constructor).toBe(Uint8Array)
        expect(Buffer.from(bytes).equals(expected)).toBe(true)
        expect(collector.size).toBe(0)
      }),
      { numRuns: 200 }
    )
  })

  it("does not keep a small view's whole buffer", () => {
    const collector = new Bytes.Collector()
    const big = new Uint8Array(1024 * 1024)
    collector.push(big.subarray(0, 10))
    collector.push(big.subarray(10, 20))
    const parts = collector.take()
    expect(parts.every((part) => part.buffer.byteLength < big.byteLength)).toBe(true)
  })
})

describe("Bytes.concat and Bytes.plain", () => {
  it("a lone chunk is returned as a plain view without a copy", () => {
    const buffer = Buffer.from("abc")
    const out = Bytes.concat([buffer])
    expect(out.constructor).toBe(Uint8Array)
    expect(out.buffer).toBe(buffer.buffer)
    expect(Bytes.plain(out)).toBe(out)
    expect([...Bytes.concat([Uint8Array.of(1), Uint8Array.of(2, 3)])]).toEqual([1, 2, 3])
  })
})
