import { Body, CourierClient, FetchTransport } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { follow } from "../src/internal/core/redirect.js"
import { clientOn, transports } from "./support.js"

// Courier follows redirects itself (the transports run with redirect: "manual"),
// so every rule is proven here on the wire: what the server at each hop saw.

const Landing = Schema.Struct({ landed: Schema.String })

/** A redirect chain of `length` hops, /hop/<length> -> ... -> /hop/0, which answers JSON. */
const chain = (length: number): ReadonlyArray<readonly [string, string, Reply.Reply]> =>
  Array.from({ length: length + 1 }, (_, i) =>
    ["GET", `/hop/${i}`, i === 0 ? Reply.json({ landed: "end" }) : Reply.redirect(302, `/hop/${i - 1}`)] as const)

const credentials = {
  authorization: "Bearer a-token",
  cookie: "sid=s3cret-cookie",
  "proxy-authorization": "Basic cHJveHk6cHc=",
  "x-api-key": "k-123",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  "x-trace": "1"
}
// Trace context goes to the base origin only, so it is dropped like a credential.
const credentialNames = ["authorization", "cookie", "proxy-authorization", "x-api-key", "traceparent"] as const
const withKey: CourierConfig.Options = { credentialHeaders: ["x-api-key"] }

// Also a wrapped platform client under Courier through the explicit adapter.
for (const kind of [...transports, "platform"] as const) {
  describe(`redirects on ${kind}`, () => {
    describe("following", () => {
      it.scopedLive("a relative and an absolute same-origin Location are followed, the final body decoded", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/new/page", Reply.json({ landed: "new" })]]
          })
          yield* server.route("GET", "/old/relative", Reply.redirect(302, "../new/page?x=1"))
          yield* server.route("GET", "/old/absolute", Reply.redirect(302, `${server.url}/new/page?x=2`))
          const client = yield* clientOn(server, kind)
          expect(yield* client.get("/old/relative", { schema: Landing })).toEqual({ landed: "new" })
          expect(yield* client.get("/old/absolute", { schema: Landing })).toEqual({ landed: "new" })
          const response = yield* client.response("GET", "/old/relative")
          expect(response.request.url.href).toBe(`${server.url}/new/page?x=1`)
          const journal = yield* server.journal
          expect(journal.map((e) => `${e.method} ${e.path}`)).toEqual([
            "GET /old/relative",
            "GET /new/page?x=1",
            "GET /old/absolute",
            "GET /new/page?x=2",
            "GET /old/relative",
            "GET /new/page?x=1"
          ])
        }))

      it.scopedLive("HEAD stays HEAD through a 303", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["HEAD", "/see", Reply.redirect(303, "/other")], ["GET", "/other", Reply.json({ landed: "x" })]]
          })
          const client = yield* clientOn(server, kind)
          yield* client.head("/see", { responseType: "none" })
          const journal = yield* server.journal
          expect(journal.map((e) => `${e.method} ${e.path}`)).toEqual(["HEAD /see", "HEAD /other"])
        }))
    })

    describe("how many", () => {
      it.scopedLive("at most maxRedirects hops: the 4th redirect of a loop is LimitExceeded(TooManyRedirects)", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/loop", Reply.redirect(302, "/loop")]] })
          const client = yield* clientOn(server, kind, { maxRedirects: 3 })
          const error = yield* Effect.flip(client.get("/loop"))
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyRedirects", limit: 3 })
          expect(error.message).toContain("more than 3 redirects")
          expect((yield* server.requests("/loop")).length).toBe(4)
        }))

      it.scopedLive("the per-request maxRedirects overrides the client's", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: chain(2) })
          const client = yield* clientOn(server, kind, { maxRedirects: 1 })
          expect(yield* Effect.flip(client.get("/hop/2"))).toMatchObject({ reason: "TooManyRedirects", limit: 1 })
          expect(yield* client.get("/hop/2", { maxRedirects: 2, schema: Landing })).toEqual({ landed: "end" })
        }))

      it.scopedLive("the default is 10: ten hops succeed, eleven fail", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: chain(11) })
          const client = yield* clientOn(server, kind)
          expect(yield* client.get("/hop/10", { schema: Landing })).toEqual({ landed: "end" })
          expect((yield* server.journal).length).toBe(11)
          yield* server.clearJournal
          const error = yield* Effect.flip(client.get("/hop/11"))
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyRedirects", limit: 10 })
          const journal = yield* server.journal
          expect(journal.length).toBe(11)
          // The 11th redirect (from /hop/1) is not followed.
          expect(journal.some((e) => e.path === "/hop/0")).toBe(false)
        }))

      it.scopedLive("maxRedirects 0 returns the 3xx as BadResponse", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: chain(1) })
          const client = yield* clientOn(server, kind, { maxRedirects: 0 })
          const error = yield* Effect.flip(client.get("/hop/1"))
          if (error._tag !== "BadResponse") return expect.fail(`expected BadResponse, got ${error._tag}`)
          expect(error.status).toBe(302)
          expect(error.headers["location"]).toBe("/hop/0")
          const perRequest = yield* Effect.flip((yield* clientOn(server, kind)).get("/hop/1", { maxRedirects: 0 }))
          expect(perRequest).toMatchObject({ _tag: "BadResponse", status: 302 })
          expect((yield* server.requests("/hop/0")).length).toBe(0)
        }))
    })

    describe("credentials", () => {
      it.scopedLive("are dropped when the redirect changes origin (another port), other headers kept", () =>
        Effect.gen(function*() {
          const b = yield* TestServer.make({ routes: [["GET", "/land", Reply.json({ landed: "b" })]] })
          const a = yield* TestServer.make({ routes: [["GET", "/start", Reply.redirect(302, `${b.url}/land`)]] })
          const client = yield* clientOn(a, kind, withKey)
          expect(yield* client.get("/start", { headers: credentials, schema: Landing })).toEqual({ landed: "b" })
          // They did go to A, so their absence at B means something.
          const [atA] = yield* a.requests("/start")
          for (const name of credentialNames) expect(atA.headers[name], name).toBe(credentials[name])
          const [atB] = yield* b.requests("/land")
          for (const name of credentialNames) expect(atB.headers[name], name).toBeUndefined()
          expect(atB.headers["x-trace"]).toBe("1")
        }))

      it.scopedLive("once dropped they never come back, even when the chain returns to the first origin", () =>
        Effect.gen(function*() {
          const a = yield* TestServer.make()
          const b = yield* TestServer.make({ routes: [["GET", "/bounce", Reply.redirect(302, `${a.url}/back`)]] })
          yield* a.route("GET", "/out", Reply.redirect(302, `${b.url}/bounce`))
          yield* a.route("GET", "/back", Reply.json({ landed: "a" }))
          const client = yield* clientOn(a, kind, withKey)
          expect(yield* client.get("/out", { headers: credentials, schema: Landing })).toEqual({ landed: "a" })
          const [back] = yield* a.requests("/back")
          for (const name of credentialNames) expect(back.headers[name], name).toBeUndefined()
          expect(back.headers["x-trace"]).toBe("1")
        }))

      it.scopedLive("a same-origin redirect keeps them", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/same", Reply.redirect(302, "/here")], ["GET", "/here", Reply.json({ landed: "here" })]]
          })
          const client = yield* clientOn(server, kind, withKey)
          yield* client.get("/same", { headers: credentials })
          const [here] = yield* server.requests("/here")
          for (const name of credentialNames) expect(here.headers[name], name).toBe(credentials[name])
        }))
    })

    describe("method and body", () => {
      it.scopedLive.each([[301], [302]] as const)("%i turns a POST into a GET without body", ([status]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["POST", "/form", Reply.redirect(status, "/done")], ["*", "/done", Reply.json({ landed: "done" })]]
          })
          const client = yield* clientOn(server, kind)
          yield* client.post("/form", { body: Body.json({ secret: "payload" }) })
          const [first] = yield* server.requests("/form")
          expect(first.bodyText).toBe("{\"secret\":\"payload\"}")
          const [done] = yield* server.requests("/done")
          expect(done.method).toBe("GET")
          expect(done.body.byteLength).toBe(0)
          expect(done.headers["content-type"]).toBeUndefined()
          expect(done.headers["content-length"]).toBeUndefined()
          expect(done.headers["transfer-encoding"]).toBeUndefined()
        }))

      it.scopedLive.each([["POST"], ["PUT"]] as const)("303 turns a %s into a GET without body", ([method]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [[method, "/submit", Reply.redirect(303, "/result")], ["*", "/result", Reply.json({ landed: "r" })]]
          })
          const client = yield* clientOn(server, kind)
          yield* client.request(method, "/submit", { body: Body.text("data") })
          const [result] = yield* server.requests("/result")
          expect(result.method).toBe("GET")
          expect(result.body.byteLength).toBe(0)
          expect(result.headers["content-type"]).toBeUndefined()
          expect(result.headers["content-length"]).toBeUndefined()
        }))

      const big = new Uint8Array(100_000).map((_, i) => (i * 7) % 256)
      it.scopedLive.each([
        [307, "json", Body.json({ a: 1, b: "é" }), "application/json", new TextEncoder().encode("{\"a\":1,\"b\":\"é\"}")],
        [308, "json", Body.json({ a: 1, b: "é" }), "application/json", new TextEncoder().encode("{\"a\":1,\"b\":\"é\"}")],
        [307, "bytes", Body.bytes(new Uint8Array([0, 1, 254, 255]), "application/x-raw"), "application/x-raw", new Uint8Array([0, 1, 254, 255])],
        [308, "bytes", Body.bytes(new Uint8Array([0, 1, 254, 255]), "application/x-raw"), "application/x-raw", new Uint8Array([0, 1, 254, 255])],
        // Over 64 KiB a byte body is sent as a stream, built again for the second hop.
        [307, "large bytes", Body.bytes(big), "application/octet-stream", big],
        [308, "replayable stream", Body.replayableStream(() => Stream.make(big), { contentType: "application/x-s" }), "application/x-s", big]
      ] as const)("%i keeps POST, the %s body byte for byte and its content-type", ([status, , body, contentType, bytes]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["POST", "/upload", Reply.redirect(status, "/moved")], ["POST", "/moved", Reply.json({ landed: "m" })]]
          })
          const client = yield* clientOn(server, kind)
          expect(yield* client.post("/upload", { body, schema: Landing })).toEqual({ landed: "m" })
          for (const path of ["/upload", "/moved"]) {
            const [entry] = yield* server.requests(path)
            expect(entry.method).toBe("POST")
            expect(entry.headers["content-type"]).toBe(contentType)
            expect(entry.bodyComplete).toBe(true)
            expect(Buffer.compare(entry.body, bytes)).toBe(0)
          }
        }))

      it.scopedLive("307 with a one-shot stream body is RequestRefused(BodyNotReplayable)", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["POST", "/upload", Reply.redirect(307, "/moved")], ["POST", "/moved", Reply.json({ landed: "m" })]]
          })
          const client = yield* clientOn(server, kind)
          const bytes = new Uint8Array([1, 2, 3, 4])
          const error = yield* Effect.flip(client.post("/upload", { body: Body.stream(Stream.make(bytes)) }))
          expect(error).toMatchObject({ _tag: "RequestRefused", reason: "BodyNotReplayable" })
          const [first] = yield* server.requests("/upload")
          expect(first.body).toEqual(bytes)
          expect(yield* server.requests("/moved")).toEqual([])
        }))
    })

    describe("refused targets", () => {
      it.scopedLive.each([["ftp://127.0.0.1/x"], ["file:///etc/passwd"], ["data:text/plain,hi"], ["javascript:alert(1)"]])(
        "a Location of %s is RequestRefused(UnsupportedScheme)",
        ([location]) =>
          Effect.gen(function*() {
            const server = yield* TestServer.make({ routes: [["GET", "/go", Reply.redirect(302, location)]] })
            const client = yield* clientOn(server, kind)
            const error = yield* Effect.flip(client.get("/go"))
            expect(error).toMatchObject({ _tag: "RequestRefused", reason: "UnsupportedScheme" })
            expect(error.message).not.toContain(location.slice(location.indexOf(":") + 1))
            expect((yield* server.journal).length).toBe(1)
          })
      )

      it.scopedLive.each([["u", "p"], ["alice", "s3cret"]])(
        "a Location embedding credentials (%s:%s) is RequestRefused(CredentialsInUrl), and they are not shown",
        ([user, password]) =>
          Effect.gen(function*() {
            const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ landed: "x" })]] })
            yield* server.route("GET", "/go", Reply.redirect(302, `http://${user}:${password}@127.0.0.1:${server.port}/x`))
            const client = yield* clientOn(server, kind)
            const error = yield* Effect.flip(client.get("/go"))
            if (error._tag !== "RequestRefused") return expect.fail(`expected RequestRefused, got ${error._tag}`)
            expect(error.reason).toBe("CredentialsInUrl")
            expect(error.request.url).toBe(`${server.url}/x`)
            for (const shown of [error.message, error.request.url, error.detail, JSON.stringify(error)]) {
              expect(shown).not.toContain(`${user}:${password}`)
              expect(shown).not.toContain(`:${password}@`)
              if (password.length > 1) expect(shown).not.toContain(password)
            }
            expect(yield* server.requests("/x")).toEqual([])
          })
      )
    })
  })
}

