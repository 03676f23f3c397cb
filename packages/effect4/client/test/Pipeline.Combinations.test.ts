import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Body from "../src/Body.js"
import { client } from "./support.js"

// The concerns meet on one call: redirects with credentials, codings, limits,
// status failures and decoding, each failure naming the hop it came from.
describe("combinations", () => {
  it.live("307 across origins to a gzip error body: body resent, credentials dropped, excerpt decoded", () =>
    Effect.gen(function*() {
      const a = yield* TestServer.make()
      const b = yield* TestServer.make({
        routes: [["POST", "/target", Reply.encoded("{\"error\":\"quota\"}", ["gzip"], {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": "3" }
        })]]
      })
      yield* a.route("POST", "/start", Reply.redirect(307, `${b.url}/target`))
      const c = yield* client({ baseUrl: a.url })
      const error = yield* Effect.flip(c.post("/start", {
        body: Body.json({ n: 1 }),
        headers: { authorization: "Bearer abcdefgh12" },
        errorSchema: Schema.Struct({ error: Schema.String })
      }))
      expect(error._tag).toBe("BadResponse")
      if (error._tag !== "BadResponse") return
      expect(error.status).toBe(429)
      expect(error.headers["retry-after"]).toBe("3")
      expect(error.errorBody._tag === "Some" && error.errorBody.value).toEqual({ error: "quota" })
      expect(error.request).toEqual({ method: "POST", url: `${b.url}/target`, redirects: 1 })
      const [target] = yield* b.journal
      expect(target!.bodyText).toBe("{\"n\":1}")
      expect(target!.headers["authorization"]).toBeUndefined()
    }).pipe(Effect.scoped))

  it.live("303 to a compressed body over the limit: the limit counts decoded bytes on the last hop", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["POST", "/form", Reply.redirect(303, "/result")],
          ["GET", "/result", Reply.encoded("y".repeat(50_000), ["br"])]
        ]
      })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 10_000 })
      const error = yield* Effect.flip(c.post("/form", { body: Body.form({ a: "1" }), responseType: "text" }))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
      expect(error.request).toEqual({ method: "GET", url: `${s.url}/result`, redirects: 1 })
      const ok = yield* c.post("/form", { body: Body.form({ a: "1" }), responseType: "text", maxResponseBytes: 50_000 })
      expect(ok.length).toBe(50_000)
    }).pipe(Effect.scoped))

  it.live("a schema mismatch after a redirect names the last hop", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/a", Reply.redirect(308, "/b?token=xyz")], ["GET", "/b", Reply.json({ id: "one" })]]
      })
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(c.get("/a", { schema: Schema.Struct({ id: Schema.Number }) }))
      expect(error._tag === "Parse" && error.reason).toBe("SchemaMismatch")
      expect(error.request).toEqual({ method: "GET", url: `${s.url}/b?token=<redacted>`, redirects: 1 })
    }).pipe(Effect.scoped))

  it.live("a 401 from another origin after a redirect says no credentials were sent", () =>
    Effect.gen(function*() {
      const b = yield* TestServer.make({ routes: [["GET", "/x", Reply.status(401)]] })
      const a = yield* TestServer.make({ routes: [["GET", "/start", Reply.redirect(302, `${b.url}/x`)], ["GET", "/own", Reply.status(401)]] })
      const c = yield* client({ baseUrl: a.url })
      const elsewhere = yield* Effect.flip(c.get("/start", { headers: { authorization: "Bearer abcdefgh12" } }))
      expect(elsewhere._tag === "Unauthorized" && elsewhere.credentialsSent).toBe(false)
      const own = yield* Effect.flip(c.get("/own", { headers: { authorization: "Bearer abcdefgh12" } }))
      expect(own._tag === "Unauthorized" && own.credentialsSent).toBe(true)
    }).pipe(Effect.scoped))
})
