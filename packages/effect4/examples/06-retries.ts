/**
 * Retries on effect 4: the same policy as on effect 3, and the per-call
 * override, which effect 4 keeps in a `Context.Reference`
 * (`Retry.currentOverride`) where effect 3 had a `FiberRef`. The effect 3
 * version is docs/examples/06-retries.ts.
 */
import { Body, CourierClient, CourierRequest, NodeTransport, Retry } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// A Layer of the program's own that reads the override in force, as any
// Context.Reference is read: by yielding it.
const ShowOverride = CourierClient.layerDecorate((execute) =>
  Effect.succeed((request: CourierRequest.CourierRequest) =>
    Effect.gen(function*() {
      const override = yield* Retry.currentOverride
      if (request.attempt === 1) yield* Console.log(`${request.url.pathname}: override ${JSON.stringify(override)}`)
      return yield* execute(request)
    }))
)

const program = (server: TestServer.Service) =>
  Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    const attempts = (path: string) => Effect.map(server.requests(path), (sent) => sent.length)

    // A GET answered 503, 503, 200: the default policy (2 retries) gets the 200.
    yield* client.get("/a")
    yield* Console.log(`GET /a: ${yield* attempts("/a")} attempts`)

    // No retry for this call: Retry.disabled, the override { retries: 0 }.
    yield* client.get("/b").pipe(Retry.disabled, Effect.catchTag("BadResponse", (e) => Console.log(`GET /b: ${e.status}`)))
    yield* Console.log(`GET /b: ${yield* attempts("/b")} attempt`)

    // More retries for this call. withPolicy provides the Reference; so does
    // Effect.provideService, the effect 4 form of effect 3's Effect.locally.
    yield* client.get("/c").pipe(Retry.withPolicy({ retries: 4, baseDelay: "20 millis" }))
    yield* client.get("/d").pipe(Effect.provideService(Retry.currentOverride, { retries: 4, baseDelay: "20 millis" }))
    yield* Console.log(`GET /c: ${yield* attempts("/c")} attempts, GET /d: ${yield* attempts("/d")} attempts`)

    // A POST is retried only with an Idempotency-Key, the same on every attempt.
    yield* client.post("/orders", { body: Body.json({ sku: "book" }), headers: Retry.idempotencyKey() })
    const keys = new Set((yield* server.requests("/orders")).map((r) => r.headers["idempotency-key"]))
    yield* Console.log(`POST /orders: ${yield* attempts("/orders")} attempts, ${keys.size} key`)
  })

const flaky = (failures: number) =>
  Reply.sequence([...Array.from({ length: failures }, () => Reply.status(503)), Reply.json({ ok: true })])

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [
      ["GET", "/a", flaky(2)],
      ["GET", "/b", flaky(1)],
      ["GET", "/c", flaky(4)],
      ["GET", "/d", flaky(4)],
      ["POST", "/orders", flaky(1)]
    ]
  })
  // The budget is off here: this program asks for eleven retries within a
  // second, and the default budget (10% of the requests of the last 10
  // seconds, plus 1 per second of that window) refuses the eleventh.
  const Client = Retry.layer({ baseDelay: "20 millis", budget: false }).pipe(
    Layer.provide(ShowOverride),
    Layer.provide(NodeTransport.layerClient({ baseUrl: server.url }))
  )
  yield* program(server).pipe(Effect.provide(Client))
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
