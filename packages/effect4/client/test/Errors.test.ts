import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Body from "../src/Body.js"
import * as CourierError from "../src/CourierError.js"
import { client } from "./support.js"

const secret = "Bearer s3cr3t-t0ken-value"

/** Neither the message, toString nor JSON of a failure shows a secret. */
const expectNoSecret = (error: unknown) => {
  const shown = [String((error as Error).message), String(error), JSON.stringify(error)]
  for (const text of shown) {
    expect(text).not.toContain("s3cr3t")
    expect(text).not.toContain("hunter2")
  }
}

describe("every failure tag", () => {
  it.live("BadResponse: status, redacted headers and excerpt, errorBody by errorSchema", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [[
          "GET",
          "/",
          Reply.json({ code: "nope", echoed: "s3cr3t-t0ken-value", password: "hunter2" }, {
            status: 422,
            headers: { "set-cookie": "sid=hunter2", "x-kept": "yes" }
          })
        ]]
      })
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(
        c.get("/?token=abc", { headers: { authorization: secret }, errorSchema: Schema.Struct({ code: Schema.String }) })
      )
      expect(error._tag).toBe("BadResponse")
      if (error._tag !== "BadResponse") return
      expect(error.status).toBe(422)
      expect(error.errorBody).toEqual(Option.some({ code: "nope" }))
      expect(error.headers["x-kept"]).toBe("yes")
      expect(error.headers["set-cookie"]).toBe("<redacted>")
      expect(error.bodyExcerpt).toContain("nope")
      expect(error.request).toEqual({ method: "GET", url: `${s.url}/?token=<redacted>` })
      expect(error.message).toContain("unexpected status 422")
      expectNoSecret(error)
    }).pipe(Effect.scoped))

  it.live("Unauthorized: a 401, whether credentials were sent", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.json({ error: "expired" }, { status: 401 })]] })
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(c.get("/", { headers: { authorization: secret } }))
      expect(error._tag).toBe("Unauthorized")
      if (error._tag !== "Unauthorized") return
      expect(error.status).toBe(401)
      expect(error.credentialsSent).toBe(true)
      expectNoSecret(error)
    }).pipe(Effect.scoped))

  it.live("Parse: InvalidJson, EmptyBody, SchemaMismatch with paths and no values", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/html", Reply.text("<html>oops</html>", { headers: { "content-type": "text/html" } })],
          ["GET", "/leaky", Reply.text("hunter2 is the password", { headers: { "content-type": "text/plain" } })],
          ["GET", "/empty", Reply.status(200)],
          ["GET", "/wrong", Reply.json({ id: "not-a-number", token: "hunter2" })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      const Post = Schema.Struct({ id: Schema.Number })
      const invalid = yield* Effect.flip(c.get("/html", { schema: Post }))
      expect(invalid._tag === "Parse" && invalid.reason).toBe("InvalidJson")
      expect(invalid._tag === "Parse" && invalid.contentType).toBe("text/html")
      // The JSON parser's own message quotes the body: the cause must not keep it.
      const leaky = yield* Effect.flip(c.get("/leaky", { schema: Post }))
      expect(leaky._tag === "Parse" && leaky.reason).toBe("InvalidJson")
      expect(String(leaky._tag === "Parse" && leaky.cause?.message)).not.toContain("hunter2")
      const empty = yield* Effect.flip(c.get("/empty", { schema: Post }))
      expect(empty._tag === "Parse" && empty.reason).toBe("EmptyBody")
      const wrong = yield* Effect.flip(c.get("/wrong", { schema: Post }))
      expect(wrong._tag).toBe("Parse")
      if (wrong._tag !== "Parse") return
      expect(wrong.reason).toBe("SchemaMismatch")
      expect(wrong.issues).toEqual([{ path: ["id"], message: "Expected number" }])
      expect(wrong.issue).toEqual(wrong.issues[0])
      expect(wrong.message).toContain("at id: Expected number")
      expectNoSecret(wrong)
      // Plain JSON of an invalid body is a Parse failure too; text is not.
      expect((yield* Effect.flip(c.get("/html")))._tag).toBe("Parse")
      expect(yield* c.get("/html", { responseType: "text" })).toBe("<html>oops</html>")
    }).pipe(Effect.scoped))

  it.live("Network: ConnectionRefused proves nothing was sent; ConnectionReset; IncompleteBody", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/reset", Reply.reset],
          ["GET", "/short", Reply.closeMidBody({ declaredLength: 100, body: "{\"a\":" })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      const reset = yield* Effect.flip(c.get("/reset"))
      expect(reset._tag === "Network" && reset.reason).toBe("ConnectionReset")
      const short = yield* Effect.flip(c.get("/short"))
      expect(short._tag === "Network" && ["IncompleteBody", "ConnectionReset"]).toContain(
        short._tag === "Network" && short.reason
      )
      // A port nothing listens on: the server's, once it is closed.
      const closed = yield* Effect.scoped(Effect.map(TestServer.make(), (other) => other.url))
      const direct = yield* client({})
      const error = yield* Effect.flip(direct.get(`${closed}/x`))
      expect(error._tag).toBe("Network")
      if (error._tag !== "Network") return
      expect(error.reason).toBe("ConnectionRefused")
      expect(error.code).toBe("ECONNREFUSED")
      expect(error.nothingSent).toBe(true)
      expect(JSON.stringify(error)).not.toContain("cause")
    }).pipe(Effect.scoped))

  it.live("RequestRefused: before any I/O, no secret in the detail", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["*", "/*", Reply.json({})]] })
      const c = yield* client({ baseUrl: `${s.url}/api` })
      const reasons = yield* Effect.forEach([
        c.get("https://elsewhere.example/x"),
        c.get("/../admin"),
        c.get("ftp://x/y"),
        c.get(`${s.url.replace("http://", "http://user:hunter2@")}/api/x`),
        c.get("/p/{id}"),
        c.get("/", { headers: { "x-a": "hunter2\r\nx: y" } }),
        c.get("/", { headers: { connection: "close" } }),
        c.request("GET /", "/"),
        c.post("/", { body: Body.json({ n: 1n }) }),
        c.get("/", { timeouts: { total: "soon" as never } })
      ], (call) => Effect.map(Effect.flip(call), (error) => {
        expectNoSecret(error)
        return error._tag === "RequestRefused" ? error.reason : error._tag
      }))
      expect(reasons).toEqual([
        "EscapesBaseUrl",
        "EscapesBaseUrl",
        "UnsupportedScheme",
        "CredentialsInUrl",
        "InvalidPathParameter",
        "InvalidHeader",
        "InvalidHeader",
        "InvalidMethod",
        "InvalidBody",
        "InvalidOption"
      ])
      expect(yield* s.journal).toHaveLength(0)
    }).pipe(Effect.scoped))

  it.live("LimitExceeded: TooManyRedirects", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/loop", Reply.redirect(302, "/loop")]] })
      const c = yield* client({ baseUrl: s.url, maxRedirects: 3 })
      const error = yield* Effect.flip(c.get("/loop"))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("TooManyRedirects")
      expect(yield* s.journal).toHaveLength(4)
    }).pipe(Effect.scoped))

  it("isCourierError", () => {
    const error = new CourierError.Timeout({
      request: { method: "GET", url: "http://x/" },
      phase: "total",
      duration: Duration.seconds(1)
    })
    expect(CourierError.isCourierError(error)).toBe(true)
    expect(CourierError.isCourierError(new Error("x"))).toBe(false)
  })
})