describe("https to http (unit test of follow, not on the wire: there is no TLS test server)", () => {
  const prepared = (options: CourierConfig.Options) =>
    Effect.flatMap(CourierClient.CourierClient, (client) =>
      Effect.map(
        client.prepare("GET", "https://example.test/a", { headers: { authorization: "Bearer t", "x-trace": "1" } }),
        (request) => ({ config: client.config, request })
      )).pipe(Effect.provide(FetchTransport.layerClient({ baseUrl: "https://example.test", ...options })))

  it.effect("is refused with InsecureRedirect by default", () =>
    Effect.gen(function*() {
      const { config, request } = yield* prepared({})
      const next = follow(config, request, 302, "http://example.test/b")
      if (!("reason" in next)) return expect.fail("the downgrade was followed")
      expect(next.reason).toBe("InsecureRedirect")
      expect(next.info.url).toBe("http://example.test/b")
      // Staying on https is fine.
      expect("reason" in follow(config, request, 302, "https://example.test/b")).toBe(false)
    }))

  it.effect("is followed with allowInsecureRedirects, as another origin: credentials dropped", () =>
    Effect.gen(function*() {
      const { config, request } = yield* prepared({ allowInsecureRedirects: true })
      const next = follow(config, request, 302, "http://example.test/b")
      if ("reason" in next) return expect.fail(`refused: ${next.reason}`)
      expect(next.url.href).toBe("http://example.test/b")
      expect(next.headers["authorization"]).toBeUndefined()
      expect(next.headers["x-trace"]).toBe("1")
    }))
})
