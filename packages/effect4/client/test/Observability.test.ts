import { AppHeaders, Metrics, Tracing } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
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
})

describe("Tracing", () => {
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
