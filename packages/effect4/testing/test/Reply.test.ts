import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as Zlib from "node:zlib"
import { fetchEffect, raw, textOf } from "./helpers.js"

describe("Reply", () => {
  it.live("json sends the body, content-type, content-length, and overrides", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/a", Reply.json({ hello: "world" })],
          ["GET", "/b", Reply.json([1, 2], { status: 201, headers: { "X-Trace": "t1", "set-cookie": ["a=1", "b=2"] } })]
        ]
      })
      const a = yield* raw(`${server.url}/a`)
      expect(a.status).toBe(200)
      expect(a.headers["content-type"]).toBe("application/json")
      expect(a.headers["content-length"]).toBe(String(a.body.length))
      expect(JSON.parse(a.body.toString())).toEqual({ hello: "world" })

      const b = yield* raw(`${server.url}/b`)
      expect(b.status).toBe(201)
      expect(b.headers["x-trace"]).toBe("t1")
      expect(b.headers["set-cookie"]).toEqual(["a=1", "b=2"])
      expect(JSON.parse(b.body.toString())).toEqual([1, 2])
    }))

  it.live("text, bytes, status, empty and redirect", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/text", Reply.text("héllo")],
          ["GET", "/bytes", Reply.bytes(new Uint8Array([0, 1, 255]))],
          ["GET", "/teapot", Reply.status(418, { headers: { "retry-after": "1" } })],
          ["GET", "/empty", Reply.empty],
          ["GET", "/moved", Reply.redirect(307, "/text")]
        ]
      })
      const text = yield* raw(`${server.url}/text`)
      expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8")
      expect(text.body.toString("utf8")).toBe("héllo")
      expect(text.headers["content-length"]).toBe("6")

      const bytes = yield* raw(`${server.url}/bytes`)
      expect(bytes.headers["content-type"]).toBe("application/octet-stream")
      expect([...bytes.body]).toEqual([0, 1, 255])

      const teapot = yield* raw(`${server.url}/teapot`)
      expect(teapot.status).toBe(418)
      expect(teapot.headers["retry-after"]).toBe("1")
      expect(teapot.headers["content-length"]).toBe("0")
      expect(teapot.body.length).toBe(0)

      const empty = yield* raw(`${server.url}/empty`)
      expect(empty.status).toBe(204)
      expect(empty.body.length).toBe(0)

      const moved = yield* fetchEffect(`${server.url}/moved`, { redirect: "manual" })
      expect(moved.status).toBe(307)
      expect(moved.headers.get("location")).toBe("/text")
      const followed = yield* fetchEffect(`${server.url}/moved`)
      expect(yield* textOf(followed)).toBe("héllo")
      expect((yield* server.journal).map((entry) => entry.path)).toEqual([
        "/text",
        "/bytes",
        "/teapot",
        "/empty",
        "/moved",
        "/moved",
        "/text"
      ])
    }))

  it.live("encoded compresses in order and labels the codings", () =>
    Effect.gen(function*() {
      const body = "compress me ".repeat(100)
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/gzip-br", Reply.encoded(body, ["gzip", "br"])],
          ["GET", "/deflate", Reply.encoded(body, ["deflate"])],
          ["GET", "/gzip", Reply.gzip(body, { headers: { "content-type": "text/csv" } })]
        ]
      })
      const both = yield* raw(`${server.url}/gzip-br`)
      expect(both.headers["content-encoding"]).toBe("gzip, br")
      expect(both.headers["content-length"]).toBe(String(both.body.length))
      expect(both.body.length).toBeLessThan(body.length)
      // Codings are undone in reverse order of application.
      expect(Zlib.gunzipSync(Zlib.brotliDecompressSync(both.body)).toString()).toBe(body)

      const deflate = yield* raw(`${server.url}/deflate`)
      expect(deflate.headers["content-encoding"]).toBe("deflate")
      expect(Zlib.inflateSync(deflate.body).toString()).toBe(body)

      const gzip = yield* raw(`${server.url}/gzip`)
      expect(gzip.headers["content-encoding"]).toBe("gzip")
      expect(gzip.headers["content-type"]).toBe("text/csv")
      expect(Zlib.gunzipSync(gzip.body).toString()).toBe(body)

      // A client that decodes content-encoding sees the original text.
      expect(yield* textOf(yield* fetchEffect(`${server.url}/gzip-br`))).toBe(body)
    }))

  it.live("sequence gives the n-th reply to the n-th request, then repeats the last", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      yield* server.route("GET", "/flaky", Reply.sequence([Reply.status(503), Reply.status(429), Reply.text("ok")]))
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) statuses.push((yield* raw(`${server.url}/flaky`)).status)
      expect(statuses).toEqual([503, 429, 200, 200, 200])

      // Registering the route again starts the sequence over.
      yield* server.route("GET", "/flaky", Reply.sequence([Reply.status(500), Reply.text("ok")]))
      expect((yield* raw(`${server.url}/flaky`)).status).toBe(500)
      expect((yield* raw(`${server.url}/flaky`)).status).toBe(200)

      yield* server.route("GET", "/none", Reply.sequence([]))
      expect((yield* raw(`${server.url}/none`)).status).toBe(500)
    }))

  it.live("delay waits before replying, inside a sequence too", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/slow", Reply.sequence([Reply.delay("150 millis", Reply.text("late")), Reply.text("fast")])]]
      })
      const slow = yield* raw(`${server.url}/slow`)
      expect(slow.body.toString()).toBe("late")
      expect(slow.headersAt).toBeGreaterThanOrEqual(140)
      const fast = yield* raw(`${server.url}/slow`)
      expect(fast.body.toString()).toBe("fast")
    }))

  it.live("stall never answers; the client's abort closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["*", "/stall", Reply.stall]] })
      const error = yield* Effect.flip(fetchEffect(`${server.url}/stall`, { signal: AbortSignal.timeout(300) }))
      expect((error as Error).name).toBe("TimeoutError")
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      expect(yield* server.openConnections).toBe(0)
      expect(yield* server.totalConnections).toBe(1)
      const [entry] = yield* server.requests("/stall")
      expect(entry?.method).toBe("GET")
    }))

  it.live("stallAfterHeaders sends the head, then nothing", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/head-only", Reply.stallAfterHeaders({ status: 200, declaredLength: 100 })]]
      })
      const response = yield* fetchEffect(`${server.url}/head-only`, { signal: AbortSignal.timeout(300) })
      expect(response.status).toBe(200)
      expect(response.headers.get("content-length")).toBe("100")
      const error = yield* Effect.flip(textOf(response))
      expect((error as Error).name).toBe("TimeoutError")
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("drip sends count chunks, one per interval", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/drip", Reply.drip({ chunk: "tick;", interval: "60 millis", count: 5 })]]
      })
      const response = yield* raw(`${server.url}/drip`)
      expect(response.headers["transfer-encoding"]).toBe("chunked")
      expect(response.body.toString()).toBe("tick;".repeat(5))
      // Headers come first, the body over about 5 intervals (300 ms); bounds are generous.
      expect(response.chunkTimes[0]).toBeGreaterThanOrEqual(response.headersAt)
      expect(response.endAt - response.headersAt).toBeGreaterThanOrEqual(180)
      expect(response.endAt - response.headersAt).toBeLessThan(3_000)
      expect(response.chunkTimes.length).toBeGreaterThanOrEqual(3)
    }))

  it.live("drip honours a content-length from the headers", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [[
          "GET",
          "/drip",
          Reply.drip({ chunk: new Uint8Array([1, 2]), interval: "10 millis", count: 3, headers: { "content-length": "6" } })
        ]]
      })
      const response = yield* raw(`${server.url}/drip`)
      expect(response.headers["content-length"]).toBe("6")
      expect(response.headers["transfer-encoding"]).toBeUndefined()
      expect([...response.body]).toEqual([1, 2, 1, 2, 1, 2])
    }))

  it.live("closeMidBody declares more than it sends, then closes", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/cut", Reply.closeMidBody({ declaredLength: 100, body: "only this" })]]
      })
      const response = yield* fetchEffect(`${server.url}/cut`)
      expect(response.headers.get("content-length")).toBe("100")
      const error = yield* Effect.flip(textOf(response))
      expect(error).toBeInstanceOf(TypeError)

      const rawError = yield* Effect.flip(raw(`${server.url}/cut`))
      expect(rawError.code).toBe("ECONNRESET")
      expect(rawError.message).toBe("aborted")
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("reset aborts the connection with a TCP RST", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/rst", Reply.reset]] })
      const error = yield* Effect.flip(raw(`${server.url}/rst`, { method: "POST", body: "payload" }))
      expect(error.code).toBe("ECONNRESET")
      // "read ECONNRESET" comes from the RST; a plain close would be "socket hang up".
      expect(error.syscall).toBe("read")

      const fetchError = yield* Effect.flip(fetchEffect(`${server.url}/rst`, { method: "POST", body: "payload" }))
      expect((fetchError as Error & { cause?: { code?: string } }).cause?.code).toBe("ECONNRESET")
      expect((yield* server.requests("/rst")).length).toBe(2)
    }))

  it.live("echo describes the request", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["*", "/echo/*", Reply.echo]] })
      const response = yield* raw(`${server.url}/echo/x?a=1&b=2&a=3`, {
        method: "PUT",
        headers: { "X-Custom": "yes", "content-type": "text/plain" },
        body: "ping"
      })
      expect(response.status).toBe(200)
      const echoed = JSON.parse(response.body.toString()) as Reply.EchoBody
      expect(echoed.method).toBe("PUT")
      expect(echoed.path).toBe("/echo/x")
      expect(echoed.query).toEqual({ a: ["1", "3"], b: "2" })
      expect(echoed.headers["x-custom"]).toBe("yes")
      expect(echoed.body).toBe("ping")
    }))

  it.live("custom hands over the node request and response", () =>
    Effect.gen(function*() {
      const handler = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          response.writeHead(202, { "x-length": String(Buffer.concat(chunks).length) })
          response.end("custom")
        })
      }
      const server = yield* TestServer.make({
        routes: [["POST", "/custom", Reply.custom(handler)], ["GET", "/throws", Reply.custom(() => {
          throw new Error("boom")
        })]]
      })
      const response = yield* raw(`${server.url}/custom`, { method: "POST", body: "12345" })
      expect(response.status).toBe(202)
      expect(response.headers["x-length"]).toBe("5")
      expect(response.body.toString()).toBe("custom")
      const [entry] = yield* server.requests("/custom")
      expect(entry?.bodyText).toBe("12345")
      expect(entry?.bodyComplete).toBe(true)

      const thrown = yield* raw(`${server.url}/throws`)
      expect(thrown.status).toBe(500)
      expect(thrown.body.toString()).toContain("boom")
    }))

  it.live("ignoreBody answers without reading the body", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/ignore", Reply.ignoreBody(Reply.status(413))]] })
      const response = yield* raw(`${server.url}/ignore`, { method: "POST", body: "x".repeat(1000) })
      expect(response.status).toBe(413)
      const [entry] = yield* server.requests("/ignore")
      expect(entry?.bodyComplete).toBe(false)
      expect(entry?.body.length).toBe(0)
      expect(entry?.headers["content-length"]).toBe("1000")
    }))

  it.live("stallReadingBody blocks a large upload", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["PUT", "/upload", Reply.stallReadingBody]] })
      const size = 32 * 1024 * 1024
      const sent = yield* Effect.callback<number>((resume) => {
        const request = Http.request(`${server.url}/upload`, {
          method: "PUT",
          agent: false,
          headers: { "content-length": String(size) }
        })
        request.on("error", () => {})
        let written = 0
        const chunk = Buffer.alloc(64 * 1024)
        // Write while the socket accepts; once the peer stops reading, the buffers fill and writes stall.
        const pump = (): void => {
          while (written < size) {
            written += chunk.length
            if (!request.write(chunk)) {
              request.once("drain", pump)
              return
            }
          }
          request.end()
        }
        pump()
        const timer = setTimeout(() => {
          request.destroy()
          resume(Effect.succeed(written))
        }, 300)
        return Effect.sync(() => clearTimeout(timer))
      })
      expect(sent).toBeLessThan(size)
      const [entry] = yield* server.requests("/upload")
      expect(entry?.method).toBe("PUT")
      expect(entry?.bodyComplete).toBe(false)
      // A peer that stops reading cannot see the client's FIN queued behind unread bytes:
      // the connection stays open on the server side until the server's scope closes.
      expect(yield* server.openConnections).toBe(1)
    }))
})

describe("Reply durations", () => {
  it("are stored in milliseconds, from any Duration.Input", () => {
    expect(Reply.drip({ chunk: "x", interval: "60 millis", count: 1 }).intervalMillis).toBe(60)
    expect(Reply.delay("2 seconds", Reply.stall).millis).toBe(2_000)
    expect(Reply.delay(Duration.minutes(1))(Reply.stall).millis).toBe(60_000)
    expect(Reply.delay("Infinity", Reply.stall).millis).toBe(Infinity)
  })
})
