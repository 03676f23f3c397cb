import { Auth, Body, CourierClient, Redaction, Retry, TokenStore } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import * as Logging from "@courier/client/Logging"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"

interface Line {
  readonly level: string
  readonly message: unknown
  readonly annotations: Record<string, unknown>
  readonly json: string
  readonly logfmt: string
}

/** A logger that keeps every line, with its Logger.json and logfmt renderings. */
const capture = () => {
  const lines: Array<Line> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push({
      level: options.logLevel.label,
      message: options.message,
      annotations: Object.fromEntries(HashMap.toEntries(options.annotations)),
      json: Logger.jsonLogger.log(options),
      logfmt: Logger.logfmtLogger.log(options)
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const messageOf = (line: Line): unknown => Array.isArray(line.message) && line.message.length === 1 ? line.message[0] : line.message
const requestLines = (lines: ReadonlyArray<Line>) => lines.filter((line) => messageOf(line) === Logging.message)
const detailLines = (lines: ReadonlyArray<Line>) => lines.filter((line) => messageOf(line) === Logging.detailMessage)

const loggedClient = (server: TestServer.Service, options: Logging.Options = {}, config: CourierConfig.Options = {}) =>
  Effect.map(
    Layer.build(Logging.layer(options).pipe(Layer.provide(TestClient.layerFor(server, config, "node")))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

describe("Logging", () => {
  it.scopedLive("one request line per call, with the annotations and nothing else", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/api/posts", Reply.json([{ id: 1 }])]] })
      const client = yield* loggedClient(server, {}, { baseUrl: `${server.url}/api` })
      yield* client.get("/posts", { query: { page: 2, token: "T0P" }, headers: { authorization: "Bearer T0P" } })
      yield* client.get("/posts")
      const logged = requestLines(lines)
      expect(lines.length).toBe(2)
      expect(logged.length).toBe(2)
      const [first, second] = logged
      expect(first.level).toBe("DEBUG")
      expect(first.annotations).toMatchObject({
        "http.method": "GET",
        "http.url": `${server.url}/api/posts?page=2&token=<redacted>`,
        "http.status": 200,
        "http.outcome": "ok",
        "http.attempt": 1
      })
      expect(typeof first.annotations["http.duration_ms"]).toBe("number")
      expect(first.annotations["http.duration_ms"]).toBeGreaterThanOrEqual(0)
      expect(Object.keys(first.annotations).sort()).toEqual(
        ["http.attempt", "http.duration_ms", "http.method", "http.outcome", "http.status", "http.url"]
      )
      expect(second.annotations["http.url"]).toBe(`${server.url}/api/posts`)
      expect(lines.map((line) => line.json + line.logfmt).join("\n")).not.toContain("T0P")
    }).pipe(Effect.provide(layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Debug)))
  })

  it.scopedLive("a failure logs its tag, with reason, phase and status when present", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/fail", Reply.json({ error: "boom" }, { status: 503 })],
          ["GET", "/reset", Reply.reset],
          ["GET", "/slow", Reply.stall]
        ]
      })
      const client = yield* loggedClient(server)
      expect((yield* Effect.flip(client.get("/fail")))._tag).toBe("BadResponse")
      expect((yield* Effect.flip(client.get("/reset")))._tag).toBe("Network")
      expect((yield* Effect.flip(client.get("/slow", { timeouts: { receive: "100 millis" } })))._tag).toBe("Timeout")
      const [fail, reset, slow] = requestLines(lines)
      expect(requestLines(lines).length).toBe(3)
      expect(fail.level).toBe("WARN")
      expect(fail.annotations).toMatchObject({ "http.failure": "BadResponse", "http.status": 503, "http.outcome": "BadResponse" })
      expect(reset.annotations).toMatchObject({ "http.failure": "Network", "http.reason": "ConnectionReset" })
      expect(reset.annotations["http.status"]).toBeUndefined()
      expect(slow.annotations).toMatchObject({ "http.failure": "Timeout", "http.phase": "receive", "http.method": "GET" })
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("an interrupted call is not a failure: one Debug line, outcome interrupted", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/stall", Reply.stall]] })
      const client = yield* loggedClient(server)
      // The caller gives up: execute is interrupted from outside.
      const giveUp = Effect.timeoutFail({ duration: "100 millis", onTimeout: () => "gave up" as const })
      expect(yield* Effect.flip(giveUp(client.get("/stall")))).toBe("gave up")
      expect(lines.length).toBe(0)
      yield* Effect.flip(giveUp(client.get("/stall"))).pipe(Logger.withMinimumLogLevel(LogLevel.Debug))
      expect(lines.length).toBe(1)
      expect(lines[0].level).toBe("DEBUG")
      expect(lines[0].annotations["http.outcome"]).toBe("interrupted")
      expect(lines[0].annotations["http.failure"]).toBeUndefined()
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("the total timeout is the call's own failure, logged as one", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/stall", Reply.stall]] })
      const client = yield* loggedClient(server, {}, { timeouts: { total: "100 millis" } })
      const error = yield* Effect.flip(client.get("/stall"))
      expect(error._tag === "Timeout" && error.phase).toBe("total")
      expect(lines.length).toBe(1)
      expect(lines[0].annotations["http.failure"]).toBe("Timeout")
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("Logger.json and logfmt render machine-readable lines", () => {
    const json: Array<string> = []
    const logfmt: Array<string> = []
    const loggers = Layer.mergeAll(
      Logger.replace(Logger.defaultLogger, Logger.map(Logger.jsonLogger, (line) => json.push(line))),
      Logger.add(Logger.map(Logger.logfmtLogger, (line) => logfmt.push(line)))
    )
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})], ["GET", "/y", Reply.status(404)]] })
      const client = yield* loggedClient(server, { level: LogLevel.Info })
      yield* client.get("/x")
      yield* Effect.flip(client.get("/y"))
      expect(json.length).toBe(2)
      const [ok, missing] = json.map((line) => JSON.parse(line))
      expect(ok.message).toBe("http")
      expect(ok.logLevel).toBe("INFO")
      expect(ok.annotations).toMatchObject({ "http.method": "GET", "http.url": `${server.url}/x`, "http.status": 200 })
      expect(missing.annotations).toMatchObject({ "http.status": 404, "http.failure": "BadResponse" })
      expect(logfmt[0]).toContain("http.method=GET")
      expect(logfmt[0]).toContain("http.status=200")
      expect(logfmt[1]).toContain("http.failure=BadResponse")
    }).pipe(Effect.provide(loggers))
  })

  it.scopedLive("development mode adds a Debug line with redacted headers and bounded bodies", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/echo", Reply.echo],
          ["GET", "/big", Reply.text("x".repeat(10_000))]
        ]
      })
      const client = yield* loggedClient(server, { mode: "development", maxBodyBytes: 2000 })
      yield* client.post("/echo", {
        headers: { authorization: "Bearer T0P", "x-trace": "visible" },
        body: Body.json({ user: "ann", password: "PW0" })
      })
      yield* client.get("/big", { responseType: "text" })
      expect(requestLines(lines).length).toBe(2)
      const [echo, big] = detailLines(lines)
      expect(echo.level).toBe("DEBUG")
      expect(echo.annotations["http.status"]).toBe(200)
      expect(echo.annotations["http.request.headers"]).toMatchObject({ authorization: "<redacted>", "x-trace": "visible" })
      expect(echo.annotations["http.request.body"]).toBe("{\"user\":\"ann\",\"password\":\"<redacted>\"}")
      expect(echo.annotations["http.response.headers"]).toMatchObject({ "content-type": "application/json" })
      // The echo shows the request back: its authorization header, its body as a JSON string.
      const echoed = JSON.parse(String(echo.annotations["http.response.body"]))
      expect(echoed.headers).toMatchObject({ authorization: "<redacted>", "x-trace": "visible" })
      expect(JSON.parse(echoed.body)).toEqual({ user: "ann", password: "<redacted>" })
      expect(big.annotations["http.response.body"]).toBe(`${"x".repeat(2000)}…(10000 bytes)`)
      const all = lines.map((line) => line.json + line.logfmt).join("\n")
      expect(all).not.toContain("T0P")
      expect(all).not.toContain("PW0")
    }).pipe(Effect.provide(layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Debug)))
  })

  it.scopedLive("development mode never reads a streaming body, and writes no detail below Debug", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/stream", Reply.text("abcdef")]] })
      const client = yield* loggedClient(server, { mode: "development", level: LogLevel.Info })
      const chunks = yield* Stream.runCollect(client.stream("GET", "/stream"))
      expect(new TextDecoder().decode(Buffer.concat(Array.from(chunks)))).toBe("abcdef")
      expect(detailLines(lines)[0].annotations["http.response.body"]).toBe("<stream, not read by logging>")
      lines.length = 0
      yield* client.get("/stream", { responseType: "text" }).pipe(Logger.withMinimumLogLevel(LogLevel.Info))
      expect(lines.length).toBe(1)
      expect(detailLines(lines).length).toBe(0)
    }).pipe(Effect.provide(layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Debug)))
  })

  it.scopedLive("production mode writes no detail even at Debug", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/echo", Reply.echo]] })
      const client = yield* loggedClient(server, { level: LogLevel.Debug })
      yield* client.post("/echo", { body: Body.json({ a: 1 }) })
      expect(lines.length).toBe(1)
      expect(lines[0].level).toBe("DEBUG")
      expect(Object.keys(lines[0].annotations).some((key) => key.includes("headers") || key.includes("body"))).toBe(false)
    }).pipe(Effect.provide(layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Debug)))
  })

  describe("levels", () => {
    it.scopedLive("a routine success is Debug, invisible under Effect's default minimum level; a failure warns", () => {
      const { layer, lines } = capture()
      return Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})], ["GET", "/y", Reply.status(500)]] })
        const client = yield* loggedClient(server)
        yield* client.get("/x")
        expect(lines).toEqual([])
        yield* Effect.flip(client.get("/y"))
        expect(lines.map((line) => [line.level, line.annotations["http.status"]])).toEqual([["WARN", 500]])
        // The same success, with debugging on.
        yield* client.get("/x").pipe(Logger.withMinimumLogLevel(LogLevel.Debug))
        expect(lines[1]).toMatchObject({ level: "DEBUG", annotations: { "http.status": 200 } })
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("level: Info shows every success again", () => {
      const { layer, lines } = capture()
      return Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
        const client = yield* loggedClient(server, { level: LogLevel.Info })
        yield* client.get("/x")
        expect(lines.map((line) => line.level)).toEqual(["INFO"])
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("below Retry: the failed attempt warns, the success after the retry is Info", () => {
      const { layer, lines } = capture()
      return Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.json({ ok: true })])]]
        })
        const client = yield* Effect.map(
          Layer.build(
            Retry.layer({ baseDelay: 0 }).pipe(
              Layer.provide(Logging.layer()),
              Layer.provide(TestClient.layerFor(server, {}, "node"))
            )
          ),
          (context) => Context.get(context, CourierClient.CourierClient)
        ).pipe(Effect.orDie)
        yield* client.get("/flaky")
        expect(requestLines(lines).map((line) => [line.level, line.annotations["http.status"], line.annotations["http.attempt"]]))
          .toEqual([["WARN", 503, 1], ["INFO", 200, 2]])
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("below Auth: the 401 warns, the refresh call and the replay are Info with http.role", () => {
      const { layer, lines } = capture()
      return Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
            ["GET", "/me", Reply.sequence([Reply.status(401), Reply.json({ ok: true })])]
          ]
        })
        const client = yield* Effect.map(
          Layer.build(
            Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
              Layer.provide(Logging.layer()),
              Layer.provide(TestClient.layerFor(server, {}, "node")),
              Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
            )
          ),
          (context) => Context.get(context, CourierClient.CourierClient)
        ).pipe(Effect.orDie)
        yield* client.get("/me")
        yield* client.get("/me").pipe(Effect.ignore)
        expect(requestLines(lines).map((line) => [line.level, line.annotations["http.url"], line.annotations["http.role"]]))
          .toEqual([
            ["WARN", `${server.url}/me`, undefined],
            ["INFO", `${server.url}/auth/refresh`, "refresh"],
            ["INFO", `${server.url}/me`, "replay"]
          ])
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("a success under the minimum level builds nothing: the redactor is not even asked for the URL", () => {
      const { layer, lines } = capture()
      let urls = 0
      const base = Redaction.make()
      const counting: Redaction.Redactor = {
        ...base,
        url: (url) => {
          urls++
          return base.url(url)
        }
      }
      return Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})], ["GET", "/y", Reply.status(404)]] })
        const client = yield* Effect.map(
          Layer.build(
            Logging.layer({ mode: "development" }).pipe(
              Layer.provide(TestClient.layerFor(server, {}, "node")),
              Layer.provide(Layer.succeed(Redaction.Redaction, counting))
            )
          ),
          (context) => Context.get(context, CourierClient.CourierClient)
        ).pipe(Effect.orDie)
        for (let i = 0; i < 20; i++) yield* client.get("/x")
        expect(urls).toBe(0)
        expect(lines).toEqual([])
        yield* Effect.flip(client.get("/y"))
        expect(urls).toBe(1)
        expect(lines.length).toBe(1)
      }).pipe(Effect.provide(layer))
    })
  })
})
