/**
 * Retries: what is retried (safe methods, transient failures), Retry-After,
 * the budget, Idempotency-Key for a POST, and the per-call overrides.
 * Run it with `pnpm docs:example 06`.
 */
import { Body, CourierClient, Metrics, Retry } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"

const order = { item: "book", quantity: 1 }

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const retries = Effect.map(Metric.value(Metrics.retries), (state) => state.count)

  // A GET failing 503, 503, then 200: retried with backoff, it succeeds.
  const get = yield* client.get("/fault/flaky", { query: { key: "get", failures: 2 } })
  yield* Console.log(`GET after two 503s: ${JSON.stringify(get)}; retries so far: ${yield* retries}`)

  // A POST is not retried: its bytes may have reached the server, and
  // sending it again could create a second order.
  const post = yield* client.post("/fault/flaky", { query: { key: "post", failures: 1 }, body: Body.json(order) }).pipe(
    Effect.as("succeeded?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`failed with ${e.status}, not retried`))
  )
  yield* Console.log(`POST without Idempotency-Key: ${post}`)

  // With an Idempotency-Key the server can recognise a repeat, so the POST
  // is retried, every attempt with the same key.
  const keyed = yield* client.post("/fault/flaky", {
    query: { key: "post-keyed", failures: 1 },
    headers: { ...Retry.idempotencyKey() },
    body: Body.json(order)
  })
  yield* Console.log(`POST with Idempotency-Key: ${JSON.stringify(keyed)}`)

  // 429 with Retry-After: 1 waits the second the server asked for.
  const started = Date.now()
  yield* client.get("/fault/ratelimit", { query: { key: "rl", retryAfter: 1 } })
  yield* Console.log(`429 Retry-After: 1 → answered after ${((Date.now() - started) / 1000).toFixed(1)} s`)

  // A 404 is not transient: never retried.
  const before = yield* retries
  yield* client.get("/fault/status/{code}", { params: { code: 404 } }).pipe(Effect.ignore)
  yield* Console.log(`404 retried ${(yield* retries) - before} times`)

  // Per call: no retry at all, or another policy.
  const once = yield* client.get("/fault/flaky", { query: { key: "off", failures: 1 } }).pipe(
    Retry.disabled,
    Effect.as("succeeded?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`${e.status} on the only attempt`))
  )
  yield* Console.log(`Retry.disabled: ${once}`)
  const patient = yield* client.get("/fault/flaky", { query: { key: "patient", failures: 4 } }).pipe(
    Retry.withPolicy({ retries: 5, baseDelay: "20 millis" })
  )
  yield* Console.log(`Retry.withPolicy({ retries: 5 }) after four 503s: ${JSON.stringify(patient)}`)
})

// ── Wiring: the retry Layer (and metrics, to count retries) over a client.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Retry.layer({
      retries: 2,
      baseDelay: "50 millis",
      maxDelay: "1 second",
      maxRetryAfter: "5 seconds",
      budget: { ratio: 0.2, window: "10 seconds", minPerSecond: 1 }
    }).pipe(Layer.provide(Metrics.layer), Layer.provide(NodeTransport.layerClient({ baseUrl: api.url }))))
)

program.pipe(Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))), NodeRuntime.runMain)
