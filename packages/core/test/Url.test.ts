import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Url from "../src/Url.js"

const config = (baseUrl: string | undefined, overrides: Partial<Url.UrlConfig> = {}): Url.UrlConfig => {
  const base = baseUrl === undefined ? undefined : new URL(baseUrl)
  return {
    baseUrl: base,
    basePath: base === undefined ? "" : base.pathname.replace(/\/+$/, ""),
    allowedOrigins: new Set(),
    arrayFormat: "repeat",
    urlCredentials: "refuse",
    ...overrides
  }
}

const isRefusal = (result: Url.Built | Url.Refusal): result is Url.Refusal => "reason" in result

const built = (result: Url.Built | Url.Refusal): Url.Built => {
  if (isRefusal(result)) throw new Error(`refused: ${result.reason}: ${result.detail}`)
  return result
}

const bases = [
  "http://127.0.0.1:8080",
  "http://127.0.0.1:8080/api",
  "https://example.test/a/b/",
  "http://example.test/v1?key=k"
]

const segment = fc.constantFrom("users", "a", "..", ".", "%2e%2e", "%2E", "\\", "/", "//", "?", "#", "@", "evil.test", ":", "%2f", "~", "")
const path = fc.oneof(
  fc.array(segment, { maxLength: 6 }).map((parts) => parts.join("/")),
  fc.array(segment, { maxLength: 6 }).map((parts) => "/" + parts.join("/")),
  fc.string({ maxLength: 30 }),
  fc.constantFrom("//evil.test/x", "\\\\evil.test", "/\\evil.test", "http://evil.test/", "https:evil.test", "javascript:alert(1)", "data:text/plain,x", "HTTP://127.0.0.1:8080/ok")
)
const absoluteOrProtocolRelative = /^(?:[a-zA-Z][a-zA-Z\d+\-.]*:|[\\/]{2})/

