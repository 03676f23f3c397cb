/**
 * Observability: one structured log line per attempt through Effect's
 * Logger, secrets redacted everywhere, Effect metrics, and client spans
 * exported with OpenTelemetry. Run it with `pnpm docs:example 10-obs`.
 */
import { Body, CourierClient, Logging, Metrics, Preset, Redaction } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // Each attempt is one logfmt line; the password in the body, the token in
  // the answer and `x-session` never appear (development mode shows bodies
  // and headers at Debug, redacted).
  yield* client.post("/auth/login", {
    headers: { "x-session": "s3cr3t-session" },
    body: Body.json({ username: "demo", password: "courier" })
  })
  yield* client.get("/fault/flaky", { query: { key: "obs", failures: 1, access_token: "t0ken" } })

  // Metrics are Effect Metrics: read them, or export them (Prometheus, OTLP).
  const ok = yield* Metric.value(Metrics.requestsFor({ method: "GET", statusClass: "2xx", outcome: "ok" }))
  const failed = yield* Metric.value(Metrics.requestsFor({ method: "GET", statusClass: "5xx", outcome: "BadResponse" }))
  const retries = yield* Metric.value(Metrics.retries)
  yield* Console.log(`metrics: GET ok ${ok.count}, GET 5xx ${failed.count}, retries ${retries.count}`)
})

// ── Tracing: the Tracing Layer makes one client span per attempt through
//    Effect's tracer; @effect/opentelemetry sends them to any exporter (OTLP
//    in production; in memory here, to print them).
const exporter = new InMemorySpanExporter()
const Telemetry = NodeSdk.layer(() => ({
  resource: { serviceName: "courier-docs" },
  spanProcessor: new SimpleSpanProcessor(exporter)
}))

const printSpans = Effect.sync(() => exporter.getFinishedSpans()).pipe(
  Effect.flatMap((spans) =>
    Effect.forEach(spans.filter((span) => span.name.startsWith("http.client")), (span) => {
      const a = span.attributes
      return Console.log(`span "${span.name}" ${a["http.response.status_code"]} ${a["url.full"]} attempt ${a["courier.attempt"]}`)
    }))
)

// ── Wiring: the preset with development-mode logging and extra redaction
//    rules, logs rendered as logfmt at Debug, traces to OpenTelemetry.
const client = (baseUrl: string) =>
  Preset.layerWithoutAuth({
    logging: { mode: "development", maxBodyBytes: 200 } satisfies Logging.Options,
    retry: { baseDelay: "20 millis" }
  }).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl })),
    // Rules added to the defaults (authorization, cookie, password, token...).
    Layer.provide(Redaction.layer({ headers: ["x-session"] }))
  )

const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  yield* program.pipe(
    Effect.withSpan("docs.observability"),
    Effect.zipRight(printSpans), // before the SDK shuts down with its Layer
    Effect.provide(client(api.url)),
    Effect.provide(Telemetry), // only the program is traced, not the embedded demo API
    Effect.provide(Logger.logFmt),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
})

main.pipe(Effect.provide(DemoApi.layer()), NodeRuntime.runMain({ disablePrettyLogger: true }))
