import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Redirect from "../src/Redirect.js"

const secrets = new Set(["authorization", "cookie", "x-api-key"])
const policy: Redirect.Policy = { allowInsecureRedirects: false, isCredentialHeader: (name) => secrets.has(name) }

const from = (overrides: Partial<Redirect.From> = {}): Redirect.From => ({
  method: "POST",
  url: new URL("https://a.test/start?x=1"),
  headers: {
    authorization: "Bearer t",
    cookie: "s=1",
    "x-api-key": "k",
    traceparent: "00-abc-def-01",
    "content-type": "application/json",
    "content-length": "2",
    accept: "*/*"
  },
  replayable: true,
  info: { method: "POST", url: "https://a.test/start?x=<redacted>" },
  ...overrides
})

const follow = (next: Redirect.Follow | Redirect.Refuse): Redirect.Follow => {
  if (next._tag === "Refuse") throw new Error(`refused: ${next.reason}`)
  return next
}

describe("Redirect.next", () => {
  it("follows a relative location on the same origin with every header, counting the redirect", () => {
    const next = follow(Redirect.next(policy, from(), 307, "/b?token=s#frag"))
    expect(next.url.href).toBe("https://a.test/b?token=s")
    expect(next.headers).toEqual(from().headers)
    expect(next).toMatchObject({ method: "POST", dropBody: false, info: { method: "POST", url: "https://a.test/b?token=<redacted>", redirects: 1 } })
  })

  it("drops credential and trace headers on another origin", () => {
    const next = follow(Redirect.next(policy, from({ info: { method: "POST", url: "x", redirects: 2 } }), 308, "https://b.test/"))
    expect(Object.keys(next.headers).sort()).toEqual(["accept", "content-length", "content-type"])
    expect(next.info.redirects).toBe(3)
  })

  it("turns a POST into a GET without body headers on 301/302, anything but HEAD on 303", () => {
    for (const status of [301, 302, 303]) {
      const next = follow(Redirect.next(policy, from(), status, "/b"))
      expect(next).toMatchObject({ method: "GET", dropBody: true })
      expect(next.headers["content-type"]).toBeUndefined()
    }
    expect(follow(Redirect.next(policy, from({ method: "PUT" }), 302, "/b"))).toMatchObject({ method: "PUT", dropBody: false })
    expect(follow(Redirect.next(policy, from({ method: "PUT" }), 303, "/b"))).toMatchObject({ method: "GET", dropBody: true })
    expect(follow(Redirect.next(policy, from({ method: "HEAD" }), 303, "/b"))).toMatchObject({ method: "HEAD", dropBody: false })
  })

  it("refuses what must not be followed", () => {
    expect(Redirect.next(policy, from(), 302, "http://a.test/")).toMatchObject({ _tag: "Refuse", reason: "InsecureRedirect" })
    expect(follow(Redirect.next({ ...policy, allowInsecureRedirects: true }, from(), 307, "http://a.test/")).url.protocol).toBe("http:")
    expect(Redirect.next(policy, from(), 302, "ftp://a.test/secret")).toMatchObject({
      _tag: "Refuse",
      reason: "UnsupportedScheme",
      info: { url: "ftp:<redacted>" }
    })
    expect(Redirect.next(policy, from(), 302, "https://u:p@a.test/")).toMatchObject({ reason: "CredentialsInUrl" })
    expect(Redirect.next(policy, from(), 302, "http://[bad")).toMatchObject({ reason: "InvalidUrl", info: { redirects: 1 } })
    expect(Redirect.next(policy, from({ replayable: false }), 307, "/b")).toMatchObject({ reason: "BodyNotReplayable" })
    // A body that is dropped need not be replayable.
    expect(Redirect.next(policy, from({ replayable: false }), 303, "/b")).toMatchObject({ _tag: "Follow" })
  })

  it("for any status, method and location, a credential header never reaches another origin, and the method rule holds", () => {
    const location = fc.oneof(
      fc.constantFrom("/b", "b", "https://a.test/x", "https://A.TEST:443/x", "https://b.test/x", "//b.test/x", "https://a.test:8443/x", "http://a.test/x", "javascript:x", "https://u@b.test/"),
      fc.webUrl()
    )
    fc.assert(
      fc.property(
        fc.constantFrom(301, 302, 303, 307, 308),
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"),
        location,
        fc.boolean(),
        (status, method, target, replayable) => {
          const start = from({ method, replayable })
          const next = Redirect.next(policy, start, status, target)
          if (next._tag === "Refuse") return
          if (next.url.origin !== start.url.origin) {
            for (const name of secrets) expect(next.headers[name]).toBeUndefined()
            expect(next.headers["traceparent"]).toBeUndefined()
          }
          const toGet = status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST"
          expect(next.method).toBe(toGet ? "GET" : method)
          expect(next.dropBody).toBe(toGet)
          if (!toGet) expect(replayable).toBe(true)
          expect(next.url.hash).toBe("")
          expect(next.info.redirects).toBe(1)
        }
      ),
      { numRuns: 500 }
    )
  })
})
