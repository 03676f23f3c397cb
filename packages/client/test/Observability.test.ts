import { Body, CourierClient } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import * as AppHeaders from "@courier/client/AppHeaders"
import * as Logging from "@courier/client/Logging"
import * as Metrics from "@courier/client/Metrics"
import * as Tracing from "@courier/client/Tracing"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import { captureLogs, type RecordedSpan, recordSpans } from "./recorders.js"

const clientSpans = (spans: ReadonlyArray<RecordedSpan>) => spans.filter((span) => span.kind === "client")

/** The client with `layer` on top of a node client for `server`. */
const clientWith = <E>(
  server: TestServer.Service,
  layer: Layer.Layer<CourierClient.CourierClient, E, CourierClient.CourierClient>,
  config: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(layer.pipe(Layer.provide(TestClient.layerFor(server, config, "node")))),
    (context) => Context.get(context, CourierClient.CourierClient)
  )

// ---------------------------------------------------------------------------

describe("the secret search", () => {
  it.scopedLive("no log line, rendering or span of a call holds a secret it carried", () => {
    const logs = captureLogs()
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const secretJson = { access_token: "SECRET-A", user: "ann" }
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/api/login", Reply.json(secretJson, { headers: { "set-cookie": "sid=SECRET-C; HttpOnly" } })],
          ["POST", "/api/fail", Reply.json({ ...secretJson, error: "boom" }, { status: 500, headers: { "set-cookie": "sid=SECRET-C" } })],
          ["POST", "/api/slow", Reply.delay("5 seconds", Reply.json(secretJson))]
        ]
      })
      // The most verbose setup: development logging inside the span (its
      // lines become span events too), below the Layers that add headers,
      // so it sees the request as sent.
      const stack = Tracing.layer().pipe(
        Layer.provide(AppHeaders.layer({ appName: "notes" })),
        Layer.provide(Logging.layer({ mode: "development" })),
        Layer.provide(Metrics.layer)
      )
      const client = yield* clientWith(server, stack, { baseUrl: `${server.url}/api` })
      const call = (path: string) =>
        client.post(path, {
          query: { access_token: "SECRET-Q", page: 2 },
          headers: {
            authorization: "Bearer SECRET-TOKEN-1",
            cookie: "session=SECRET-K",
            "x-api-key": "SECRET-X"
          },
          body: Body.json({ password: "SECRET-P", nested: { refresh_token: "SECRET-R" }, user: "ann" }),
          timeouts: { receive: "300 millis" }
        })

      expect(yield* call("/login")).toEqual(secretJson)
      const failed = yield* Effect.flip(call("/fail"))
      const timedOut = yield* Effect.flip(call("/slow"))
      expect(failed._tag).toBe("BadResponse")
      expect(timedOut._tag).toBe("Timeout")

      // The secrets really travelled: the search below is not vacuous.
      const [login] = yield* server.requests("/api/login")
      expect(login.headers["authorization"]).toBe("Bearer SECRET-TOKEN-1")
      expect(login.path).toContain("access_token=SECRET-Q")
      expect(login.bodyText).toContain("SECRET-R")

      const logText = logs.lines.flatMap((line) => line.rendered).join("\n")
      const spanText = spans.map((span) => span.render()).join("\n")
      expect(logText).not.toContain("SECRET-")
      expect(spanText).not.toContain("SECRET-")

      // ... and what is not secret is there.
      const requestLines = logs.lines.filter((line) => line.message === Logging.message)
      expect(requestLines.map((line) => [line.annotations["http.method"], line.annotations["http.outcome"]])).toEqual([
        ["POST", "ok"],
        ["POST", "BadResponse"],
        ["POST", "Timeout"]
      ])
      expect(requestLines[0].annotations["http.url"]).toBe(`${server.url}/api/login?access_token=<redacted>&page=2`)
      expect(requestLines[0].annotations["http.status"]).toBe(200)
      expect(requestLines[1].annotations["http.status"]).toBe(500)
      const details = logs.lines.filter((line) => line.message === Logging.detailMessage)
      expect(details.length).toBe(3)
      expect(details[0].annotations["http.request.headers"]).toMatchObject({
        authorization: "<redacted>",
        cookie: "<redacted>",
        "x-api-key": "<redacted>",
        "x-app-name": "notes",
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      })
      expect(JSON.parse(String(details[0].annotations["http.request.body"]))).toEqual({
        password: "<redacted>",
        nested: { refresh_token: "<redacted>" },
        user: "ann"
      })
      expect(details[0].annotations["http.response.headers"]).toMatchObject({ "set-cookie": "<redacted>" })
      expect(JSON.parse(String(details[0].annotations["http.response.body"]))).toEqual({ access_token: "<redacted>", user: "ann" })
      expect(JSON.parse(String(details[1].annotations["http.response.body"]))).toMatchObject({ error: "boom" })

      const client3 = clientSpans(spans)
      expect(client3.map((span) => span.name)).toEqual(["http.client POST", "http.client POST", "http.client POST"])
      expect(client3[0].attributes.get("url.full")).toBe(`${server.url}/api/login?access_token=<redacted>&page=2`)
      expect(client3[0].attributes.get("http.response.status_code")).toBe(200)
      expect(client3[1].attributes.get("http.response.status_code")).toBe(500)
      expect(client3[1].attributes.get("error.type")).toBe("BadResponse")
      expect(client3[2].attributes.get("error.type")).toBe("Timeout")
      // The log lines were written inside the spans, as events.
      expect(client3[0].events.map((event) => event.name)).toContain(Logging.message)
    }).pipe(
      Effect.withTracer(tracer),
      Effect.provide(logs.layer),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Debug))
    )
  })
})

