import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Body from "../src/Body.js"
import * as CourierClient from "../src/CourierClient.js"
import * as CourierConfig from "../src/CourierConfig.js"
import * as CourierRequest from "../src/CourierRequest.js"
import * as NodeTransport from "../src/NodeTransport.js"
import { client } from "./support.js"

const text = new TextEncoder()

describe("requests on the wire", () => {
  it.live("path parameters, query, default and call headers", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/api/posts/*", Reply.json({ id: 1, title: "hello" })]] })
      const c = yield* client({ baseUrl: `${s.url}/api/`, headers: { "x-app": "notes", "x-drop": "1" } })
      const post = yield* c.get("/posts/{id}", {
        params: { id: "a/b" },
        query: { q: "a b", tags: ["x", "y"], skip: undefined },
        headers: { "X-Call": "yes", "x-drop": undefined },
        schema: Schema.Struct({ id: Schema.Number, title: Schema.String })
      })
      expect(post).toEqual({ id: 1, title: "hello" })
      const [seen] = yield* s.journal
      expect(seen!.method).toBe("GET")
      expect(seen!.path).toBe("/api/posts/a%2Fb?q=a+b&tags=x&tags=y")
      expect(seen!.headers["x-app"]).toBe("notes")
      expect(seen!.headers["x-call"]).toBe("yes")
      expect(seen!.headers["x-drop"]).toBeUndefined()
      expect(seen!.headers["accept"]).toBe("application/json, text/plain, */*")
      expect(seen!.headers["accept-encoding"]).toBe("gzip, deflate, br")
    }).pipe(Effect.scoped))

  it.live("bodies: json (with its schema), text, bytes, form, multipart, stream", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["*", "/*", Reply.empty]] })
      const c = yield* client({ baseUrl: s.url })
      const Numeric = Schema.Struct({ n: Schema.NumberFromString })
      yield* c.post("/json", { body: Body.json({ n: 5 }, { schema: Numeric }), responseType: "none" })
      yield* c.put("/text", { body: Body.text("hello"), responseType: "none" })
      yield* c.patch("/bytes", { body: Body.bytes(new Uint8Array([1, 2, 3])), responseType: "none" })
      yield* c.post("/form", { body: Body.form({ a: "1 2", b: [true, false] }), responseType: "none" })
      yield* c.post("/multi", {
        body: Body.multipart([Body.field("name", "x"), Body.filePart("f", "a.txt", text.encode("abc"), "text/plain")]),
        responseType: "none"
      })
      yield* c.post("/stream", {
        body: Body.stream(Stream.make(text.encode("ab"), text.encode("cd")), { contentType: "text/plain" }),
        responseType: "none"
      })
      const [j, t, b, f, m, st] = yield* s.journal
      expect(j!.headers["content-type"]).toBe("application/json")
      expect(j!.bodyText).toBe("{\"n\":\"5\"}")
      expect(t!.method).toBe("PUT")
      expect(t!.headers["content-type"]).toBe("text/plain; charset=utf-8")
      expect(t!.bodyText).toBe("hello")
      expect(b!.method).toBe("PATCH")
      expect([...b!.body]).toEqual([1, 2, 3])
      expect(f!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(f!.bodyText).toBe("a=1+2&b=true&b=false")
      const boundary = /boundary=(.+)$/.exec(m!.headers["content-type"] as string)![1]!
      expect(m!.bodyText).toBe(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n` +
          `--${boundary}--\r\n`
      )
      expect(st!.headers["content-type"]).toBe("text/plain")
      expect(st!.bodyText).toBe("abcd")
      expect(st!.bodyComplete).toBe(true)
    }).pipe(Effect.scoped))

  it.live("multipart with a streamed file part: framed like the buffered one, sent again on a 307", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["POST", "/up", Reply.redirect(307, "/final")], ["POST", "/final", Reply.empty]]
      })
      const c = yield* client({ baseUrl: s.url })
      const chunks = () => Stream.make(text.encode("ab"), text.encode("c"))
      const parts = (size: number | undefined) => [
        Body.field("name", "x"),
        Body.streamPart("f", "a.txt", chunks, size === undefined ? { contentType: "text/plain" } : { contentType: "text/plain", size })
      ]
      yield* c.post("/up", { body: Body.multipart(parts(3)), responseType: "none" })
      yield* c.post("/final", { body: Body.multipart(parts(undefined)), responseType: "none" })
      const [first, again, unsized] = yield* s.journal
      for (const entry of [first!, again!, unsized!]) {
        const boundary = /boundary=(.+)$/.exec(entry.headers["content-type"] as string)![1]!
        expect(entry.bodyText).toBe(
          `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n` +
            `--${boundary}--\r\n`
        )
      }
      expect(again!.path).toBe("/final")
      expect(Number(first!.headers["content-length"])).toBe(first!.body.byteLength)
      expect(unsized!.headers["content-length"]).toBeUndefined()
      expect(unsized!.headers["transfer-encoding"]).toBe("chunked")
    }).pipe(Effect.scoped))

  it.live("responseType text, bytes, none, json; exchange; stream; HEAD", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.json([1, 2], { headers: { "x-total": "7" } })], ["GET", "/empty", Reply.status(200)]]
      })
      const c = yield* client({ baseUrl: s.url })
      expect(yield* c.get("/", { responseType: "text" })).toBe("[1,2]")
      expect([...(yield* c.get("/", { responseType: "bytes" }))]).toEqual([...text.encode("[1,2]")])
      expect(yield* c.get("/", { responseType: "none" })).toBeUndefined()
      expect(yield* c.get("/")).toEqual([1, 2])
      expect(yield* c.get("/empty")).toBeUndefined()
      const ex = yield* c.exchange("GET", "/", { schema: Schema.Array(Schema.Number) })
      expect(ex).toEqual({ status: 200, headers: expect.objectContaining({ "x-total": "7" }), body: [1, 2] })
      const chunks = yield* Stream.runCollect(c.stream("GET", "/"))
      expect(new TextDecoder().decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])))).toBe("[1,2]")
      expect(yield* c.head("/", { responseType: "text" })).toBe("")
      expect((yield* s.journal).at(-1)!.method).toBe("HEAD")
    }).pipe(Effect.scoped))

  it.live("arrayFormat, and credentials in the URL sent as Basic when asked", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/*", Reply.json({})]] })
      const csv = yield* client({ baseUrl: s.url, arrayFormat: "csv" })
      yield* csv.get("/a", { query: { ids: [1, 2, 3] } })
      const brackets = yield* client({ baseUrl: s.url, arrayFormat: "brackets" })
      yield* brackets.get("/b", { query: { ids: [1, 2] } })
      const basic = yield* client({ baseUrl: s.url, urlCredentials: "basic" })
      yield* basic.get(`${s.url.replace("http://", "http://ann:p%40ss@")}/c`)
      const [a, b, c] = yield* s.journal
      expect(a!.path).toBe("/a?ids=1%2C2%2C3")
      expect(b!.path).toBe("/b?ids%5B%5D=1&ids%5B%5D=2")
      expect(c!.path).toBe("/c")
      expect(c!.headers["authorization"]).toBe(`Basic ${Buffer.from("ann:p@ss").toString("base64")}`)
    }).pipe(Effect.scoped))

  it.live("acceptStatus makes a status an answer", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.json({ missing: true }, { status: 404 })]] })
      const c = yield* client({ baseUrl: s.url })
      const ex = yield* c.exchange("GET", "/", { acceptStatus: [404] })
      expect(ex.status).toBe(404)
      expect(ex.body).toEqual({ missing: true })
      const other = yield* c.exchange("GET", "/", { acceptStatus: (status) => status === 410 }).pipe(Effect.flip)
      expect(other._tag).toBe("BadResponse")
    }).pipe(Effect.scoped))

  it.live("connections are kept alive between calls", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.json({})]] })
      const c = yield* client({ baseUrl: s.url })
      // undici frees a socket one event-loop turn after a response ends (it
      // waits to see the server keep its word), so a call sent in the same turn
      // may open a second connection; after that the pool reuses them.
      for (let i = 0; i < 6; i++) yield* c.get("/")
      expect(yield* s.totalConnections).toBeLessThanOrEqual(2)
    }).pipe(Effect.scoped))
})

describe("exchange by status", () => {
  it.live("each status named in schemas is an answer decoded by its schema; others fail", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/found", Reply.json({ id: 1 })],
          ["GET", "/missing", Reply.json({ reason: "gone" }, { status: 404 })],
          ["GET", "/broken", Reply.json({}, { status: 500 })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      const schemas = {
        200: Schema.Struct({ id: Schema.Number }),
        404: Schema.Struct({ reason: Schema.String })
      }
      const found = yield* c.exchange("GET", "/found", { schemas })
      expect(found.status === 200 && found.body.id).toBe(1)
      const missing = yield* c.exchange("GET", "/missing", { schemas })
      expect(missing.status === 404 && missing.body.reason).toBe("gone")
      const broken = yield* Effect.flip(c.exchange("GET", "/broken", { schemas }))
      expect(broken._tag === "BadResponse" && broken.status).toBe(500)
    }).pipe(Effect.scoped))
})

describe("the decoration seam", () => {
  it.live("layerDecorate wraps execute; every call method goes through it", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["*", "/*", Reply.json({})]] })
      const Tagged = CourierClient.layerDecorate((execute) =>
        Effect.succeed((request: CourierRequest.CourierRequest) =>
          execute(CourierRequest.setHeader(request, "x-request-id", `id-${request.attempt}`)))
      )
      const layer = Tagged.pipe(
        Layer.provide(CourierClient.layer),
        Layer.provide(NodeTransport.layer()),
        Layer.provide(CourierConfig.layer({ baseUrl: s.url }))
      )
      const c = Context.get(yield* Layer.build(layer), CourierClient.CourierClient)
      yield* c.get("/a")
      yield* c.exchange("POST", "/b", { responseType: "none" })
      yield* Stream.runDrain(c.stream("GET", "/c"))
      expect((yield* s.journal).map((seen) => seen.headers["x-request-id"])).toEqual(["id-1", "id-1", "id-1"])
    }).pipe(Effect.scoped))

  it.live("a header setHeader refuses fails the call before anything is sent", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["*", "/*", Reply.json({})]] })
      const c = yield* client({ baseUrl: s.url })
      const bad = CourierClient.decorate(c, (execute) => (request) =>
        execute(CourierRequest.setHeader(request, "x-token", "a\r\nInjected: 1")))
      const error = yield* Effect.flip(bad.get("/"))
      expect(error._tag).toBe("RequestRefused")
      expect(error._tag === "RequestRefused" && error.reason).toBe("InvalidHeader")
      expect(error.message).not.toContain("Injected")
      expect(yield* s.journal).toHaveLength(0)
      expect(CourierRequest.isValidHeader("x-token", "a\r\nb")).toBe(false)
    }).pipe(Effect.scoped))

  it.live("hop hooks run on every hop, what they add stays on that hop", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/from", Reply.redirect(302, "/to")], ["GET", "/to", Reply.json({ ok: true })]]
      })
      const c = yield* client({ baseUrl: s.url })
      const statuses: Array<number> = []
      const hooked = CourierClient.decorate(c, (execute) => (request) =>
        execute(CourierRequest.addHopHook(request, {
          onRequest: (hop) => Effect.succeed(CourierRequest.setHeader(hop, "x-hop", hop.url.pathname)),
          onResponse: (_, response) => Effect.sync(() => statuses.push(response.status))
        })))
      yield* hooked.get("/from")
      expect((yield* s.journal).map((entry) => entry.headers["x-hop"])).toEqual(["/from", "/to"])
      expect(statuses).toEqual([302, 200])
    }).pipe(Effect.scoped))
})
