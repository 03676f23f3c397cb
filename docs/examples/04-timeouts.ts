/**
 * The four timeouts, each failing with `Timeout` and the phase that ran out:
 * `connect` (no socket), `receive` (silence before the headers or between
 * chunks), `total` (the whole call), and `send` (the request body not handed
 * over in time). Run it with `pnpm docs:example 04`.
 */
import { CourierClient, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { BlackholeServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// Every outcome as one line: a timeout carries its phase and the limit that ran out.
const report = (label: string, call: Effect.Effect<unknown, CourierError.CourierError>) =>
  call.pipe(
    Effect.as("answered"),
    Effect.catchTag("Timeout", (e) => Effect.succeed(`Timeout(${e.phase}) after ${Duration.format(e.duration)}`)),
    Effect.flatMap((outcome) => Console.log(`${label.padEnd(42)} ${outcome}`))
  )

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // receive: the server reads the request and never answers.
  yield* report(
    "stall, receive 300 ms",
    client.get("/fault/stall", { timeouts: { receive: "300 millis" } })
  )

  // receive is reset by every chunk: 5 chunks 100 ms apart pass a 300 ms receive timeout...
  yield* report(
    "drip 5 chunks / 100 ms, receive 300 ms",
    client.get("/fault/drip", { query: { chunks: 5, interval: 100 }, responseType: "text", timeouts: { receive: "300 millis" } })
  )

  // ...but not a 250 ms total, the deadline over the whole call.
  yield* report(
    "drip 5 chunks / 100 ms, total 250 ms",
    client.get("/fault/drip", { query: { chunks: 5, interval: 100 }, responseType: "text", timeouts: { total: "250 millis" } })
  )
})

// connect: a port on 127.0.0.1 whose connects hang. The connect timeout
// belongs to the client (its connection pool), so it is set there.
const connect = Effect.scoped(Effect.gen(function*() {
  const blackhole = yield* BlackholeServer.make
  yield* Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    yield* report("connect to a blackhole, connect 300 ms", client.get("/"))
  }).pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: blackhole.url, timeouts: { connect: "300 millis" } })))
}))

// ── Wiring: the demo API on a free 127.0.0.1 port, and a client with short timeouts.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    NodeTransport.layerClient({
      baseUrl: api.url,
      timeouts: { connect: "2 seconds", send: "10 seconds", receive: "5 seconds", total: "15 seconds" }
    }))
)

Effect.zipRight(program, connect).pipe(
  Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))),
  NodeRuntime.runMain
)