describe("AppHeaders", () => {
  it.scopedLive("app headers arrive on the wire; a request's own value wins", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/h", Reply.status(204)]] })
      const client = yield* clientWith(
        server,
        AppHeaders.layer({
          userAgent: "Notes/1.4.2 (ios 17)",
          appName: "notes",
          appVersion: "1.4.2",
          platform: "ios",
          extra: { "X-Build": "421" }
        }),
        { headers: { "x-app-version": "from-config" } }
      )
      yield* client.get("/h", { responseType: "none" })
      yield* client.get("/h", { responseType: "none", headers: { "user-agent": "mine/1.0" } })
      const [first, second] = yield* server.journal
      expect(first.headers).toMatchObject({
        "user-agent": "Notes/1.4.2 (ios 17)",
        "x-app-name": "notes",
        "x-app-version": "from-config",
        "x-platform": "ios",
        "x-build": "421"
      })
      expect(second.headers["user-agent"]).toBe("mine/1.0")
      expect(second.headers["x-app-name"]).toBe("notes")
    }).pipe(Effect.orDie))

  it.scopedLive("an invalid value fails the Layer with a ConfigError, and nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/h", Reply.status(204)]] })
      const bad = [
        { appName: "notes\r\nx-injected: yes" },
        { platform: "" },
        { userAgent: " padded" },
        { appVersion: "1.0-✓" },
        { extra: { "bad name": "x" } },
        { extra: { authorization: "Bearer x" } }
      ]
      for (const options of bad) {
        const error = yield* Effect.flip(clientWith(server, AppHeaders.layer(options)))
        expect(error._op).toBe("InvalidData")
        expect(String(error)).not.toContain("injected")
      }
      expect((yield* server.journal).length).toBe(0)
    }))

  it.scopedLive("layerConfig reads APP_NAME, APP_VERSION, APP_PLATFORM, APP_USER_AGENT", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/h", Reply.status(204)]] })
      const env = ConfigProvider.fromMap(
        new Map([["APP_NAME", "notes"], ["APP_VERSION", "2.0.0"], ["APP_PLATFORM", "android"], ["APP_USER_AGENT", "Notes/2"]])
      )
      const client = yield* Effect.withConfigProvider(clientWith(server, AppHeaders.layerConfig()), env)
      yield* client.get("/h", { responseType: "none" })
      const [entry] = yield* server.journal
      expect(entry.headers).toMatchObject({
        "x-app-name": "notes",
        "x-app-version": "2.0.0",
        "x-platform": "android",
        "user-agent": "Notes/2"
      })
      const invalid = ConfigProvider.fromMap(new Map([["APP_PLATFORM", "and\u0001roid"]]))
      const error = yield* Effect.flip(Effect.withConfigProvider(clientWith(server, AppHeaders.layerConfig()), invalid))
      expect(String(error)).toContain("APP_PLATFORM")
      expect((yield* server.journal).length).toBe(1)
    }).pipe(Effect.orDie))
})

