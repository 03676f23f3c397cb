import { describe, expect, it } from "vitest"
import * as TokenFile from "../src/TokenFile.js"

describe("TokenFile", () => {
  it("reads the entries that are tokens and skips the rest", () => {
    const entries = TokenFile.parse(JSON.stringify({
      a: { accessToken: "x", refreshToken: "y", expiresAt: 5 },
      b: { accessToken: 1 },
      c: "nope",
      d: { accessToken: "z", expiresAt: "later" }
    }))
    expect(entries).toEqual({ a: { accessToken: "x", refreshToken: "y", expiresAt: 5 }, d: { accessToken: "z", refreshToken: undefined } })
    expect(TokenFile.parse("[]")).toEqual({})
  })

  it("refuses a file that is not JSON without quoting it", () => {
    expect(() => TokenFile.parse(`{"a":{"accessToken":"secret-1f2e"`)).toThrow(SyntaxError)
    try {
      TokenFile.parse(`{"a":{"accessToken":"secret-1f2e"`)
    } catch (error) {
      expect(String(error)).not.toContain("secret-1f2e")
    }
  })

  it("writes what it reads", () => {
    const entries = { a: { accessToken: "x", refreshToken: "y" } }
    expect(TokenFile.parse(TokenFile.serialize(entries))).toEqual(entries)
    expect(TokenFile.holds({ accessToken: "x", refreshToken: "y" }, { accessToken: "x", refreshToken: "y" })).toBe(true)
    expect(TokenFile.holds({ accessToken: "x", refreshToken: "y" }, { accessToken: "x", refreshToken: undefined })).toBe(false)
  })
})
