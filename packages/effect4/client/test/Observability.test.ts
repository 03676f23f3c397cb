import { AppHeaders, Metrics, Tracing } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import { clientWith } from "./layers.js"

// The smaller Layers: app headers on the wire, spans and trace context,
// metrics by attributes.

/** Effect's own spans, kept in `spans` as they are made. */
const recording = (spans: Array<Tracer.Span>): Tracer.Tracer =>
  Tracer.make({
    span(options) {
      const span = Tracer.nativeTracer.span(options)
      spans.push(span)
      return span
    }
  })

describe("AppHeaders", () => {
  it.live("adds the app headers to every request that does not set them", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const { client } = yield* clientWith(
        server,
        AppHeaders.layer({ userAgent: "notes/1.4.2", appName: "notes", platform: "ios", extra: { "X-Tenant": "t1" } })
      )
      yield* client.get("/x")
      yield* client.get("/x", { headers: { "user-agent": "mine/1" } })
      const [first, second] = yield* server.requests("/x")
      expect(first!.headers).toMatchObject({ "user-agent": "notes/1.4.2", "x-app-name": "notes", "x-platform": "ios", "x-tenant": "t1" })
      expect(second!.headers["user-agent"]).toBe("mine/1")
    }))

  it.live("a value that cannot be sent or a credential fails the Layer, naming the option, never the value", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const injected = yield* Effect.exit(clientWith(server, AppHeaders.layer({ appName: "notes\r\nx-evil: secret-value-1" })))
      expect(Exit.isFailure(injected)).toBe(true)
      const text = String(Exit.isFailure(injected) ? injected.cause : "")
      expect(text).toContain("appName")
      expect(text).not.toContain("secret-value-1")
      const credential = yield* Effect.exit(clientWith(server, AppHeaders.layer({ extra: { Authorization: "Bearer x" } })))
      expect(Exit.isFailure(credential)).toBe(true)
      expect(yield* server.journal).toEqual([])
    }))

  it.live("layerConfig reads APP_NAME, APP_VERSION, APP_PLATFORM, APP_USER_AGENT and checks them", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const env = (record: Record<string, string>) =>
        Layer.provide(AppHeaders.layerConfig(), ConfigProvider.layer(ConfigProvider.fromEnvRecord(record)))
      const { client } = yield* clientWith(server, env({ APP_NAME: "notes", APP_USER_AGENT: "notes/2.0" }))
      yield* client.get("/x")
      const [sent] = yield* server.requests("/x")
      expect(sent!.headers).toMatchObject({ "x-app-name": "notes", "user-agent": "notes/2.0" })
      expect(sent!.headers["x-app-version"]).toBeUndefined()
      const broken = yield* Effect.exit(clientWith(server, env({ APP_PLATFORM: "ios\u0007" })))
      expect(Exit.isFailure(broken)).toBe(true)
    }))
})

