/**
 * Streaming responses: raw bytes with `client.stream`, NDJSON decoded item
 * by item with a Schema, and server-sent events. Stopping early (or being
 * interrupted) closes the connection. The demo API serves bytes; the NDJSON
 * and SSE endpoints come from a `@courier/testing` server, as the demo API
 * has none. Run it with `pnpm docs:example 08-streams`.
 */
import { CourierClient, Ndjson, ServerSentEvents } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Tick = Schema.Struct({ seq: Schema.Number, price: Schema.Number })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const streams = yield* TestServer.TestServer

  // Bytes as they arrive. The receive timeout applies between chunks, the
  // total one to the whole stream. Taking the first 3 chunks and stopping
  // closes the socket: the rest of the 100 MB file is never read.
  const chunks = yield* client.stream("GET", "/files/{size}", { params: { size: 100_000_000 } }).pipe(
    Stream.take(3),
    Stream.runCollect
  )
  yield* Console.log(`read ${Chunk.size(chunks)} chunks (${Chunk.reduce(chunks, 0, (n, c) => n + c.length)} bytes) of 100 MB, then stopped`)

  // A slow body, chunk by chunk, with a receive timeout that each chunk resets.
  yield* client.stream("GET", "/fault/drip", { query: { chunks: 3, interval: 100, bytes: 4 }, timeouts: { receive: "1 second" } }).pipe(
    Stream.runForEach((chunk) => Console.log(`drip: ${chunk.length} bytes`))
  )

  // NDJSON: one JSON value per line, each decoded by the schema as it arrives.
  // A line that is not JSON or does not match fails the stream with Parse.
  const prices = yield* Ndjson.stream(client, "GET", `${streams.url}/prices`, { schema: Tick }).pipe(
    Stream.map((tick) => tick.price),
    Stream.runCollect
  )
  yield* Console.log(`NDJSON prices: ${Chunk.join(Chunk.map(prices, String), ", ")}`)

  // Server-sent events: event, data, id and retry, parsed as browsers do.
  yield* ServerSentEvents.stream(client, `${streams.url}/events`).pipe(
    Stream.takeUntil((event) => event.event === "done"),
    Stream.runForEach((event) => Console.log(`SSE ${event.event} id=${event.id ?? "-"}: ${event.data}`))
  )
})

// ── Wiring: the demo API, a test server with the two stream endpoints, and
//    one client allowed to call both (a second origin must be allow-listed).
const StreamServer = TestServer.layer({
  routes: [
    ["GET", "/prices", Reply.text("{\"seq\":1,\"price\":101.5}\n{\"seq\":2,\"price\":101.75}\n\n{\"seq\":3,\"price\":102}\n", {
      headers: { "content-type": "application/x-ndjson" }
    })],
    ["GET", "/events", Reply.text(": keep-alive\n\nevent: price\nid: 1\ndata: 101.5\n\nevent: price\nid: 2\ndata: {\"multi\":\ndata: \"line\"}\n\nevent: done\ndata: bye\n\n", {
      headers: { "content-type": "text/event-stream" }
    })]
  ]
})

const Client = Layer.unwrapEffect(
  Effect.map(Effect.all([DemoApi.DemoApi, TestServer.TestServer]), ([api, streams]) =>
    NodeTransport.layerClient({ baseUrl: api.url, allowedOrigins: [streams.url] }))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provideMerge(Layer.merge(DemoApi.layer(), StreamServer)))),
  NodeRuntime.runMain
)
