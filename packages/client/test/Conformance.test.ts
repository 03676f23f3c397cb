import { Body } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { clientOn, closedPort, transports } from "./support.js"

// One suite, every transport: what a program observes must not depend on
// whether undici or fetch carries the bytes.

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const Posts = Schema.Array(Post)
const ApiError = Schema.Struct({ code: Schema.String, detail: Schema.String })

const posts = [{ id: 1, title: "one" }, { id: 2, title: "two" }]

for (const kind of transports) {
  describe(`conformance on ${kind}`, () => {
    describe("requests on the wire", () => {
      it.scopedLive("GET with query and default headers", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/api/posts", Reply.json(posts)]] })
          const client = yield* clientOn(server, kind, { baseUrl: `${server.url}/api`, headers: { "x-app": "demo" } })
          const result = yield* client.get("/posts", { query: { userId: 1, tag: ["a", "b"] }, schema: Posts })
          expect(result).toEqual(posts)
          const [entry] = yield* server.journal
          expect(entry.method).toBe("GET")
          expect(entry.path).toBe("/api/posts?userId=1&tag=a&tag=b")
          expect(entry.headers["x-app"]).toBe("demo")
          expect(entry.headers["accept"]).toBe("application/json, text/plain, */*")
        }))

      it.scopedLive("a per-request header overrides a default one, undefined removes it", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/h", Reply.json({})]] })
          const client = yield* clientOn(server, kind, { headers: { "x-a": "default", "x-b": "default" } })
          yield* client.get("/h", { headers: { "X-A": "mine", "x-b": undefined } })
          const [entry] = yield* server.journal
          expect(entry.headers["x-a"]).toBe("mine")
          expect(entry.headers["x-b"]).toBeUndefined()
        }))

      it.scopedLive.each([
        ["json", Body.json({ a: 1, b: "é" }), "application/json", "{\"a\":1,\"b\":\"é\"}"],
        ["text", Body.text("hello"), "text/plain; charset=utf-8", "hello"],
        ["bytes", Body.bytes(new Uint8Array([1, 2, 3])), "application/octet-stream", "\u0001\u0002\u0003"],
        ["form", Body.form({ a: 1, b: ["x", "y"], c: "a&b=c" }), "application/x-www-form-urlencoded", "a=1&b=x&b=y&c=a%26b%3Dc"]
      ] as const)("POST a %s body", ([, body, contentType, text]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["POST", "/echo", Reply.echo]] })
          const client = yield* clientOn(server, kind)
          yield* client.post("/echo", { body })
          const [entry] = yield* server.journal
          expect(entry.headers["content-type"]).toBe(contentType)
          expect(entry.bodyText).toBe(text)
          expect(entry.bodyComplete).toBe(true)
        }))

      it.scopedLive("a large body and a streamed body arrive byte for byte", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["PUT", "/upload", Reply.status(204)]] })
          const client = yield* clientOn(server, kind)
          const big = new Uint8Array(1024 * 1024 + 7).map((_, i) => i % 251)
          yield* client.put("/upload", { body: Body.bytes(big), responseType: "none" })
          const chunks = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array(100_000).fill(9)]
          yield* client.put("/upload", {
            body: Body.stream(Stream.fromIterable(chunks), { contentType: "application/x-test" }),
            responseType: "none"
          })
          const [first, second] = yield* server.journal
          expect(first.body.byteLength).toBe(big.byteLength)
          expect(Buffer.compare(first.body, big)).toBe(0)
          expect(second.headers["content-type"]).toBe("application/x-test")
          expect(second.body.byteLength).toBe(100_003)
          expect(second.body.subarray(0, 3)).toEqual(new Uint8Array([1, 2, 3]))
        }))

      it.scopedLive("a custom method is sent as written", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["PROPFIND", "/dav", Reply.status(207)]] })
          const client = yield* clientOn(server, kind)
          yield* client.request("PROPFIND", "/dav", { responseType: "none" })
          const [entry] = yield* server.journal
          expect(entry.method).toBe("PROPFIND")
        }))
    })

    describe("refused before sending", () => {
      it.scopedLive("nothing reaches the wire", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["*", "/*", Reply.json({})]] })
          const client = yield* clientOn(server, kind, { baseUrl: `${server.url}/api` })
          const failures = yield* Effect.all([
            Effect.flip(client.get("/x", { headers: { "x-a": "1\r\nx-injected: yes" } })),
            Effect.flip(client.request("GET\r\nX", "/x")),
            Effect.flip(client.get("http://127.0.0.2:1/x")),
            Effect.flip(client.get("/../x")),
            Effect.flip(client.get("ftp://127.0.0.1/x")),
            Effect.flip(client.get("/{id}", { params: { id: ".." } })),
            Effect.flip(client.post("/x", { body: Body.json({ n: 1n }) })),
            Effect.flip(client.get("/x", { body: Body.text("no") }))
          ])
          expect(failures.map((e) => e._tag === "RequestRefused" ? e.reason : e._tag)).toEqual([
            "InvalidHeader",
            "InvalidMethod",
            "EscapesBaseUrl",
            "EscapesBaseUrl",
            "UnsupportedScheme",
            "InvalidPathParameter",
            "InvalidBody",
            "InvalidBody"
          ])
          expect(yield* server.journal).toEqual([])
          expect(yield* server.totalConnections).toBe(0)
        }))

      it.scopedLive("deeply nested JSON is a typed refusal, not a stack overflow", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make()
          const client = yield* clientOn(server, kind)
          let value: unknown = 1
          for (let i = 0; i < 200_000; i++) value = [value]
          const error = yield* Effect.flip(client.post("/x", { body: Body.json(value) }))
          expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidBody" })
        }))
    })

    describe("responses", () => {
      it.scopedLive("text and bytes", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/t", Reply.text("héllo")], ["GET", "/b", Reply.bytes(new Uint8Array([0, 255]))]]
          })
          const client = yield* clientOn(server, kind)
          expect(yield* client.get("/t", { responseType: "text" })).toBe("héllo")
          expect(yield* client.get("/b", { responseType: "bytes" })).toEqual(new Uint8Array([0, 255]))
        }))

      it.scopedLive("204, 205, 304 and HEAD decode as no body", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [
              ["DELETE", "/204", Reply.status(204)],
              ["GET", "/304", Reply.status(304)],
              ["GET", "/posts", Reply.json(posts)]
            ]
          })
          const client = yield* clientOn(server, kind)
          expect(yield* client.delete("/204", { schema: Schema.Void })).toBeUndefined()
          expect(yield* client.delete("/204")).toBeUndefined()
          expect(yield* client.head("/posts", { schema: Schema.Undefined })).toBeUndefined()
          const empty = yield* Effect.flip(client.delete("/204", { schema: Post }))
          expect(empty).toMatchObject({ _tag: "Parse", reason: "EmptyBody", status: 204 })
          // 304 is not 2xx: with no cache in between it is a failure the program can branch on.
          expect(yield* Effect.flip(client.get("/304"))).toMatchObject({ _tag: "BadResponse", status: 304 })
        }))

      it.scopedLive("an HTML error page where JSON was expected is a Parse failure with an excerpt", () =>
        Effect.gen(function*() {
          const page = "<!doctype html><html><body>Maintenance</body></html>"
          const server = yield* TestServer.make({
            routes: [["GET", "/posts", Reply.text(page, { headers: { "content-type": "text/html" } })]]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/posts", { schema: Posts }))
          expect(error._tag).toBe("Parse")
          if (error._tag !== "Parse") return
          expect(error.reason).toBe("InvalidJson")
          expect(error.contentType).toBe("text/html")
          expect(error.bodyExcerpt).toBe(page)
          expect(error.message).toContain("not valid JSON")
        }))

      it.scopedLive("a schema mismatch names the path of the offending value", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/posts", Reply.json([{ id: 1, title: "ok" }, { id: "2", title: "bad" }])]]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/posts", { schema: Posts }))
          if (error._tag !== "Parse") return expect.fail(`expected Parse, got ${error._tag}`)
          expect(error.reason).toBe("SchemaMismatch")
          expect(error.issues[0].path).toEqual([1, "id"])
          expect(error.message).toContain("1.id")
          expect(error.bodyExcerpt).toContain("\"bad\"")
        }))

      it.scopedLive("an empty 200 body where the schema expects a value", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.text("")]] })
          const client = yield* clientOn(server, kind)
          expect(yield* Effect.flip(client.get("/x", { schema: Post }))).toMatchObject({ _tag: "Parse", reason: "EmptyBody" })
        }))

      it.scopedLive("the whole response is available for a 2xx", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/x", Reply.json({ a: 1 }, { status: 201, headers: { "x-request-id": "r1" } })]]
          })
          const client = yield* clientOn(server, kind)
          const response = yield* client.response("GET", "/x")
          expect(response.status).toBe(201)
          expect(response.headers["x-request-id"]).toBe("r1")
          expect(response.request.url.href).toBe(`${server.url}/x`)
        }))

      it.scopedLive("a body as a stream of bytes", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/drip", Reply.drip({ chunk: "ab", interval: "5 millis", count: 5 })]]
          })
          const client = yield* clientOn(server, kind)
          const bytes = yield* Stream.runFold(client.stream("GET", "/drip"), 0, (n, chunk) => n + chunk.byteLength)
          expect(bytes).toBe(10)
        }))
    })

    describe("typed failures", () => {
      it.scopedLive("a 401 is Unauthorized", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/me", Reply.json({ error: "expired" }, { status: 401, headers: { "www-authenticate": "Bearer" } })]]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/me"))
          expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, bodyExcerpt: "{\"error\":\"expired\"}" })
          expect(error.message).toContain("GET")
          expect(error.message).toContain("/me")
        }))

      it.scopedLive("any other status is BadResponse with status, headers, excerpt and the decoded error body", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [
              ["GET", "/fail", Reply.json({ code: "E42", detail: "broken" }, { status: 503, headers: { "retry-after": "3" } })],
              ["GET", "/other", Reply.text("plain", { status: 404 })]
            ]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/fail", { schema: Posts, errorSchema: ApiError }))
          if (error._tag !== "BadResponse") return expect.fail(`expected BadResponse, got ${error._tag}`)
          expect(error.status).toBe(503)
          expect(error.headers["retry-after"]).toBe("3")
          expect(error.errorBody).toEqual(Option.some({ code: "E42", detail: "broken" }))
          const other = yield* Effect.flip(client.get("/other", { errorSchema: ApiError }))
          expect(other).toMatchObject({ _tag: "BadResponse", status: 404, bodyExcerpt: "plain", errorBody: Option.none() })
        }))

      it.scopedLive("catchTag branches on the failure, never on a status code", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/missing", Reply.status(404)]] })
          const client = yield* clientOn(server, kind)
          const result = yield* client.get("/missing", { schema: Posts }).pipe(
            Effect.catchTag("BadResponse", (e) => Effect.succeed(`bad ${e.status}`)),
            Effect.catchTag("Parse", () => Effect.succeed("parse"))
          )
          expect(result).toBe("bad 404")
        }))

      it.scopedLive("a refused connection is Network(ConnectionRefused), proving nothing was sent", () =>
        Effect.gen(function*() {
          const port = yield* closedPort
          const server = yield* TestServer.make()
          const client = yield* clientOn(server, kind, { baseUrl: `http://127.0.0.1:${port}` })
          const error = yield* Effect.flip(client.get("/x"))
          if (error._tag !== "Network") return expect.fail(`expected Network, got ${error._tag}`)
          expect(error.reason).toBe("ConnectionRefused")
          expect(error.code).toBe("ECONNREFUSED")
          expect(error.nothingSent).toBe(true)
        }))

      it.scopedLive("a reset before the response is Network(ConnectionReset)", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/reset", Reply.reset]] })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/reset"))
          expect(error).toMatchObject({ _tag: "Network", reason: "ConnectionReset" })
          expect(error).toHaveProperty("nothingSent", false)
        }))

      it.scopedLive("a body cut short of its Content-Length is a Network failure, never a success", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/cut", Reply.closeMidBody({ declaredLength: 1000, body: "{\"partial\":" })]]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/cut", { responseType: "text" }))
          expect(error._tag).toBe("Network")
          // The head had arrived: on every transport the body was cut short.
          expect((error as { reason: string }).reason).toBe("IncompleteBody")
        }))

      it.scopedLive("a failure's excerpt and headers are redacted: error bodies may echo secrets", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [[
              "POST",
              "/login",
              Reply.json({ error: "locked", access_token: "s3cret-a", user: "ann" }, {
                status: 423,
                headers: { "set-cookie": "sid=s3cret-c" }
              })
            ]]
          })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.post("/login", { body: Body.json({ password: "s3cret-p" }) }))
          if (error._tag !== "BadResponse") return expect.fail(`expected BadResponse, got ${error._tag}`)
          expect(error.bodyExcerpt).toContain("\"user\":\"ann\"")
          expect(error.headers["set-cookie"]).toBe("<redacted>")
          expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/s3cret/)
        }))

      it.scopedLive("failures carry the method and a redacted URL", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.status(500)]] })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/x", { query: { access_token: "s3cret", page: 2 } }))
          expect(error.request).toEqual({ method: "GET", url: `${server.url}/x?access_token=<redacted>&page=<redacted>` })
          expect(error.message).not.toContain("s3cret")
          expect(JSON.stringify(error)).not.toContain("s3cret")
        }))
    })
  })
}
