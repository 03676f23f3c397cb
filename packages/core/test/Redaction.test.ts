import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Redaction from "../src/Redaction.js"

const encoder = new TextEncoder()
const bytes = (text: string) => encoder.encode(text)
const redactor = Redaction.make()

describe("Redaction", () => {
  describe("url", () => {
    it("replaces listed query values, keeps the others, drops user info and fragment", () => {
      const url = new URL("https://user:pw@api.example.com/a/b?access_token=T1&page=2&Signature=S&user%5Bpassword%5D=P&q=x#frag")
      expect(redactor.url(url)).toBe(
        "https://api.example.com/a/b?access_token=<redacted>&page=2&Signature=<redacted>&user%5Bpassword%5D=<redacted>&q=x"
      )
    })

    it("matches names case-insensitively and ignoring - and _", () => {
      const url = new URL("https://h/?AccessToken=1&api-key=2&CODE=3&keyboard=4&apikey=5")
      expect(redactor.url(url)).toBe("https://h/?AccessToken=<redacted>&api-key=<redacted>&CODE=<redacted>&keyboard=4&apikey=<redacted>")
    })

    it("extra rules add to the defaults", () => {
      const custom = Redaction.make({ queryParams: ["session"] })
      expect(custom.url(new URL("https://h/?session=1&token=2&x=3"))).toBe("https://h/?session=<redacted>&token=<redacted>&x=3")
    })
  })

  describe("headers", () => {
    it("replaces the listed headers only", () => {
      const out = Redaction.make({ headers: ["X-Session"] }).headers({
        authorization: "Bearer t",
        "proxy-authorization": "Basic x",
        cookie: "a=b",
        "set-cookie": "sid=1",
        "x-api-key": "k",
        "x-session": "s",
        accept: "application/json"
      })
      expect(out).toEqual({
        authorization: "<redacted>",
        "proxy-authorization": "<redacted>",
        cookie: "<redacted>",
        "set-cookie": "<redacted>",
        "x-api-key": "<redacted>",
        "x-session": "<redacted>",
        accept: "application/json"
      })
    })

    it("the common API-key headers are secrets by default", () => {
      for (const name of ["X-Api-Key", "api-key", "X-Auth-Token", "x-access-token", "x-csrf-token", "X-Amz-Security-Token"]) {
        expect(redactor.isSensitiveHeader(name), name).toBe(true)
        expect(redactor.headers({ [name]: "v" })[name]).toBe("<redacted>")
      }
      expect(redactor.isSensitiveHeader("x-request-id")).toBe(false)
    })

    it("URL-valued headers keep their value with the query redacted like a URL", () => {
      const out = redactor.headers({
        location: "https://idp.example.com/cb?code=C1&state=ok&token=T1",
        "content-location": "/items/1?access_token=T2&page=2",
        link: "<https://a.example.com/p?sig=S1&v=1>; rel=next, </q?key=K1>; rel=prev",
        refresh: "5; url=https://b.example.com/?password=P1",
        referer: "https://app.example.com/?api_key=K2#frag",
        "x-other": "https://c.example.com/?token=kept-as-is"
      })
      expect(out).toEqual({
        location: "https://idp.example.com/cb?code=<redacted>&state=ok&token=<redacted>",
        "content-location": "/items/1?access_token=<redacted>&page=2",
        link: "<https://a.example.com/p?sig=<redacted>&v=1>; rel=next, </q?key=<redacted>>; rel=prev",
        refresh: "5; url=https://b.example.com/?password=<redacted>",
        referer: "https://app.example.com/?api_key=<redacted>",
        "x-other": "https://c.example.com/?token=kept-as-is"
      })
      // An app link is not shown at all; user info never is.
      expect(redactor.headers({ location: "myapp://callback?code=C1" }).location).toBe("myapp:<redacted>")
      expect(redactor.headers({ location: "https://u:pw@x.example.com/" }).location).toBe("https://x.example.com/")
    })
  })

  describe("body", () => {
    it("redacts JSON fields at any depth, in arrays, whatever the spelling", () => {
      const json = JSON.stringify({
        user: "ann",
        password: "p1",
        nested: { refresh_token: "r1", list: [{ accessToken: "a1", ok: 1 }], deeper: { Client_Secret: "c1" } },
        newPassword: "p2",
        secret: { whole: "subtree" }
      })
      const out = redactor.body(bytes(json), "application/json; charset=utf-8", 10_000)
      expect(JSON.parse(out)).toEqual({
        user: "ann",
        password: "<redacted>",
        nested: { refresh_token: "<redacted>", list: [{ accessToken: "<redacted>", ok: 1 }], deeper: { Client_Secret: "<redacted>" } },
        newPassword: "<redacted>",
        secret: "<redacted>"
      })
    })

    it("redacts fields named like credential headers, and JSON documents held in strings", () => {
      const json = JSON.stringify({
        headers: { authorization: "Bearer t", accept: "*/*" },
        body: JSON.stringify({ password: "p", n: 1 }),
        cut: "{\"password\":\"p",
        note: "[not json"
      })
      expect(JSON.parse(redactor.body(bytes(json), "application/json", 10_000))).toEqual({
        headers: { authorization: "<redacted>", accept: "*/*" },
        body: "{\"password\":\"<redacted>\",\"n\":1}",
        cut: "<14 characters of invalid JSON>",
        note: "<9 characters of invalid JSON>"
      })
    })

    it("bounds the depth and keeps __proto__ a plain key", () => {
      let deep: unknown = { token: "t" }
      for (let i = 0; i < 100; i++) deep = { a: deep }
      const out = redactor.body(bytes(JSON.stringify(deep)), "application/json", 100_000)
      expect(out).toContain("<too deep>")
      expect(out).not.toContain("\"t\"")
      const proto = redactor.body(bytes("{\"__proto__\":{\"password\":\"p\"},\"x\":1}"), "application/json", 1000)
      expect(proto).toBe("{\"__proto__\":{\"password\":\"<redacted>\"},\"x\":1}")
    })

    it("truncates after redacting, with the total size", () => {
      const json = JSON.stringify({ password: "p", data: "x".repeat(500) })
      const out = redactor.body(bytes(json), "application/json", 40)
      expect(out).toBe(`{"password":"<redacted>","data":"xxxxxxx…(${json.length} bytes)`)
    })

    it("shows invalid or oversized JSON only as a size", () => {
      expect(redactor.body(bytes("{\"password\":\"p"), "application/json", 100)).toBe("<14 bytes of invalid JSON>")
      const big = bytes(JSON.stringify({ password: "p", pad: "x".repeat(2 * 1024 * 1024) }))
      expect(redactor.body(big, "application/json", 100)).toBe(`<${big.byteLength} bytes of JSON, too large to redact>`)
    })

    it("treats text that is a JSON document as JSON", () => {
      expect(redactor.body(bytes("  {\"token\":\"t\"}"), "text/plain", 100)).toBe("{\"token\":\"<redacted>\"}")
      expect(redactor.body(bytes("[{\"token\":\"t\"}]"), undefined, 100)).toBe("[{\"token\":\"<redacted>\"}]")
    })

    it("redacts form fields by body-field and query names", () => {
      const out = redactor.body(bytes("user=ann&password=p&sig=s&client_secret=c&n=1"), "application/x-www-form-urlencoded", 1000)
      expect(out).toBe("user=ann&password=<redacted>&sig=<redacted>&client_secret=<redacted>&n=1")
    })

    it("shows text as an excerpt without control characters, binary as a size", () => {
      expect(redactor.body(bytes("hello\r\nworld\u001b[31m"), "text/plain", 100)).toBe("hello?\nworld?[31m")
      expect(redactor.body(bytes("abcdef"), "text/plain", 3)).toBe("abc…(6 bytes)")
      expect(redactor.body(new Uint8Array([0, 1, 2, 255]), undefined, 100)).toBe("<4 bytes>")
      expect(redactor.body(bytes("%PDF"), "application/pdf", 100)).toBe("<4 bytes>")
      expect(redactor.body(bytes("--b\r\npassword"), "multipart/form-data; boundary=b", 100)).toBe("<13 bytes>")
      expect(redactor.body(new Uint8Array(0), "application/json", 100)).toBe("")
    })

    it("never throws", () => {
      let seed = 7
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
      const types = [undefined, "application/json", "text/plain", "application/x-www-form-urlencoded", "image/png", ";;", ""]
      for (let i = 0; i < 300; i++) {
        const data = new Uint8Array(Math.floor(random() * 200)).map(() => Math.floor(random() * 256))
        for (const type of types) {
          expect(typeof redactor.body(data, type, Math.floor(random() * 50) - 5)).toBe("string")
        }
      }
    })
  })

  describe("properties", () => {
    const secret = fc.string({ minLength: 8, maxLength: 16 }).filter((s) => /^[A-Za-z0-9]+$/.test(s)).map((s) => `S3CRET${s}`)
    const field = fc.constantFrom("password", "accessToken", "client_secret", "Refresh-Token", "newPassword", "authorization", "x-api-key")
    const plainKey = fc.constantFrom("id", "name", "items", "data", "user", "__proto__")

    /** A JSON value that holds `secret` under a secret field, nested in objects and arrays. */
    const holding = (value: string) =>
      fc.tuple(field, fc.array(fc.tuple(plainKey, fc.boolean()), { maxLength: 6 })).map(([name, path]) => {
        let out: unknown = { [name]: value }
        for (const [key, inArray] of path) out = inArray ? [out] : JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(out)}}`)
        return out
      })

    it("a secret field at any depth never shows, whatever the content type says JSON", () => {
      fc.assert(
        fc.property(secret.chain((s) => fc.tuple(fc.constant(s), holding(s))), fc.constantFrom("application/json", "application/problem+json", "text/plain", undefined), ([value, document], type) => {
          const text = JSON.stringify(document)
          expect(redactor.body(bytes(text), type, 10_000)).not.toContain(value)
          // A JSON document held in a string is redacted as one.
          expect(redactor.body(bytes(JSON.stringify({ echoed: text })), "application/json", 10_000)).not.toContain(value)
        }),
        { numRuns: 300 }
      )
    })

    it("a listed query parameter's value never shows in a URL or a URL-valued header", () => {
      fc.assert(
        fc.property(secret, fc.constantFrom("token", "access_token", "Api-Key", "signature", "user[password]"), (value, name) => {
          const url = new URL(`https://h.test/p?${encodeURIComponent(name)}=${value}&page=2`)
          expect(redactor.url(url)).not.toContain(value)
          const headers = redactor.headers({ location: url.href, link: `<${url.href}>; rel="next"` })
          expect(JSON.stringify(headers)).not.toContain(value)
        }),
        { numRuns: 200 }
      )
    })
  })
})
