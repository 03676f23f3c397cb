// A library that knows only the platform's HttpClient, given Courier's face:
// bodies of every platform kind, streaming answers under Courier's timers,
// the size limit, one-shot bodies and interruption, on both transports.
import { CourierClient, HttpClientFace, Retry } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { transports, waitForRequests } from "./support.js"

// The library: a few functions over HttpClient.HttpClient, nothing of Courier.
const Library = {
  getJson: (url: string) =>
    Effect.flatMap(HttpClient.HttpClient, (http) => Effect.flatMap(http.get(url), (response) => response.json)),
  send: (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(HttpClient.HttpClient, (http) => http.execute(request)),
  streamBody: (url: string) =>
    Effect.flatMap(HttpClient.HttpClient, (http) =>
      Effect.flatMap(http.get(url), (response: HttpClientResponse.HttpClientResponse) =>
        Stream.runCollect(response.stream)))
}

/** Courier's face over a client with Retry (no backoff) on `server`. */
const faceOn = (server: TestServer.Service, kind: TestClient.Transport, options: CourierConfig.Options = {}) =>
  Effect.map(
    Layer.build(Retry.layer({ baseDelay: 0 }).pipe(Layer.provide(TestClient.layerFor(server, options, kind)))),
    (context) => HttpClientFace.make(Context.get(context, CourierClient.CourierClient))
  ).pipe(Effect.orDie)

const text = (bytes: Chunk.Chunk<Uint8Array>) =>
  new TextDecoder().decode(Buffer.concat(Chunk.toReadonlyArray(Chunk.map(bytes, (b) => Buffer.from(b)))))

describe.each(transports)("HttpClientFace for a platform library (%s)", (kind) => {
  it.scopedLive("the library's GET goes through Courier and its answer decodes", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/hello", Reply.json({ hello: "world" })]] })
      const http = yield* faceOn(server, kind)
      const value = yield* Library.getJson(`${server.url}/hello?x=1`).pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      )
      expect(value).toEqual({ hello: "world" })
      const [entry] = yield* server.requests("/hello")
      expect(entry.path).toBe("/hello?x=1")
    }))

  it.scopedLive("request bodies of every platform kind reach the wire whole", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/in", Reply.status(204)]] })
      const http = yield* faceOn(server, kind)
      const send = (request: HttpClientRequest.HttpClientRequest) =>
        Effect.asVoid(Library.send(request).pipe(Effect.provideService(HttpClient.HttpClient, http)))
      const post = HttpClientRequest.post(`${server.url}/in`)
      yield* send(HttpClientRequest.bodyUint8Array(post, new Uint8Array([1, 2, 3]), "application/x-bytes"))
      yield* send(HttpClientRequest.setBody(post, HttpBody.raw("raw text", { contentType: "text/plain" })))
      yield* send(
        HttpClientRequest.bodyStream(post, Stream.make(new Uint8Array([4, 5]), new Uint8Array([6])), {
          contentType: "application/x-stream"
        })
      )
      const form = new FormData()
      form.append("field", "value")
      form.append("file", new Blob(["file body"]), "f.txt")
      yield* send(HttpClientRequest.bodyFormData(post, form))
      const entries = yield* server.requests("/in")
      expect(entries.map((e) => e.headers["content-type"])).toEqual([
        "application/x-bytes",
        "text/plain",
        "application/x-stream",
        expect.stringMatching(/^multipart\/form-data; boundary=/)
      ])
      expect([...entries[0].body]).toEqual([1, 2, 3])
      expect(entries[1].bodyText).toBe("raw text")
      expect([...entries[2].body]).toEqual([4, 5, 6])
      expect(entries[3].bodyText).toContain("file body")
      expect(entries[3].bodyText).toContain(`name="field"`)
    }))

  it.scopedLive("a one-shot stream body is never sent twice, even with an Idempotency-Key", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/once", Reply.status(503)]] })
      const http = yield* faceOn(server, kind)
      const request = HttpClientRequest.post(`${server.url}/once`).pipe(
        HttpClientRequest.setHeader("idempotency-key", "k-1"),
        HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1])))
      )
      const response = yield* Library.send(request).pipe(Effect.provideService(HttpClient.HttpClient, http))
      expect(response.status).toBe(503)
      expect((yield* server.requests("/once")).length).toBe(1)
    }))

  it.scopedLive("a streamed answer arrives chunk by chunk, and the total deadline ends a stalled one", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/drip", Reply.drip({ chunk: "ab", interval: "20 millis", count: 5 })],
          ["GET", "/stall", Reply.stallAfterHeaders()]
        ]
      })
      const http = yield* faceOn(server, kind, { timeouts: { total: "600 millis", receive: "10 seconds" } })
      const chunks = yield* Library.streamBody(`${server.url}/drip`).pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      )
      expect(text(chunks)).toBe("ababababab")
      const started = Date.now()
      const error = yield* Effect.flip(
        Library.streamBody(`${server.url}/stall`).pipe(Effect.provideService(HttpClient.HttpClient, http))
      )
      expect(error._tag).toBe("ResponseError")
      expect(error.reason).toBe("Decode")
      const courier = HttpClientFace.courierError(error)
      expect(Option.isSome(courier) && courier.value._tag === "Timeout" && courier.value.phase).toBe("total")
      expect(Date.now() - started).toBeLessThan(5_000)
    }), 20_000)

  it.scopedLive("a buffered read stops at maxResponseBytes; the stream is not limited", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/big", Reply.text("x".repeat(5_000))]] })
      const http = yield* faceOn(server, kind, { maxResponseBytes: 1_000 })
      const error = yield* Effect.flip(
        Effect.flatMap(http.get(`${server.url}/big`), (response) => response.text)
      )
      expect(error.reason).toBe("Decode")
      const courier = HttpClientFace.courierError(error)
      expect(Option.isSome(courier) && courier.value._tag).toBe("LimitExceeded")
      const streamed = yield* Library.streamBody(`${server.url}/big`).pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      )
      expect(text(streamed).length).toBe(5_000)
    }))

  it.scopedLive("an error status is a response with the server's whole body, past the excerpt", () =>
    Effect.gen(function*() {
      const detail = "d".repeat(100_000)
      const server = yield* TestServer.make({
        routes: [["GET", "/bad", Reply.json({ detail }, { status: 422, headers: { "x-trace": "t-1" } })]]
      })
      const http = yield* faceOn(server, kind)
      const response = yield* http.get(`${server.url}/bad`)
      expect(response.status).toBe(422)
      expect(response.headers["x-trace"]).toBe("t-1")
      expect(yield* response.json).toEqual({ detail })
    }))

  it.scopedLive("a status the library filters out still leads back to Courier's BadResponse", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/teapot", Reply.json({ no: "coffee" }, { status: 418 })]] })
      const http = yield* faceOn(server, kind)
      const error = yield* Effect.flip(HttpClient.filterStatusOk(http).get(`${server.url}/teapot`))
      expect(error._tag).toBe("ResponseError")
      const courier = HttpClientFace.courierError(error)
      expect(Option.isSome(courier) && courier.value._tag === "BadResponse" && courier.value.status).toBe(418)
      const handled = yield* HttpClient.filterStatusOk(http).get(`${server.url}/teapot`).pipe(
        Effect.as(0),
        HttpClientFace.catchCourier((e) => Effect.succeed(e._tag === "BadResponse" ? e.status : -1))
      )
      expect(handled).toBe(418)
    }))

  it.scopedLive("interrupting the library's call closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/hang", Reply.stall]] })
      const http = yield* faceOn(server, kind)
      const fiber = yield* Effect.fork(Library.getJson(`${server.url}/hang`).pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      ))
      yield* waitForRequests(server, "/hang")
      yield* Fiber.interrupt(fiber)
      expect(yield* server.awaitIdle("5 seconds")).toBe(true)
    }), 20_000)
})
