import * as Http from "node:http"
import * as Zlib from "node:zlib"
import { describe, expect, it } from "vitest"
import * as Reply from "../../src/testkit/Reply.js"
import * as TestServer from "../../src/testkit/TestServer.js"
import type { RawError } from "./helpers.js"
import { closing, raw, rejection } from "./helpers.js"

// Each reply as it reaches the wire, read with node:http (the exact bytes)
// or fetch (what a decoding client sees).

const start = (routes: TestServer.Options["routes"]) => closing(TestServer.start({ routes }))

describe("testkit replies on the wire", () => {
  it("json sends the body, content-type, content-length, and overrides", async () => {
    const server = await start([
      ["GET", "/a", Reply.json({ hello: "world" })],
      ["GET", "/b", Reply.json([1, 2], { status: 201, headers: { "X-Trace": "t1", "set-cookie": ["a=1", "b=2"] } })]
    ])
    const a = await raw(`${server.url}/a`)
    expect(a.status).toBe(200)
    expect(a.headers["content-type"]).toBe("application/json")
    expect(a.headers["content-length"]).toBe(String(a.body.length))
    expect(JSON.parse(a.body.toString())).toEqual({ hello: "world" })

    const b = await raw(`${server.url}/b`)
    expect(b.status).toBe(201)
    expect(b.headers["x-trace"]).toBe("t1")
    expect(b.headers["set-cookie"]).toEqual(["a=1", "b=2"])
    expect(JSON.parse(b.body.toString())).toEqual([1, 2])
  })

  it("text, bytes, status, empty and redirect", async () => {
    const server = await start([
      ["GET", "/text", Reply.text("héllo")],
      ["GET", "/bytes", Reply.bytes(new Uint8Array([0, 1, 255]))],
      ["GET", "/teapot", Reply.status(418, { headers: { "retry-after": "1" } })],
      ["GET", "/empty", Reply.empty],
      ["GET", "/moved", Reply.redirect(307, "/text")]
    ])
    const text = await raw(`${server.url}/text`)
    expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8")
    expect(text.body.toString("utf8")).toBe("héllo")
    expect(text.headers["content-length"]).toBe("6")

    const bytes = await raw(`${server.url}/bytes`)
    expect(bytes.headers["content-type"]).toBe("application/octet-stream")
    expect([...bytes.body]).toEqual([0, 1, 255])

    const teapot = await raw(`${server.url}/teapot`)
    expect(teapot.status).toBe(418)
    expect(teapot.headers["retry-after"]).toBe("1")
    expect(teapot.headers["content-length"]).toBe("0")
    expect(teapot.body.length).toBe(0)

    const empty = await raw(`${server.url}/empty`)
    expect(empty.status).toBe(204)
    expect(empty.body.length).toBe(0)

    const moved = await fetch(`${server.url}/moved`, { redirect: "manual" })
    expect(moved.status).toBe(307)
    expect(moved.headers.get("location")).toBe("/text")
    const followed = await fetch(`${server.url}/moved`)
    expect(await followed.text()).toBe("héllo")
    expect(server.journal().map((entry) => entry.path)).toEqual([
      "/text",
      "/bytes",
      "/teapot",
      "/empty",
      "/moved",
      "/moved",
      "/text"
    ])
  })

  it("encoded compresses in order and labels the codings", async () => {
    const body = "compress me ".repeat(100)
    const server = await start([
      ["GET", "/gzip-br", Reply.encoded(body, ["gzip", "br"])],
      ["GET", "/deflate", Reply.encoded(body, ["deflate"])],
      ["GET", "/gzip", Reply.gzip(body, { headers: { "content-type": "text/csv" } })]
    ])
    const both = await raw(`${server.url}/gzip-br`)
    expect(both.headers["content-encoding"]).toBe("gzip, br")
    expect(both.headers["content-length"]).toBe(String(both.body.length))
    expect(both.body.length).toBeLessThan(body.length)
    // Codings are undone in reverse order of application.
    expect(Zlib.gunzipSync(Zlib.brotliDecompressSync(both.body)).toString()).toBe(body)

    const deflate = await raw(`${server.url}/deflate`)
    expect(deflate.headers["content-encoding"]).toBe("deflate")
    expect(Zlib.inflateSync(deflate.body).toString()).toBe(body)

    const gzip = await raw(`${server.url}/gzip`)
    expect(gzip.headers["content-encoding"]).toBe("gzip")
    expect(gzip.headers["content-type"]).toBe("text/csv")
    expect(Zlib.gunzipSync(gzip.body).toString()).toBe(body)

    // A client that decodes content-encoding sees the original text.
    expect(await (await fetch(`${server.url}/gzip-br`)).text()).toBe(body)
  })

  it("sequence gives the n-th reply to the n-th request, then repeats the last", async () => {
    const server = await start([])
    server.route("GET", "/flaky", Reply.sequence([Reply.status(503), Reply.status(429), Reply.text("ok")]))
    const statuses: Array<number> = []
    for (let i = 0; i < 5; i++) statuses.push((await raw(`${server.url}/flaky`)).status)
    expect(statuses).toEqual([503, 429, 200, 200, 200])

    // Registering the route again starts the sequence over.
    server.route("GET", "/flaky", Reply.sequence([Reply.status(500), Reply.text("ok")]))
    expect((await raw(`${server.url}/flaky`)).status).toBe(500)
    expect((await raw(`${server.url}/flaky`)).status).toBe(200)

    server.route("GET", "/none", Reply.sequence([]))
    expect((await raw(`${server.url}/none`)).status).toBe(500)
  })

  it("delay waits before replying, inside a sequence too", async () => {
    const server = await start([["GET", "/slow", Reply.sequence([Reply.delay(150, Reply.text("late")), Reply.text("fast")])]])
    const slow = await raw(`${server.url}/slow`)
    expect(slow.body.toString()).toBe("late")
    expect(slow.headersAt).toBeGreaterThanOrEqual(140)
    const fast = await raw(`${server.url}/slow`)
    expect(fast.body.toString()).toBe("fast")
  })

  it("stall never answers; the client's abort closes the connection", async () => {
    const server = await start([["*", "/stall", Reply.stall]])
    const error = await rejection(fetch(`${server.url}/stall`, { signal: AbortSignal.timeout(300) }))
    expect((error as Error).name).toBe("TimeoutError")
    expect(await server.awaitNoConnections(2_000)).toBe(true)
    expect(server.openConnections()).toBe(0)
    expect(server.totalConnections()).toBe(1)
    const [entry] = server.requests("/stall")
    expect(entry?.method).toBe("GET")
  })

  it("stallAfterHeaders sends the head, then nothing", async () => {
    const server = await start([["GET", "/head-only", Reply.stallAfterHeaders({ status: 200, declaredLength: 100 })]])
    const response = await fetch(`${server.url}/head-only`, { signal: AbortSignal.timeout(300) })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-length")).toBe("100")
    const error = await rejection(response.text())
    expect((error as Error).name).toBe("TimeoutError")
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("drip sends count chunks, one per interval", async () => {
    const server = await start([["GET", "/drip", Reply.drip({ chunk: "tick;", intervalMillis: 60, count: 5 })]])
    const response = await raw(`${server.url}/drip`)
    expect(response.headers["transfer-encoding"]).toBe("chunked")
    expect(response.body.toString()).toBe("tick;".repeat(5))
    // Headers come first, the body over about 5 intervals (300 ms); bounds are generous.
    expect(response.chunkTimes[0]).toBeGreaterThanOrEqual(response.headersAt)
    expect(response.endAt - response.headersAt).toBeGreaterThanOrEqual(180)
    expect(response.endAt - response.headersAt).toBeLessThan(3_000)
    expect(response.chunkTimes.length).toBeGreaterThanOrEqual(3)
  })

  it("drip honours a content-length from the headers", async () => {
    const server = await start([[
      "GET",
      "/drip",
      Reply.drip({ chunk: new Uint8Array([1, 2]), intervalMillis: 10, count: 3, headers: { "content-length": "6" } })
    ]])
    const response = await raw(`${server.url}/drip`)
    expect(response.headers["content-length"]).toBe("6")
    expect(response.headers["transfer-encoding"]).toBeUndefined()
    expect([...response.body]).toEqual([1, 2, 1, 2, 1, 2])
  })

  it("closeMidBody declares more than it sends, then closes", async () => {
    const server = await start([["GET", "/cut", Reply.closeMidBody({ declaredLength: 100, body: "only this" })]])
    const response = await fetch(`${server.url}/cut`)
    expect(response.headers.get("content-length")).toBe("100")
    expect(await rejection(response.text())).toBeInstanceOf(TypeError)

    const rawError = (await rejection(raw(`${server.url}/cut`))) as RawError
    expect(rawError.code).toBe("ECONNRESET")
    expect(rawError.message).toBe("aborted")
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("reset aborts the connection with a TCP RST", async () => {
    const server = await start([["POST", "/rst", Reply.reset]])
    const error = (await rejection(raw(`${server.url}/rst`, { method: "POST", body: "payload" }))) as RawError
    expect(error.code).toBe("ECONNRESET")
    // "read ECONNRESET" comes from the RST; a plain close would be "socket hang up".
    expect(error.syscall).toBe("read")

    const fetchError = await rejection(fetch(`${server.url}/rst`, { method: "POST", body: "payload" }))
    expect((fetchError as Error & { cause?: { code?: string } }).cause?.code).toBe("ECONNRESET")
    expect(server.requests("/rst").length).toBe(2)
  })

  it("echo describes the request", async () => {
    const server = await start([["*", "/echo/*", Reply.echo]])
    const response = await raw(`${server.url}/echo/x?a=1&b=2&a=3`, {
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
  })

  it("custom hands over the node request and response", async () => {
    const handler = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        response.writeHead(202, { "x-length": String(Buffer.concat(chunks).length) })
        response.end("custom")
      })
    }
    const server = await start([
      ["POST", "/custom", Reply.custom(handler)],
      ["GET", "/throws", Reply.custom(() => {
        throw new Error("boom")
      })]
    ])
    const response = await raw(`${server.url}/custom`, { method: "POST", body: "12345" })
    expect(response.status).toBe(202)
    expect(response.headers["x-length"]).toBe("5")
    expect(response.body.toString()).toBe("custom")
    const [entry] = server.requests("/custom")
    expect(entry?.bodyText).toBe("12345")
    expect(entry?.bodyComplete).toBe(true)

    const thrown = await raw(`${server.url}/throws`)
    expect(thrown.status).toBe(500)
    expect(thrown.body.toString()).toContain("boom")
  })

  it("ignoreBody answers without reading the body", async () => {
    const server = await start([["POST", "/ignore", Reply.ignoreBody(Reply.status(413))]])
    const response = await raw(`${server.url}/ignore`, { method: "POST", body: "x".repeat(1000) })
    expect(response.status).toBe(413)
    const [entry] = server.requests("/ignore")
    expect(entry?.bodyComplete).toBe(false)
    expect(entry?.body.length).toBe(0)
    expect(entry?.headers["content-length"]).toBe("1000")
  })

  it("stallReadingBody blocks a large upload", async () => {
    const server = await start([["PUT", "/upload", Reply.stallReadingBody]])
    const size = 32 * 1024 * 1024
    const sent = await new Promise<number>((resolve) => {
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
      setTimeout(() => {
        request.destroy()
        resolve(written)
      }, 300)
    })
    expect(sent).toBeLessThan(size)
    const [entry] = server.requests("/upload")
    expect(entry?.method).toBe("PUT")
    expect(entry?.bodyComplete).toBe(false)
    // A peer that stops reading cannot see the client's FIN queued behind unread bytes:
    // the connection stays open on the server side until the server closes.
    expect(server.openConnections()).toBe(1)
  })
})
