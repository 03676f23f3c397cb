import { describe, expect, it } from "@effect/vitest"
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
import { client, server } from "./support.js"

const json = (value: unknown) => (_: unknown, res: import("node:http").ServerResponse) => {
  res.setHeader("content-type", "application/json")
  res.end(JSON.stringify(value))
}

describe("requests on the wire", () => {
  it.live("path parameters, query, default and call headers", () =>
    Effect.gen(function*() {
      const s = yield* server(json({ id: 1, title: "hello" }))
      const c = yield* client({ baseUrl: `${s.url}/api/`, headers: { "x-app": "notes", "x-drop": "1" } })
      const post = yield* c.get("/posts/{id}", {
        params: { id: "a/b" },
        query: { q: "a b", tags: ["x", "y"], skip: undefined },
        headers: { "X-Call": "yes", "x-drop": undefined },
        schema: Schema.Struct({ id: Schema.Number, title: Schema.String })
      })
      expect(post).toEqual({ id: 1, title: "hello" })
      const seen = s.seen[0]!
      expect(seen.method).toBe("GET")
      expect(seen.url).toBe("/api/posts/a%2Fb?q=a+b&tags=x&tags=y")
      expect(seen.headers["x-app"]).toBe("notes")
      expect(seen.headers["x-call"]).toBe("yes")
      expect(seen.headers["x-drop"]).toBeUndefined()
      expect(seen.headers["accept"]).toBe("application/json, text/plain, */*")
      expect(seen.headers["accept-encoding"]).toBe("gzip, deflate, br")
    }).pipe(Effect.scoped))

  it.live("bodies: json (with its schema), text, bytes, form, multipart, stream", () =>
    Effect.gen(function*() {
      const s = yield* server((_, res) => res.end())
      const c = yield* client({ baseUrl: s.url })
      const Dated = Schema.Struct({ n: Schema.NumberFromString })
      yield* c.post("/json", { body: Body.json({ n: 5 }, { schema: Dated }), responseType: "none" })
      yield* c.put("/text", { body: Body.text("hello"), responseType: "none" })
      yield* c.patch("/bytes", { body: Body.bytes(new Uint8Array([1, 2, 3])), responseType: "none" })
      yield* c.post("/form", { body: Body.form({ a: "1 2", b: [true, false] }), responseType: "none" })
      yield* c.post("/multi", {
        body: Body.multipart([Body.field("name", "x"), Body.filePart("f", "a.txt", new TextEncoder().encode("abc"), "text/plain")]),
        responseType: "none"
      })
      yield* c.post("/stream", {
        body: Body.stream(Stream.make(new TextEncoder().encode("ab"), new TextEncoder().encode("cd")), { contentType: "text/plain" }),
        responseType: "none"
      })
      const [j, t, b, f, m, st] = s.seen
      expect(j!.headers["content-type"]).toBe("application/json")
      expect(j!.body.toString()).toBe("{\"n\":\"5\"}")
      expect(t!.method).toBe("PUT")
      expect(t!.headers["content-type"]).toBe("text/plain; charset=utf-8")
      expect(t!.body.toString()).toBe("hello")
      expect(b!.method).toBe("PATCH")
      expect([...b!.body]).toEqual([1, 2, 3])
      expect(f!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(f!.body.toString()).toBe("a=1+2&b=true&b=false")
      const boundary = /boundary=(.+)$/.exec(m!.headers["content-type"]!)![1]!
      expect(m!.body.toString()).toBe(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n` +
          `--${boundary}--\r\n`
      )
      expect(st!.headers["content-type"]).toBe("text/plain")
      expect(st!.body.toString()).toBe("abcd")
    }).pipe(Effect.scoped))

  it.live("responseType text, bytes, none, json; exchange; stream", () =>
    Effect.gen(function*() {
      const s = yield* server((req, res) => {
        res.setHeader("x-total", "7")
        res.setHeader("content-type", "application/json")
        res.end(req.url === "/empty" ? "" : "[1,2]")
      })
      const c = yield* client({ baseUrl: s.url })
      expect(yield* c.get("/", { responseType: "text" })).toBe("[1,2]")
      expect([...(yield* c.get("/", { responseType: "bytes" }))]).toEqual([...new TextEncoder().encode("[1,2]")])
      expect(yield* c.get("/", { responseType: "none" })).toBeUndefined()
      expect(yield* c.get("/")).toEqual([1, 2])
      expect(yield* c.get("/empty")).toBeUndefined()
      const ex = yield* c.exchange("GET", "/", { schema: Schema.Array(Schema.Number) })
      expect(ex).toEqual({ status: 200, headers: expect.objectContaining({ "x-total": "7" }), body: [1, 2] })
      const chunks = yield* Stream.runCollect(c.stream("GET", "/"))
      expect(new TextDecoder().decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])))).toBe("[1,2]")
      expect(yield* c.head("/", { responseType: "text" })).toBe("")
      expect(s.seen.at(-1)!.method).toBe("HEAD")
    }).pipe(Effect.scoped))

  it.live("acceptStatus makes a status an answer", () =>
    Effect.gen(function*() {
      const s = yield* server((_, res) => {
        res.statusCode = 404
        res.end("{\"missing\":true}")
      })
      const c = yield* client({ baseUrl: s.url })
      const ex = yield* c.exchange("GET", "/", { acceptStatus: [404] })
      expect(ex.status).toBe(404)
      expect(ex.body).toEqual({ missing: true })
    }).pipe(Effect.scoped))
})

describe("the decoration seam", () => {
  it.live("layerDecorate wraps execute; every call method goes through it", () =>
    Effect.gen(function*() {
      const s = yield* server((_, res) => res.end("{}"))
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
      expect(s.seen.map((seen) => seen.headers["x-request-id"])).toEqual(["id-1", "id-1", "id-1"])
    }).pipe(Effect.scoped))

  it.live("a header setHeader refuses fails the call before anything is sent", () =>
    Effect.gen(function*() {
      const s = yield* server((_, res) => res.end("{}"))
      const c = yield* client({ baseUrl: s.url })
      const bad = CourierClient.decorate(c, (execute) => (request) =>
        execute(CourierRequest.setHeader(request, "x-token", "a\r\nInjected: 1")))
      const error = yield* Effect.flip(bad.get("/"))
      expect(error._tag).toBe("RequestRefused")
      expect(error._tag === "RequestRefused" && error.reason).toBe("InvalidHeader")
      expect(error.message).not.toContain("Injected")
      expect(s.seen).toHaveLength(0)
      expect(CourierRequest.isValidHeader("x-token", "a\r\nb")).toBe(false)
    }).pipe(Effect.scoped))
})