describe("Tracing", () => {
  it.live("the client span is a child of the caller's span", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const { client } = yield* clientWith(server, Tracing.layer())
      const spans: Array<Tracer.Span> = []
      yield* client.get("/x").pipe(Effect.withSpan("caller"), Effect.withTracer(recording(spans)))
      const caller = spans.find((span) => span.name === "caller")!
      const call = spans.find((span) => span.name === "http.client GET")!
      expect(call.traceId).toBe(caller.traceId)
      expect(call.parent._tag === "Some" && call.parent.value.spanId).toBe(caller.spanId)
    }))

  it.live("one client span per call, its ids in traceparent to the base origin only", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({ routes: [["GET", "/y", Reply.json({})]] })
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const { client } = yield* clientWith(server, Tracing.layer(), undefined, { allowedOrigins: [other.origin] })
      const spans: Array<Tracer.Span> = []
      yield* client.get("/x?token=q-secret-1").pipe(Effect.withTracer(recording(spans)))
      yield* client.get(`${other.url}/y`).pipe(Effect.withTracer(recording(spans)))
      const clientSpans = spans.filter((span) => span.name === "http.client GET")
      expect(clientSpans).toHaveLength(2)
      const [span] = clientSpans
      expect(span!.kind).toBe("client")
      expect(span!.attributes.get("http.request.method")).toBe("GET")
      expect(span!.attributes.get("http.response.status_code")).toBe(200)
      expect(String(span!.attributes.get("url.full"))).not.toContain("q-secret-1")
      const [sent] = yield* server.requests("/x")
      expect(sent!.headers["traceparent"]).toBe(`00-${span!.traceId}-${span!.spanId}-01`)
      const [elsewhere] = yield* other.requests("/y")
      expect(elsewhere!.headers["traceparent"]).toBeUndefined()
      expect(elsewhere!.headers["b3"]).toBeUndefined()
    }))

  it.live("under effect's own tracer no span is recorded, yet the trace context joins the caller's trace", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const { client } = yield* clientWith(server, Tracing.layer())
      const caller = yield* Effect.gen(function*() {
        yield* client.get("/x")
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("caller"))
      yield* client.get("/x")
      const [inside, outside] = yield* server.requests("/x")
      const [, traceId, spanId, flags] = String(inside!.headers["traceparent"]).split("-")
      expect(traceId).toBe(caller.traceId)
      expect(spanId).not.toBe(caller.spanId)
      expect(flags).toBe("01")
      expect(String(inside!.headers["b3"]).endsWith(`-1-${caller.spanId}`)).toBe(true)
      // No caller span: a new trace.
      expect(String(outside!.headers["traceparent"])).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      expect(String(outside!.headers["traceparent"])).not.toContain(caller.traceId)
    }))

  it.live("a failed call's span carries the tag, not the body; tracing disabled sends nothing", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/bad", Reply.json({ detail: "body-secret-2" }, { status: 500 })]] })
      const { client } = yield* clientWith(server, Tracing.layer())
      const spans: Array<Tracer.Span> = []
      yield* Effect.flip(client.get("/bad")).pipe(Effect.withTracer(recording(spans)))
      const span = spans.find((s) => s.name === "http.client GET")!
      expect(span.attributes.get("error.type")).toBe("BadResponse")
      expect(span.status._tag).toBe("Ended")
      expect(JSON.stringify(span.status, (_, v) => typeof v === "bigint" ? String(v) : v)).not.toContain("body-secret-2")
      yield* Effect.flip(client.get("/bad")).pipe(Effect.provideService(References.TracerEnabled, false))
      const requests = yield* server.requests("/bad")
      expect(requests[1]!.headers["traceparent"]).toBeUndefined()
    }))
})

describe("Metrics", () => {
  it.live("counts calls and records durations by method, status class and outcome; 401s apart", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/ok", Reply.json({})], ["GET", "/no", Reply.status(401)], ["DELETE", "/down", Reply.status(503)]]
      })
      const { client } = yield* clientWith(server, Metrics.layer)
      const count = (method: string, statusClass: string, outcome: string) =>
        Effect.map(Metric.value(Metrics.requestsFor({ method, statusClass, outcome })), (state) => state.count)
      const before = [
        yield* count("GET", "2xx", "ok"),
        yield* count("GET", "4xx", "Unauthorized"),
        yield* count("DELETE", "5xx", "BadResponse"),
        (yield* Metric.value(Metrics.unauthorized)).count,
        (yield* Metric.value(Metrics.durationFor({ method: "GET", statusClass: "2xx", outcome: "ok" }))).count
      ]
      yield* client.get("/ok")
      yield* client.get("/ok")
      yield* Effect.flip(client.get("/no"))
      yield* Effect.flip(client.delete("/down"))
      const after = [
        yield* count("GET", "2xx", "ok"),
        yield* count("GET", "4xx", "Unauthorized"),
        yield* count("DELETE", "5xx", "BadResponse"),
        (yield* Metric.value(Metrics.unauthorized)).count,
        (yield* Metric.value(Metrics.durationFor({ method: "GET", statusClass: "2xx", outcome: "ok" }))).count
      ]
      expect(after.map((n, i) => n - before[i]!)).toEqual([2, 1, 1, 1, 2])
    }))
})