describe("Metrics", () => {
  const count = (labels: Metrics.Labels) => Effect.map(Metric.value(Metrics.requestsFor(labels)), (state) => state.count)

  it.scopedLive("counts calls by method, status class and outcome, durations and 401s", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/ok", Reply.json({})],
          ["DELETE", "/gone", Reply.status(503)],
          ["GET", "/private", Reply.status(401)],
          ["GET", "/reset", Reply.reset]
        ]
      })
      const client = yield* clientWith(server, Metrics.layer)
      const ok = { method: "GET", statusClass: "2xx", outcome: "ok" }
      const gone = { method: "DELETE", statusClass: "5xx", outcome: "BadResponse" }
      const denied = { method: "GET", statusClass: "4xx", outcome: "Unauthorized" }
      const reset = { method: "GET", statusClass: "none", outcome: "Network" }
      const before = {
        ok: yield* count(ok),
        gone: yield* count(gone),
        denied: yield* count(denied),
        reset: yield* count(reset),
        unauthorized: (yield* Metric.value(Metrics.unauthorized)).count,
        durations: (yield* Metric.value(Metrics.durationFor(ok))).count
      }
      yield* Effect.repeatN(client.get("/ok"), 2)
      yield* Effect.flip(client.delete("/gone"))
      yield* Effect.flip(client.get("/private"))
      yield* Effect.flip(client.get("/private"))
      yield* Effect.flip(client.get("/reset"))
      expect((yield* count(ok)) - before.ok).toBe(3)
      expect((yield* count(gone)) - before.gone).toBe(1)
      expect((yield* count(denied)) - before.denied).toBe(2)
      expect((yield* count(reset)) - before.reset).toBe(1)
      expect((yield* Metric.value(Metrics.unauthorized)).count - before.unauthorized).toBe(2)
      const durations = yield* Metric.value(Metrics.durationFor(ok))
      expect(durations.count - before.durations).toBe(3)
      expect(durations.min).toBeGreaterThanOrEqual(0)
      expect(durations.max).toBeLessThan(10)
    }))

  it.scopedLive("the program's metric tags (Effect.tagMetrics) are added to every update", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({})], ["GET", "/no", Reply.status(401)]] })
      const client = yield* clientWith(server, Metrics.layer)
      const ok = { method: "GET", statusClass: "2xx", outcome: "ok" }
      yield* Effect.tagMetrics(Effect.zipRight(client.get("/ok"), Effect.flip(client.get("/no"))), "tenant", "t-metrics-tags")
      expect((yield* Metric.value(Metric.tagged(Metrics.requestsFor(ok), "tenant", "t-metrics-tags"))).count).toBe(1)
      expect((yield* Metric.value(Metric.tagged(Metrics.durationFor(ok), "tenant", "t-metrics-tags"))).count).toBe(1)
      expect((yield* Metric.value(Metric.tagged(Metrics.unauthorized, "tenant", "t-metrics-tags"))).count).toBe(1)
    }))

  it.effect("exports the counters the retry and auth Layers increment", () =>
    Effect.gen(function*() {
      const before = (yield* Metric.value(Metrics.retries)).count
      yield* Metric.increment(Metrics.retries)
      expect((yield* Metric.value(Metrics.retries)).count).toBe(before + 1)
      expect((yield* Metric.value(Metrics.refreshes)).count).toBeGreaterThanOrEqual(0)
      expect((yield* Metric.value(Metrics.refreshFailures)).count).toBeGreaterThanOrEqual(0)
    }))
})

