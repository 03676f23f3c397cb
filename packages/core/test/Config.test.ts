import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Config from "../src/Config.js"
import { secretHeaders } from "../src/Redaction.js"

const value = <A>(result: Config.Result<A>): A => {
  if (result._tag === "Problem") throw new Error(result.problem)
  return result.value
}
const problemOf = <A>(result: Config.Result<A>): string | undefined => result._tag === "Problem" ? result.problem : undefined

describe("Config.resolve", () => {
  it("fills in the safe defaults", () => {
    const resolved = value(Config.resolve({}))
    expect(resolved).toMatchObject({
      baseUrl: undefined,
      basePath: "",
      headers: { accept: "application/json, text/plain, */*" },
      maxRedirects: 10,
      allowInsecureRedirects: false,
      maxResponseBytes: 32 * 1024 * 1024,
      maxContentEncodings: 2,
      responseType: "json",
      arrayFormat: "repeat",
      urlCredentials: "refuse"
    })
    expect([...resolved.allowedOrigins]).toEqual([])
    expect([...resolved.credentialHeaders]).toEqual(secretHeaders)
  })

  it("normalises the base path, origins, headers and credential headers", () => {
    const resolved = value(Config.resolve({
      baseUrl: "https://api.test/v1//",
      allowedOrigins: ["https://cdn.test/any/path"],
      headers: { "X-App": " demo " },
      credentialHeaders: ["X-Session"]
    }))
    expect(resolved.basePath).toBe("/v1")
    expect([...resolved.allowedOrigins]).toEqual(["https://cdn.test"])
    expect(resolved.headers["x-app"]).toBe("demo")
    expect(resolved.credentialHeaders.has("x-session")).toBe(true)
  })

  it("names the option in each problem, and never shows a URL that may hold credentials", () => {
    expect(problemOf(Config.resolve({ baseUrl: "ftp://h.test" }))).toBe("baseUrl: \"ftp://h.test/\" must use http or https, not ftp:")
    expect(problemOf(Config.resolve({ baseUrl: "https://u:p@h.test" }))).toMatch(/^baseUrl: must not embed credentials/)
    expect(problemOf(Config.resolve({ baseUrl: "//u:secret@nowhere" }))).toBe("baseUrl: (value not shown) is not an absolute URL")
    expect(problemOf(Config.resolve({ headers: { "x-a": "1\r\n" } }))).toMatch(/^default header x-a: /)
    expect(problemOf(Config.resolve({ maxRedirects: -1 }))).toBe("maxRedirects: -1 is not a whole number of at least 0")
    expect(problemOf(Config.resolve({ maxResponseBytes: 1.5 }))).toMatch(/^maxResponseBytes: /)
    expect(problemOf(Config.resolve({ allowedOrigins: ["file:///x"] }))).toMatch(/^allowedOrigins: /)
    expect(problemOf(Config.resolve({ credentialHeaders: ["bad header"] }))).toMatch(/^credentialHeaders: /)
  })
})

describe("Config environment values", () => {
  it("reads booleans by their usual spellings only", () => {
    for (const text of ["true", "yes", "on", "1"]) expect(value(Config.parseBoolean(text))).toBe(true)
    for (const text of ["false", "no", "off", "0"]) expect(value(Config.parseBoolean(text))).toBe(false)
    for (const text of ["TRUE", "", "toString", "__proto__", "2"]) expect(problemOf(Config.parseBoolean(text))).toBeDefined()
  })

  it("a count is any text Number reads as a safe whole number of at least 0", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat().map(String), fc.string({ maxLength: 8 }), fc.constantFrom("-1", "1.5", "1e3", " 7 ", "", "0x10", "9007199254740993")), (text) => {
        const result = Config.parseCount(text)
        const n = Number(text)
        if (text.trim() !== "" && Number.isSafeInteger(n) && n >= 0) expect(value(result)).toBe(n)
        else expect(problemOf(result)).toContain("is not a whole number of at least 0")
      }),
      { numRuns: 300 }
    )
  })
})

describe("Config.mergeOptions", () => {
  it("the overrides win field by field; undefined does not erase; timeouts and headers merge", () => {
    const merged = Config.mergeOptions<Config.Options & { readonly timeouts?: Record<string, number> }>(
      { baseUrl: "https://env.test", maxRedirects: 3, timeouts: { total: 1, send: 2 }, headers: { a: "1" } },
      { baseUrl: undefined, maxRedirects: 5, timeouts: { total: 9 }, headers: { b: "2" } }
    )
    expect(merged).toEqual({ baseUrl: "https://env.test", maxRedirects: 5, timeouts: { total: 9, send: 2 }, headers: { a: "1", b: "2" } })
  })
})