describe("Url.build", () => {
  it("joins the base path and a path, a leading slash staying under the base path", () => {
    expect(built(Url.build(config("http://h.test/api/"), "/users", undefined, undefined)).url.href).toBe("http://h.test/api/users")
    expect(built(Url.build(config("http://h.test/api"), "users", undefined, undefined)).url.href).toBe("http://h.test/api/users")
  })

  it("keeps the base URL's query ahead of the request's, and drops the fragment", () => {
    const { url } = built(Url.build(config("http://h.test/v1?key=k"), "/x?a=1#frag", undefined, { b: 2 }))
    expect(url.href).toBe("http://h.test/v1/x?key=k&a=1&b=2")
  })

  it("refuses a path that leaves the base path, another origin, and schemes other than http(s)", () => {
    expect(Url.build(config("http://h.test/api"), "../admin", undefined, undefined)).toMatchObject({ reason: "EscapesBaseUrl" })
    expect(Url.build(config("http://h.test/api"), "/%2e%2e/admin", undefined, undefined)).toMatchObject({ reason: "EscapesBaseUrl" })
    expect(Url.build(config("http://h.test"), "http://evil.test/", undefined, undefined)).toMatchObject({ reason: "EscapesBaseUrl" })
    expect(Url.build(config("http://h.test"), "//evil.test/", undefined, undefined)).toMatchObject({ reason: "EscapesBaseUrl" })
    expect(Url.build(config("http://h.test"), "file:///etc/passwd", undefined, undefined)).toMatchObject({ reason: "UnsupportedScheme" })
    expect(Url.build(config(undefined), "/x", undefined, undefined)).toMatchObject({ reason: "InvalidUrl" })
  })

  it("lets an allowed origin through", () => {
    const allowed = config("http://h.test", { allowedOrigins: new Set(["http://other.test"]) })
    expect(built(Url.build(allowed, "http://other.test/x", undefined, undefined)).url.href).toBe("http://other.test/x")
  })

  it("refuses credentials in the URL, or turns them into a Basic header", () => {
    expect(Url.build(config(undefined), "http://u:p@h.test/", undefined, undefined)).toMatchObject({ reason: "CredentialsInUrl" })
    const result = built(Url.build(config(undefined, { urlCredentials: "basic" }), "http://us%C3%A9r:p%40ss@h.test/", undefined, undefined))
    expect(result.url.href).toBe("http://h.test/")
    expect(result.basicAuth).toBe("Basic " + Buffer.from("usér:p@ss").toString("base64"))
    expect(Url.build(config(undefined, { urlCredentials: "basic" }), "http://%ff:p@h.test/", undefined, undefined))
      .toMatchObject({ reason: "CredentialsInUrl" })
  })

  it("serialises lists in the three formats", () => {
    const query = { a: [1, 2], b: "x", c: undefined, d: null }
    const of = (arrayFormat: Url.ArrayFormat) => built(Url.build(config("http://h.test", { arrayFormat }), "/q", undefined, query)).url.search
    expect(of("repeat")).toBe("?a=1&a=2&b=x")
    expect(of("csv")).toBe("?a=1%2C2&b=x")
    expect(of("brackets")).toBe("?a%5B%5D=1&a%5B%5D=2&b=x")
    expect(Url.build(config("http://h.test"), "/q", undefined, { when: new Date(NaN) })).toMatchObject({ reason: "InvalidQuery" })
  })

  it("for any path, the origin never changes and a relative path stays under the base path, or the URL is refused", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), path, (base, input) => {
        const result = Url.build(config(base), input, undefined, undefined)
        if (isRefusal(result)) return
        const baseUrl = new URL(base)
        const basePath = baseUrl.pathname.replace(/\/+$/, "")
        expect(result.url.origin).toBe(baseUrl.origin)
        expect(result.url.username + result.url.password).toBe("")
        expect(result.url.hash).toBe("")
        if (!absoluteOrProtocolRelative.test(input)) {
          expect(result.url.pathname === basePath || result.url.pathname.startsWith(`${basePath}/`), result.url.pathname).toBe(true)
        }
      }),
      { numRuns: 400 }
    )
  })

  it("a path parameter is exactly one encoded segment, or refused as InvalidPathParameter", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 12 }), fc.string16bits({ maxLength: 8 }), fc.constantFrom(".", "..", "", "%2e%2e", "../..", "\ud800")),
        (base, id) => {
          const result = Url.build(config(base), "/users/{id}/posts", { id }, undefined)
          const basePath = new URL(base).pathname.replace(/\/+$/, "")
          if (isRefusal(result)) {
            expect(result.reason).toBe("InvalidPathParameter")
            return
          }
          expect(id === "" || id === "." || id === "..").toBe(false)
          expect(result.url.pathname).toBe(`${basePath}/users/${encodeURIComponent(id)}/posts`)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("query values round-trip through URLSearchParams, keys like __proto__ staying plain keys", () => {
    const key = fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "a[b]", "a=b", "&", "+", "%20"))
    const scalar = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.integer(), fc.boolean(), fc.bigInt())
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }))), { selector: ([k]) => k, maxLength: 6 }), (pairs) => {
        const query: Record<string, Url.QueryValue | ReadonlyArray<Url.QueryValue>> = {}
        for (const [k, v] of pairs) Object.defineProperty(query, k, { value: v, enumerable: true, writable: true, configurable: true })
        const search = new URLSearchParams()
        expect(Url.appendQuery(search, query, "repeat")).toBeUndefined()
        const expected = pairs.flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item) => [k, String(item)]))
        expect([...new URLSearchParams(search.toString())]).toEqual(expected)
      }),
      { numRuns: 300 }
    )
  })
})

describe("Url.redact", () => {
  it("shows no user info and no query value but those kept", () => {
    const url = new URL("http://u:secret@h.test/p?token=abc&page=2")
    expect(Url.redact(url)).toBe("http://h.test/p?token=<redacted>&page=<redacted>")
    expect(Url.redact(url, (name) => name === "page")).toBe("http://h.test/p?token=<redacted>&page=2")
  })

  it("never echoes a foreign or unparseable URL, and joins a relative one under the base path", () => {
    const base = config("http://h.test/api")
    expect(Url.redactText("data:text/plain,secret", base)).toBe("data:<redacted>")
    expect(Url.redactText("http://[bad", base)).toBe("http:<redacted>")
    expect(Url.redactText("/users?key=secret", base)).toBe("http://h.test/api/users?key=<redacted>")
    expect(Url.redactText("x", config(undefined))).toBe("<invalid url>")
  })

  it("for any query value, the redacted form does not contain it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 20 }).filter((s) => /^[A-Za-z0-9]+$/.test(s)), (secret) => {
        const text = Url.redactText(`http://h.test/p?k=${secret}`, config(undefined))
        expect(text).not.toContain(secret)
      }),
      { numRuns: 200 }
    )
  })
})
