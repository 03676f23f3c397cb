/**
 * The four timeouts on effect 4: the same phases and the same `Timeout`
 * failure as on effect 3, with effect 4's `Duration.Input` for the values.
 * The effect 3 version is docs/examples/04-timeouts.ts.
 */
import { CourierClient, CourierError, NodeTransport } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

const timedOut = (what: string) => (e: CourierError.Timeout) =>
  Console.log(`${what}: Timeout in the ${e.phase} phase, whose limit is ${Duration.format(e.duration)}`)

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // No answer at all: `receive` bounds the silence before the headers.
  yield* client.get("/stall", { timeouts: { receive: "300 millis" } }).pipe(Effect.catchTag("Timeout", timedOut("stalled server")))

  // An answer that keeps arriving slowly never trips `receive` (each chunk
  // resets it); `total` bounds the whole call. Written here as an object,
  // a form of `Duration.Input` that effect 3 did not have.
  yield* client.get("/drip", { responseType: "text", timeouts: { receive: "1 second", total: { milliseconds: 700 } } })
    .pipe(Effect.catchTag("Timeout", timedOut("dripping body")))

  // "Infinity" (or Duration.infinity) turns a timeout off for one call.
  const slow = yield* client.get("/slow", { responseType: "text", timeouts: { total: "Infinity" } })
  yield* Console.log(`slow answer without a deadline: ${slow}`)
})

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [
      ["GET", "/stall", Reply.stall],
      ["GET", "/drip", Reply.drip({ chunk: "x", interval: "200 millis", count: 20 })],
      ["GET", "/slow", Reply.delay("400 millis", Reply.text("done"))]
    ]
  })
  // The client's own timeouts: connect 2 s, and a total of 10 s per call.
  const Client = NodeTransport.layerClient({ baseUrl: server.url, timeouts: { connect: "2 seconds", total: "10 seconds" } })
  yield* program.pipe(Effect.provide(Client))
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