describe("Tracing", () => {
  it.scopedLive("one client span per call, with redacted url.full and the status code", () => {
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/a", Reply.json({})], ["PROPFIND", "/dav", Reply.status(207)]] })
      const client = yield* clientWith(server, Tracing.layer())
      yield* Effect.withSpan(client.get("/a", { query: { token: "T0P", page: 1 } }), "outer")
      yield* client.request("PROPFIND", "/dav", { responseType: "none" })
      const [outer] = spans.filter((span) => span.name === "outer")
      const [get, dav] = clientSpans(spans)
      expect(clientSpans(spans).length).toBe(2)
      expect(get.name).toBe("http.client GET")
      expect(Object.fromEntries(get.attributes)).toEqual({
        "http.request.method": "GET",
        "url.full": `${server.url}/a?token=<redacted>&page=1`,
        "url.scheme": "http",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "courier.attempt": 1,
        "http.response.status_code": 200
      })
      expect(Option.getOrUndefined(get.parent)?.spanId).toBe(outer.spanId)
      expect(get.status._tag).toBe("Ended")
      expect(dav.name).toBe("http.client HTTP")
      expect(dav.attributes.get("http.request.method")).toBe("_OTHER")
      expect(dav.attributes.get("http.request.method_original")).toBe("PROPFIND")
      expect(dav.attributes.get("http.response.status_code")).toBe(207)
    }).pipe(Effect.withTracer(tracer))
  })

  it.scopedLive("a failure sets error.type and ends the span without the failure's message", () => {
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/fail", Reply.text("T0P body", { status: 502 })]] })
      const client = yield* clientWith(server, Tracing.layer())
      const error = yield* Effect.flip(client.get("/fail"))
      // The failure itself quotes the body; the span must not.
      expect(error.message).toContain("T0P")
      const [span] = clientSpans(spans)
      expect(span.attributes.get("error.type")).toBe("BadResponse")
      expect(span.attributes.get("http.response.status_code")).toBe(502)
      expect(span.exit !== undefined && Exit.isFailure(span.exit)).toBe(true)
      expect(span.render()).not.toContain("T0P")
      expect(span.render()).toContain("BadResponse")
    }).pipe(Effect.withTracer(tracer))
  })

  it.scopedLive("traceparent reaches the base URL's origin, never another one", () => {
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const base = yield* TestServer.make({ routes: [["GET", "/a", Reply.json({})]] })
      const other = yield* TestServer.make({ routes: [["GET", "/b", Reply.json({})]] })
      const client = yield* clientWith(base, Tracing.layer(), { allowedOrigins: [other.origin] })
      yield* client.get("/a")
      yield* client.get(`${other.url}/b`)
      yield* client.get("/a", { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } })
      const [first, own] = yield* base.journal
      const [foreign] = yield* other.journal
      const [span] = clientSpans(spans)
      expect(first.headers["traceparent"]).toBe(`00-${span.traceId}-${span.spanId}-01`)
      expect(first.headers["traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      expect(foreign.headers["traceparent"]).toBeUndefined()
      expect(foreign.headers["b3"]).toBeUndefined()
      expect(own.headers["traceparent"]).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
      expect(clientSpans(spans)[1].attributes.get("server.port")).toBe(other.port)
    }).pipe(Effect.withTracer(tracer))
  })

  it.scopedLive("with Effect's own tracer, trace context continues the caller's trace and no span is recorded", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/a", Reply.json({})]] })
      // What the code below the Layer sees as its current span.
      const seen: Array<string | undefined> = []
      const probe = CourierClient.layerDecorate((execute) =>
        Effect.succeed((request) =>
          Effect.flatMap(Effect.option(Effect.currentSpan), (span) => {
            seen.push(Option.getOrUndefined(span)?.name)
            return execute(request)
          })
        )
      )
      const client = yield* clientWith(server, Tracing.layer().pipe(Layer.provide(probe)))
      const outer = yield* Effect.withSpan(
        Effect.zipLeft(Effect.currentSpan, client.get("/a")),
        "outer"
      )
      yield* client.get("/a")
      yield* Effect.withTracerEnabled(client.get("/a"), false)
      const [inTrace, alone, disabled] = yield* server.journal
      const [, traceId, spanId, flags] = String(inTrace.headers["traceparent"]).split("-")
      expect(traceId).toBe(outer.traceId)
      expect(spanId).toMatch(/^[0-9a-f]{16}$/)
      expect(spanId).not.toBe(outer.spanId)
      expect(flags).toBe("01")
      expect(inTrace.headers["b3"]).toBe(`${traceId}-${spanId}-1-${outer.spanId}`)
      expect(alone.headers["traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      const [, aloneTrace, aloneSpan] = String(alone.headers["traceparent"]).split("-")
      expect(aloneTrace).not.toBe(outer.traceId)
      expect(alone.headers["b3"]).toBe(`${aloneTrace}-${aloneSpan}-1`)
      expect(disabled.headers["traceparent"]).toBeUndefined()
      expect(disabled.headers["b3"]).toBeUndefined()
      // No client span was made: the calls below see the caller's span, or none.
      expect(seen).toEqual(["outer", undefined, undefined])
    }))

  it.scopedLive("propagate: false sends no trace context; no base URL means no origin to send it to", () => {
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/a", Reply.json({})]] })
      const quiet = yield* clientWith(server, Tracing.layer({ propagate: false }))
      yield* quiet.get("/a")
      const unbased = yield* clientWith(server, Tracing.layer(), { baseUrl: undefined })
      yield* unbased.get(`${server.url}/a`)
      const entries = yield* server.journal
      expect(entries.map((entry) => entry.headers["traceparent"])).toEqual([undefined, undefined])
      expect(clientSpans(spans).length).toBe(2)
    }).pipe(Effect.withTracer(tracer))
  })

  it.scopedLive("extra redaction rules apply to url.full", () => {
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/a", Reply.json({})]] })
      const client = yield* clientWith(server, Tracing.layer({ redaction: { queryParams: ["session"] } }))
      yield* client.get("/a", { query: { session: "T0P", q: "x" } })
      expect(clientSpans(spans)[0].attributes.get("url.full")).toBe(`${server.url}/a?session=<redacted>&q=x`)
    }).pipe(Effect.withTracer(tracer))
  })
})
