import { Body, CourierClient, CourierConfig, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as H2 from "./h2.js"
import * as Proxy from "./proxy.js"
import { waitUntil } from "./support.js"
import * as Tls from "./tls.js"

// The conformance concerns (timeouts, cancellation, redirects, limits,
// uploads, typed failures) over HTTP/2, on a real node:http2 server.

const clientWith = (options: CourierConfig.Options, transport: NodeTransport.Options = {}) =>
  Effect.map(
    Layer.build(NodeTransport.layerClient(options, { ca: Tls.certificate, http2: true, ...transport })),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

describe("NodeTransport over HTTP/2", () => {
  it.scopedLive("http2: true speaks HTTP/2 to a server that offers it; without it, HTTP/1.1", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const h2 = yield* clientWith({ baseUrl: server.url })
      expect(yield* h2.get("/hello")).toEqual({ hello: "2.0" })
      const h1 = yield* clientWith({ baseUrl: server.url }, { http2: false })
      expect(yield* h1.get("/hello")).toEqual({ hello: "1.1" })
    }))

  it.scopedLive("uploads arrive whole, bytes and streamed", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url })
      const body = "x".repeat(300_000)
      expect(yield* client.post("/echo", { body: Body.text(body) })).toEqual({ bytes: 300_000 })
      const chunks = Array.from({ length: 20 }, () => new Uint8Array(10_000).fill(98))
      const streamed = Body.stream(Stream.fromIterable(chunks), { contentType: "application/octet-stream" })
      expect(yield* client.post("/echo", { body: streamed })).toEqual({ bytes: 200_000 })
      expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0", "2.0"])
    }))

  it.scopedLive("redirects are followed, every hop over HTTP/2", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url })
      expect(yield* client.get("/redirect")).toEqual({ hello: "2.0" })
      expect(server.requests.map((r) => [r.path, r.httpVersion])).toEqual([["/redirect", "2.0"], ["/hello", "2.0"]])
    }))

  it.scopedLive("the total timeout: Timeout(total), and the stream is reset", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url, timeouts: { total: "300 millis" } })
      const error = yield* Effect.flip(client.get("/stall"))
      expect(error).toBeInstanceOf(CourierError.Timeout)
      expect((error as CourierError.Timeout).phase).toBe("total")
      yield* waitUntil(Effect.sync(() => server.resets() === 1), "the server saw the stream reset")
      expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0"])
    }))

  it.scopedLive("the receive timeout between chunks: Timeout(receive)", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url, timeouts: { receive: "300 millis" } })
      const error = yield* Effect.flip(client.get("/drip"))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "receive" })
      expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0"])
    }))

  it.scopedLive("interrupting the call resets its stream on the server", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url })
      const fiber = yield* Effect.fork(client.get("/stall"))
      yield* waitUntil(Effect.sync(() => server.requests.length === 1), "the request arrived")
      yield* Fiber.interrupt(fiber)
      yield* waitUntil(Effect.sync(() => server.resets() === 1), "the server saw the stream reset")
      expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0"])
    }))

  it.scopedLive("maxResponseBytes: LimitExceeded(ResponseTooLarge), and the stream is reset", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* clientWith({ baseUrl: server.url, maxResponseBytes: 64 * 1024 })
      const error = yield* Effect.flip(client.get("/big"))
      expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge" })
      yield* waitUntil(Effect.sync(() => server.resets() === 1), "the server saw the stream reset")
      expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0"])
    }))

  it.scopedLive("a server certificate that is not trusted is Network(Tls), as over HTTP/1.1", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const client = yield* Effect.map(
        Layer.build(NodeTransport.layerClient({ baseUrl: server.url }, { http2: true })),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      expect(yield* Effect.flip(client.get("/hello"))).toMatchObject({ _tag: "Network", reason: "Tls" })
    }))

  it.scopedLive("through a proxy's tunnel", () =>
    Effect.gen(function*() {
      const server = yield* H2.make()
      const proxy = yield* Proxy.make()
      const client = yield* clientWith({ baseUrl: server.url }, { proxy: proxy.url })
      expect(yield* client.get("/hello")).toEqual({ hello: "2.0" })
      expect(proxy.requests.map((r) => r.method)).toEqual(["CONNECT"])
    }))
})
