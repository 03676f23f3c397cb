import { CourierClient, CourierConfig, Transport } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { waitForRequests } from "./support.js"

// The Node transport is a platform HttpClient in its own right: code that
// takes `client.http` (or the HttpClient from the layer) gets the platform
// API, not only Courier's native path.

const platformClient = (server: TestServer.Service) =>
  Effect.map(
    Layer.build(NodeTransport.layer().pipe(Layer.provide(CourierConfig.layer({ baseUrl: server.url })))),
    (context) => Context.get(context, HttpClient.HttpClient)
  ).pipe(Effect.orDie)

const encoder = new TextEncoder()

describe("NodeTransport as a platform HttpClient", () => {
  it.scopedLive("answers with a platform response: status, headers, cookies, json read twice", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", Reply.json({ name: "ada" }, { headers: { "set-cookie": "session=1; HttpOnly" } })]]
      })
      const http = yield* platformClient(server)
      const response = yield* http.get(`${server.url}/me`)
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("application/json")
      expect(response.cookies.cookies["session"]?.value).toBe("1")
      expect(yield* response.json).toEqual({ name: "ada" })
      // The body is read once and kept, as the platform's responses do.
      expect(yield* response.text).toBe(JSON.stringify({ name: "ada" }))
    }))

  it.scopedLive("sends a streamed body and reads the answer as a stream", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/echo", Reply.echo]] })
      const http = yield* platformClient(server)
      const body = Stream.fromIterable(["a", "b", "c"].map((s) => encoder.encode(s.repeat(50_000))))
      const response = yield* http.execute(
        HttpClientRequest.post(`${server.url}/echo`).pipe(HttpClientRequest.bodyStream(body))
      )
      const chunks = yield* Stream.runCollect(response.stream)
      const text = new TextDecoder().decode(Buffer.concat(Chunk.toReadonlyArray(chunks)))
      expect((JSON.parse(text) as Reply.EchoBody).body.length).toBe(150_000)
      const [entry] = yield* server.requests("/echo")
      expect(entry.body.byteLength).toBe(150_000)
    }))

  it.scopedLive("interrupting a call that waits for the headers closes its connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
      const http = yield* platformClient(server)
      const fiber = yield* Effect.fork(http.get(`${server.url}/slow`))
      yield* waitForRequests(server, "/slow")
      yield* Fiber.interrupt(fiber)
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.scopedLive("a wrapped HttpClient given through the adapter keeps its wrapper on Courier's calls", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ ok: true })]] })
      const wrapped = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-wrapped", "yes")))
      ).pipe(Layer.provide(NodeTransport.layer()))
      const layer = CourierClient.layer.pipe(
        Layer.provide(Transport.layerFromHttpClient),
        Layer.provide(wrapped),
        Layer.provideMerge(CourierConfig.layer({ baseUrl: server.url }))
      )
      const client = yield* Effect.map(Layer.build(layer), Context.get(CourierClient.CourierClient)).pipe(Effect.orDie)
      expect(yield* client.get("/x")).toEqual({ ok: true })
      const [entry] = yield* server.requests("/x")
      expect(entry.headers["x-wrapped"]).toBe("yes")
    }))
})
