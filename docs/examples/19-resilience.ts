/**
 * Resilience: a circuit breaker that stops calls to a failing origin, a rate
 * limiter that holds every call after a 429, and a bulkhead that bounds the
 * calls in flight, all in the preset. Run it with `pnpm docs:example 19`.
 */
import { CourierClient, Preset } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // ── Circuit breaker. Three 503s in a row (the call and its two retries)
  // open the circuit; the next calls to this origin fail at once with
  // CircuitOpen, without being sent (and are not retried).
  const down = yield* client.get("/fault/status/{code}", { params: { code: 503 } }).pipe(
    Effect.as("succeeded?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`${e.status} after three attempts`))
  )
  yield* Console.log(`a downstream answering 503: ${down}`)
  const fast = yield* client.get("/fault/flaky", { query: { key: "fast", failures: 0 } }).pipe(
    Effect.as("sent?!"),
    Effect.catchTag("CircuitOpen", (e) =>
      Effect.succeed(`CircuitOpen for ${e.key}, nothing sent; retry in ${Duration.format(e.retryAfter)}`))
  )
  yield* Console.log(`while open: ${fast}`)

  // After the break, one probe goes; its success closes the circuit.
  yield* Effect.sleep("1 second")
  const probe = yield* client.get("/fault/flaky", { query: { key: "probe", failures: 0 } })
  yield* Console.log(`after the break, the probe: ${JSON.stringify(probe)}; closed again`)

  // ── Rate limit. A 429 with Retry-After: 1 pauses every call to the origin,
  // not only the one that got it (Retry sends that one again after the pause).
  const started = Date.now()
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1)
  const limited = client.get("/fault/ratelimit", { query: { key: "rl", retryAfter: 1 } }).pipe(
    Effect.zipRight(Effect.sync(() => `the 429'd call went again after ${seconds()} s`))
  )
  const other = Effect.sleep("100 millis").pipe(
    Effect.zipRight(client.get("/fault/status/{code}", { params: { code: 200 } })),
    Effect.zipRight(Effect.sync(() => `another call, started meanwhile, went after ${seconds()} s`))
  )
  for (const line of yield* Effect.all([limited, other], { concurrency: 2 })) yield* Console.log(line)

  // ── Bulkhead. Two calls in flight and two queued per origin: of six
  // concurrent slow calls, two fail at once with BulkheadFull.
  const slow = client.get("/fault/latency", { query: { ms: 300 } }).pipe(
    Effect.as("ok"),
    Effect.catchTag("BulkheadFull", (e) => Effect.succeed(`BulkheadFull (${e.maxConcurrent} + ${e.maxQueue})`))
  )
  const results = yield* Effect.all(Array.from({ length: 6 }, () => slow), { concurrency: 6 })
  yield* Console.log(`six slow calls at once: ${results.join(", ")}`)

  // ── A pause longer than the call's deadline fails at once with RateLimited
  // (and Retry does not wait 30 s for a call with 5 s left either).
  const timeouts = { total: "5 seconds" } as const
  yield* client.get("/fault/ratelimit", { query: { key: "long", retryAfter: 30 }, timeouts }).pipe(Effect.ignore)
  const hopeless = yield* client.get("/fault/status/{code}", { params: { code: 200 }, timeouts }).pipe(
    Effect.as("sent?!"),
    Effect.catchTag("RateLimited", (e) => Effect.succeed(`RateLimited: it could go in ${Duration.format(e.retryAfter)}`))
  )
  yield* Console.log(`after a 429 asking for 30 s, a call with 5 s left: ${hopeless}`)
})

// ── Wiring: the preset with the three Layers over a client on the demo API.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Preset.layerWithoutAuth({
      retry: { retries: 2, baseDelay: "20 millis" },
      circuitBreaker: { consecutiveFailures: 3, breakDuration: "1 second" },
      rateLimit: { maxWait: "10 seconds" },
      bulkhead: { maxConcurrent: 2, maxQueue: 2 },
      logging: false
    }).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url }))))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))),
  // The breaker and the limiter log their state changes: shown here.
  Logger.withMinimumLogLevel(LogLevel.Info),
  NodeRuntime.runMain
)
