import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Headers from "../src/Headers.js"

const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(""))
const headerName = fc.array(tokenChar, { minLength: 1, maxLength: 12 }).map((chars) => chars.join(""))
  .filter((name) => !Headers.isTransportOwned(name.toLowerCase()) && name.toLowerCase() !== "content-length")
const headerValue = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9)), { maxLength: 16 })
  .map((codes) => String.fromCharCode(...codes))
const ows = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "")

describe("Headers.normalize", () => {
  it("any token name and field value is accepted, lower-cased, the value unchanged but for its outer spaces and tabs", () => {
    fc.assert(
      fc.property(headerName, headerValue, (name, value) => {
        const into: Record<string, string> = {}
        expect(Headers.normalize(into, { [name]: value })).toBeUndefined()
        expect(into[name.toLowerCase()]).toBe(ows(value))
      }),
      { numRuns: 300 }
    )
  })

  it("a value or name holding CR, LF or NUL (or any other control but tab) is refused, and never shown", () => {
    fc.assert(
      fc.property(
        headerName,
        headerValue,
        fc.constantFrom("\r", "\n", "\r\n", "\u0000", "\u0001", "\u007f", "\u001b"),
        fc.boolean(),
        (name, value, control, inName) => {
          const input = inName ? { [`${name}${control}x`]: "v" } : { [name]: `${value}${control}S3CRET` }
          const problem = Headers.normalize({}, input)
          expect(problem).toBeDefined()
          expect(JSON.stringify(problem)).not.toContain("S3CRET")
        }
      ),
      { numRuns: 300 }
    )
  })

  it("refuses headers the transport owns and a content-length that is not a number; undefined removes", () => {
    expect(Headers.normalize({}, { "Transfer-Encoding": "chunked" })).toMatchObject({ name: "transfer-encoding" })
    expect(Headers.normalize({}, { "content-length": "-1" })).toMatchObject({ name: "content-length" })
    const into: Record<string, string> = { accept: "a" }
    expect(Headers.normalize(into, { Accept: undefined, "Content-Length": " 12 " })).toBeUndefined()
    expect(into).toEqual({ "content-length": "12" })
  })

  it("keeps obs-text such as U+00A0 at the ends of a value", () => {
    const into: Record<string, string> = {}
    Headers.normalize(into, { x: "\u00a0v\t " })
    expect(into["x"]).toBe("\u00a0v")
  })
})

describe("Headers.normalizeMethod", () => {
  it("upper-cases the standard methods, keeps other tokens as given, refuses CONNECT and non-tokens", () => {
    expect(Headers.normalizeMethod("get")).toBe("GET")
    expect(Headers.normalizeMethod("Propfind")).toBe("Propfind")
    expect(Headers.normalizeMethod("CONNECT")).toBeUndefined()
    expect(Headers.normalizeMethod("GET /x")).toBeUndefined()
  })

  it("any string is a token (kept, same letters) or refused", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 10 }), (method) => {
        const result = Headers.normalizeMethod(method)
        if (result === undefined) return
        expect(method).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/)
        expect(result.toUpperCase()).toBe(method.toUpperCase())
      }),
      { numRuns: 300 }
    )
  })
})
