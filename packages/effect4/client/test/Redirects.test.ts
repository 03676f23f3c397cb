import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Body from "../src/Body.js"
import { certificate, client, httpsServer } from "./support.js"

const credentials = {
  authorization: "Bearer abcdef123456",
  cookie: "sid=abcdef123456",
  "x-api-key": "abcdef123456",
  "x-tenant-secret": "abcdef123456",
  "x-plain": "kept"
}

describe("redirects", () => {
  it.live("303 and a POST's 302 become a GET without the body; 307 keeps method and body", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["POST", "/303", Reply.redirect(303, "/to")],
          ["POST", "/302", Reply.redirect(302, "/to")],
          ["PUT", "/307", Reply.redirect(307, "/to")],
          ["*", "/to", Reply.json({ ok: true })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      for (const [method, path] of [["POST", "/303"], ["POST", "/302"], ["PUT", "/307"]] as const) {
        yield* c.request(method, path, { body: Body.json({ n: 1 }) })
      }
      const to = yield* s.requests("/to")
      expect(to.map((entry) => [entry.method, entry.bodyText, entry.headers["content-type"]])).toEqual([
        ["GET", "", undefined],
        ["GET", "", undefined],
        ["PUT", "{\"n\":1}", "application/json"]
      ])
    }).pipe(Effect.scoped))

  it.live("credentials never cross origins, and stay dropped when the chain comes back", () =>
    Effect.gen(function*() {
      const a = yield* TestServer.make()
      const b = yield* TestServer.make()
      yield* a.route("GET", "/start", Reply.redirect(302, `${b.url}/other`))
      yield* b.route("GET", "/other", Reply.redirect(302, `${a.url}/back`))
      yield* a.route("GET", "/back", Reply.json({ ok: true }))
      const c = yield* client({ baseUrl: a.url, credentialHeaders: ["x-tenant-secret"] })
      yield* c.get("/start", { headers: credentials })
      const [start] = yield* a.requests("/start")
      const [other] = yield* b.requests("/other")
      const [back] = yield* a.requests("/back")
      expect(start!.headers["authorization"]).toBe(credentials.authorization)
      expect(start!.headers["x-tenant-secret"]).toBe("abcdef123456")
      for (const entry of [other!, back!]) {
        expect(entry.headers["authorization"]).toBeUndefined()
        expect(entry.headers["cookie"]).toBeUndefined()
        expect(entry.headers["x-api-key"]).toBeUndefined()
        expect(entry.headers["x-tenant-secret"]).toBeUndefined()
        expect(entry.headers["x-plain"]).toBe("kept")
      }
    }).pipe(Effect.scoped))

  it.live("same origin keeps the credentials", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/a", Reply.redirect(301, "/b")], ["GET", "/b", Reply.json({})]]
      })
      const c = yield* client({ baseUrl: s.url })
      yield* c.get("/a", { headers: credentials })
      const [b] = yield* s.requests("/b")
      expect(b!.headers["authorization"]).toBe(credentials.authorization)
    }).pipe(Effect.scoped))

  it.live("https to http is refused by default, followed when allowed", () =>
    Effect.gen(function*() {
      const plain = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ plain: true })]] })
      const secure = yield* httpsServer((_, res) => {
        res.statusCode = 302
        res.setHeader("location", `${plain.url}/x`)
        res.end()
      })
      const strict = yield* client({}, { ca: certificate })
      const error = yield* Effect.flip(strict.get(`${secure.url}/start`, { headers: credentials }))
      expect(error._tag === "RequestRefused" && error.reason).toBe("InsecureRedirect")
      expect(error.request.redirects).toBe(1)
      expect(yield* plain.journal).toHaveLength(0)
      const lax = yield* client({ allowInsecureRedirects: true }, { ca: certificate })
      expect(yield* lax.get(`${secure.url}/start`, { headers: credentials })).toEqual({ plain: true })
      const [x] = yield* plain.requests("/x")
      expect(x!.headers["authorization"]).toBeUndefined()
    }).pipe(Effect.scoped))

  it.live("every hop is checked: schemes, credentials in the location, a one-shot body", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/ftp", Reply.redirect(302, "ftp://example.com/file")],
          ["GET", "/userinfo", Reply.redirect(302, "http://user:pw@127.0.0.1:1/")],
          ["POST", "/307", Reply.redirect(307, "/to")],
          ["POST", "/to", Reply.json({ ok: true })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      const reason = (effect: Effect.Effect<unknown, { readonly _tag: string }>) =>
        Effect.map(Effect.flip(effect), (e) => ("reason" in e ? e.reason : e._tag))
      expect(yield* reason(c.get("/ftp"))).toBe("UnsupportedScheme")
      expect(yield* reason(c.get("/userinfo"))).toBe("CredentialsInUrl")
      const once = Body.stream(Stream.make(new TextEncoder().encode("once")))
      expect(yield* reason(c.post("/307", { body: once }))).toBe("BodyNotReplayable")
      const again = Body.replayableStream(() => Stream.make(new TextEncoder().encode("again")))
      expect(yield* c.post("/307", { body: again })).toEqual({ ok: true })
      const [to] = yield* s.requests("/to")
      expect(to!.bodyText).toBe("again")
    }).pipe(Effect.scoped))

  it.live("maxRedirects 0 hands the 3xx back as a BadResponse", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/a", Reply.redirect(302, "/b")]] })
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(c.get("/a", { maxRedirects: 0 }))
      expect(error._tag === "BadResponse" && error.status).toBe(302)
      const seen = yield* c.exchange("GET", "/a", { maxRedirects: 0, acceptStatus: [302], responseType: "none" })
      expect(seen.headers["location"]).toBe("/b")
    }).pipe(Effect.scoped))
})
