import { Auth, Body, CourierClient, Ndjson, Redaction, ServerSentEvents, TokenStore } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import * as Logging from "@courier/client/Logging"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import { captureLogs } from "./recorders.js"
import { clientOn } from "./support.js"

// Secrets that come back: in a failing body the rules cannot parse, in a
// NDJSON line, in a header that holds a URL. Each case checks every way the
// failure and its log lines can be shown.

const token = "S3CRET-bearer-71c2e9"
const apiKey = "S3CRET-apikey-0d4f81"
const cookieValue = "S3CRET-cookie-93ab27"
const basicPassword = "S3CRET-basic-pw-5e"

/** Every way a failure gets shown: message, toString, JSON, Cause.pretty, util.inspect (cause chains included). */
const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  String(error),
  JSON.stringify(error) ?? "",
  Cause.pretty(Cause.fail(error)),
  inspect(error, { depth: 20 })
]

const expectHidden = (shown: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
  for (const text of shown) for (const secret of secrets) expect(text).not.toContain(secret)
}

/** A client with development logging over the node transport, and the lines it wrote. */
const loggedClient = (server: TestServer.Service, config: CourierConfig.Options = {}) => {
  const logs = captureLogs()
  return Effect.map(
    Layer.build(
      Logging.layer({ mode: "development" }).pipe(Layer.provide(TestClient.layerFor(server, config, "node")))
    ),
    (context) => ({ client: Context.get(context, CourierClient.CourierClient), logs })
  ).pipe(Effect.orDie)
}

const withLogs = (logs: ReturnType<typeof captureLogs>) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(logs.layer), Logger.withMinimumLogLevel(LogLevel.Debug))

describe("NDJSON failures are redacted like client.get", () => {
  const Item = Schema.Struct({ id: Schema.Number })
  const line = JSON.stringify({ id: "one", access_token: token, password: basicPassword, note: "kept" })

  it.scopedLive("a line that does not match the schema shows no access_token or password", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/items", Reply.text(`${line}\n`, { headers: { "content-type": "application/x-ndjson" } })],
          ["GET", "/one", Reply.json(JSON.parse(line))]
        ]
      })
      const client = yield* clientOn(server, "node")
      const error = yield* Ndjson.stream(client, "GET", "/items", { schema: Item }).pipe(Stream.runDrain, Effect.flip)
      expect(error).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch", contentType: "application/x-ndjson" })
      if (error._tag !== "Parse") return expect.fail(error._tag)
      expect(error.bodyExcerpt).toContain("kept")
      expectHidden([error.bodyExcerpt, ...renderings(error)], [token, basicPassword])
      // The same document through client.get: the same excerpt.
      const single = yield* Effect.flip(client.get("/one", { schema: Item }))
      if (single._tag !== "Parse") return expect.fail(single._tag)
      expect(error.bodyExcerpt).toBe(single.bodyExcerpt)
    }))

  it.scopedLive("a line that is not JSON is shown only as its size, like a body that is not JSON", () =>
    Effect.gen(function*() {
      const broken = `{"password":"${basicPassword}", oops}`
      const server = yield* TestServer.make({ routes: [["GET", "/items", Reply.text(`${broken}\n`)]] })
      const client = yield* clientOn(server, "node")
      const error = yield* Ndjson.stream(client, "GET", "/items", { schema: Item }).pipe(Stream.runDrain, Effect.flip)
      expect(error).toMatchObject({ _tag: "Parse", reason: "InvalidJson", bodyExcerpt: `<${broken.length} bytes of invalid JSON>` })
      expectHidden(renderings(error), [basicPassword])
    }))
})

describe("SSE data decoded with a schema fails like client.get", () => {
  const Price = Schema.Struct({ price: Schema.Number })

  it.scopedLive("data that does not match: no access_token, password or echoed API key in the failure", () =>
    Effect.gen(function*() {
      const data = JSON.stringify({ price: "high", access_token: token, password: basicPassword, echo: apiKey, note: "kept" })
      const server = yield* TestServer.make({
        routes: [[
          "GET",
          "/prices",
          Reply.text(`data: {"price":1}\n\ndata: ${data}\n\n`, { headers: { "content-type": "text/event-stream" } })
        ]]
      })
      const client = yield* clientOn(server, "node")
      const seen: Array<number> = []
      const error = yield* ServerSentEvents.streamJson(client, "/prices", { schema: Price, headers: { "x-api-key": apiKey } }).pipe(
        Stream.runForEach((event) => Effect.sync(() => seen.push(event.data.price))),
        Effect.flip
      )
      expect(seen).toEqual([1])
      expect(error).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch", contentType: "text/event-stream" })
      if (error._tag !== "Parse") return expect.fail(error._tag)
      expect(error.bodyExcerpt).toContain("kept")
      expectHidden([error.bodyExcerpt, JSON.stringify(error.issues), ...renderings(error)], [token, basicPassword, apiKey])
    }))
})

describe("streams mask the credentials a Layer added", () => {
  const Item = Schema.Struct({ id: Schema.Number })
  const echo = JSON.stringify({ id: "x", seen: `Bearer ${token}` })

  it.scopedLive("the auth Layer's bearer token echoed in a failing NDJSON line or SSE event is masked", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/items", Reply.text(`${echo}\n`)],
          ["GET", "/events", Reply.text(`data: ${echo}\n\n`, { headers: { "content-type": "text/event-stream" } })]
        ]
      })
      const client = yield* Effect.map(
        Layer.build(
          Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
            Layer.provide(TestClient.layerFor(server, {}, "node")),
            Layer.provide(TokenStore.layerMemory(TokenStore.tokens(token, "R1")))
          )
        ),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      const lineError = yield* Ndjson.stream(client, "GET", "/items", { schema: Item }).pipe(Stream.runDrain, Effect.flip)
      const eventError = yield* ServerSentEvents.streamJson(client, "/events", { schema: Item }).pipe(Stream.runDrain, Effect.flip)
      const [sent] = yield* server.requests("/items")
      expect(sent.headers["authorization"]).toBe(`Bearer ${token}`)
      for (const error of [lineError, eventError]) {
        if (error._tag !== "Parse") return expect.fail(error._tag)
        expect(error.bodyExcerpt).toContain("<redacted>")
        expectHidden([error.bodyExcerpt, JSON.stringify(error.issues), ...renderings(error)], [token])
      }
    }))
})

describe("secret headers do not cross origins on redirect", () => {
  const names = ["x-api-key", "api-key", "x-auth-token", "x-access-token"] as const

  it.scopedLive("the common API-key headers, as default headers or per request, with no credentialHeaders option", () =>
    Effect.gen(function*() {
      const attacker = yield* TestServer.make({ routes: [["*", "/land", Reply.json({ landed: true })]] })
      const api = yield* TestServer.make({ routes: [["*", "/start", Reply.redirect(302, `${attacker.url}/land`)]] })
      const client = yield* clientOn(api, "node", { headers: { "X-Api-Key": apiKey } })
      yield* client.get("/start")
      yield* client.get("/start", { headers: Object.fromEntries(names.map((name) => [name, `${apiKey}-${name}`])) })
      const [first, second] = yield* api.requests("/start")
      expect(first.headers["x-api-key"]).toBe(apiKey)
      for (const name of names) expect(second.headers[name]).toBe(`${apiKey}-${name}`)
      const landed = yield* attacker.requests("/land")
      expect(landed.length).toBe(2)
      for (const entry of landed) {
        for (const name of names) expect(entry.headers[name], name).toBeUndefined()
        expect(JSON.stringify(entry.headers)).not.toContain(apiKey)
      }
    }))

  it.scopedLive("a header the Redaction in context names as secret is dropped too", () =>
    Effect.gen(function*() {
      const attacker = yield* TestServer.make({ routes: [["*", "/land", Reply.json({ landed: true })]] })
      const api = yield* TestServer.make({ routes: [["*", "/start", Reply.redirect(307, `${attacker.url}/land`)]] })
      const client = yield* Effect.map(
        Layer.build(
          TestClient.layerFor(api, {}, "node").pipe(Layer.provide(Redaction.layer({ headers: ["x-session"] })))
        ),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      yield* client.get("/start", { headers: { "x-session": apiKey, "x-trace": "t-1" } })
      const [landed] = yield* attacker.requests("/land")
      expect(landed.headers["x-session"]).toBeUndefined()
      expect(landed.headers["x-trace"]).toBe("t-1")
    }))
})

describe("credentials echoed by the server are masked", () => {
  it.scopedLive("a text/plain 401 echoing the bearer token: not in Unauthorized nor in the log lines", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", Reply.text(`invalid credentials: Bearer ${token}`, { status: 401 })]]
      })
      const { client, logs } = yield* loggedClient(server)
      const error = yield* Effect.flip(client.get("/me", { headers: { authorization: `Bearer ${token}` } })).pipe(withLogs(logs))
      expect(error).toMatchObject({ _tag: "Unauthorized", bodyExcerpt: "invalid credentials: <redacted>" })
      expectHidden(renderings(error), [token])
      expect(logs.lines.length).toBeGreaterThan(0)
      expectHidden(logs.lines.flatMap((line) => line.rendered), [token])
    }))

  it.scopedLive("an API key, a cookie value and Basic credentials echoed in a 500 and in a JSON field not named as secret", () =>
    Effect.gen(function*() {
      const basic = `Basic ${btoa(`alice:${basicPassword}`)}`
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/text", Reply.text(`key ${apiKey} cookie ${cookieValue} pw ${basicPassword}`, { status: 500 })],
          ["GET", "/json", Reply.json({ echo: { key: apiKey, c: `sid=${cookieValue}`, user: `alice:${basicPassword}` } }, { status: 500 })]
        ]
      })
      const { client, logs } = yield* loggedClient(server)
      const headers = { "x-api-key": apiKey, cookie: `theme=dark; sid=${cookieValue}`, authorization: basic }
      for (const path of ["/text", "/json"]) {
        const error = yield* Effect.flip(client.get(path, { headers })).pipe(withLogs(logs))
        expect(error._tag).toBe("BadResponse")
        if (error._tag !== "BadResponse") return
        expect(error.bodyExcerpt).toContain("<redacted>")
        expectHidden([error.bodyExcerpt, ...renderings(error)], [apiKey, cookieValue, basicPassword])
      }
      expectHidden(logs.lines.flatMap((line) => line.rendered), [apiKey, cookieValue, basicPassword])
    }))

  it.scopedLive("a value sent in a secret body field or query parameter and echoed back: masked in the failure and the log lines", () =>
    Effect.gen(function*() {
      const refresh = "S3CRET-refresh-4be0c1"
      const password = "S3CRET-form-pw-77d2"
      const code = "S3CRET-query-code-19"
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/json", Reply.json({ error: "invalid_grant", detail: `refresh token ${refresh} is revoked` }, { status: 400 })],
          ["POST", "/form", Reply.text(`login failed for password ${password}`, { status: 500 })],
          ["GET", "/callback", Reply.text(`code ${code} was already used`, { status: 400 })]
        ]
      })
      const { client, logs } = yield* loggedClient(server)
      const failures = [
        yield* Effect.flip(client.post("/json", { body: Body.json({ grant: { refreshToken: refresh } }) })).pipe(withLogs(logs)),
        yield* Effect.flip(client.post("/form", { body: Body.form({ user: "alice", password }) })).pipe(withLogs(logs)),
        yield* Effect.flip(client.get("/callback", { query: { code, state: "x" } })).pipe(withLogs(logs))
      ]
      for (const error of failures) {
        expect(error._tag).toBe("BadResponse")
        if (error._tag !== "BadResponse") return
        expect(error.bodyExcerpt).toContain("<redacted>")
        expectHidden([error.bodyExcerpt, ...renderings(error)], [refresh, password, code])
      }
      expectHidden(logs.lines.flatMap((line) => line.rendered), [refresh, password, code])
    }))

  it.scopedLive("the refresh token echoed by a failing refresh endpoint: not in Unauthorized, its cause nor the log lines", () =>
    Effect.gen(function*() {
      const refresh = "S3CRET-refresh-a81f3c"
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", Reply.text("expired", { status: 401 })],
          ["POST", "/auth/refresh", Reply.text(`refresh token ${refresh} rejected`, { status: 400 })]
        ]
      })
      const logs = captureLogs()
      const context = yield* Layer.build(
        Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
          Layer.provide(Logging.layer({ mode: "development" })),
          Layer.provide(TestClient.layerFor(server, {}, "node")),
          Layer.provide(TokenStore.layerMemory(TokenStore.tokens("old-access-token", refresh)))
        )
      ).pipe(Effect.orDie)
      const client = Context.get(context, CourierClient.CourierClient)
      const error = yield* Effect.flip(client.get("/me")).pipe(withLogs(logs))
      expect(error._tag).toBe("Unauthorized")
      const journal = yield* server.journal
      expect(journal.filter((entry) => entry.path === "/auth/refresh")).toHaveLength(1)
      expectHidden(renderings(error), [refresh])
      expect(logs.lines.length).toBeGreaterThan(0)
      expectHidden(logs.lines.flatMap((line) => line.rendered), [refresh])
    }))

  it.scopedLive("a schema issue quoting the token does not show it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/me", Reply.json({ id: `Bearer ${token}` })]] })
      const client = yield* clientOn(server, "node")
      const error = yield* Effect.flip(
        client.get("/me", { headers: { authorization: `Bearer ${token}` }, schema: Schema.Struct({ id: Schema.Number }) })
      )
      expect(error._tag).toBe("Parse")
      if (error._tag !== "Parse") return
      expect(error.issues.length).toBe(1)
      expectHidden([JSON.stringify(error.issues), ...renderings(error)], [token])
    }))

  it.scopedLive("an excerpt cut in the middle of the token does not show its start", () =>
    Effect.gen(function*() {
      const body = `${"x".repeat(500)} ${token} and more text after it`
      const server = yield* TestServer.make({ routes: [["GET", "/me", Reply.text(body, { status: 403 })]] })
      const client = yield* clientOn(server, "node")
      const error = yield* Effect.flip(client.get("/me", { headers: { authorization: `Bearer ${token}` } }))
      if (error._tag !== "BadResponse") return expect.fail(error._tag)
      expect(error.bodyExcerpt).toMatch(/<redacted>…\(\d+ bytes\)$/)
      expectHidden([error.bodyExcerpt], [token.slice(0, 6)])
    }))
})

describe("URL-valued response headers go through the URL redactor", () => {
  it.scopedLive("Location, Link and Refresh in BadResponse.headers and in the log lines", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [[
          "GET",
          "/login",
          Reply.redirect(302, `/callback?code=C0DE-9f3a1&token=${token}&state=ok`, {
            headers: {
              link: `<https://cdn.example.test/a?sig=S1G-77a2b&v=2>; rel=preload`,
              refresh: `0; url=/next?access_token=${token}`
            }
          })
        ]]
      })
      const { client, logs } = yield* loggedClient(server, { maxRedirects: 0 })
      const error = yield* Effect.flip(client.get("/login")).pipe(withLogs(logs))
      if (error._tag !== "BadResponse") return expect.fail(error._tag)
      expect(error.status).toBe(302)
      expect(error.headers["location"]).toBe("/callback?code=<redacted>&token=<redacted>&state=ok")
      expect(error.headers["link"]).toBe("<https://cdn.example.test/a?sig=<redacted>&v=2>; rel=preload")
      expect(error.headers["refresh"]).toBe("0; url=/next?access_token=<redacted>")
      const secrets = [token, "C0DE-9f3a1", "S1G-77a2b"]
      expectHidden(renderings(error), secrets)
      expect(logs.lines.length).toBeGreaterThan(0)
      expectHidden(logs.lines.flatMap((line) => line.rendered), secrets)
    }))

  it.scopedLive("a Location on a success (201 Created) is redacted in the development log line", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/things", Reply.json({ id: 1 }, { status: 201, headers: { location: `/things/1?token=${token}` } })]]
      })
      const { client, logs } = yield* loggedClient(server)
      yield* client.post("/things").pipe(withLogs(logs))
      const detail = logs.lines.find((line) => line.message === Logging.detailMessage)
      expect(detail?.annotations["http.response.headers"]).toMatchObject({ location: "/things/1?token=<redacted>" })
      expectHidden(logs.lines.flatMap((line) => line.rendered), [token])
    }))

  it.scopedLive("a redirect the client refuses, or one too many, does not show the Location's secrets", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/app", Reply.redirect(302, `myapp://callback?code=C0DE-9f3a1&token=${token}`)],
          ["GET", "/loop", Reply.redirect(302, `/loop?token=${token}`)]
        ]
      })
      const { client, logs } = yield* loggedClient(server, { maxRedirects: 2 })
      const refused = yield* Effect.flip(client.get("/app")).pipe(withLogs(logs))
      expect(refused).toMatchObject({ _tag: "RequestRefused", reason: "UnsupportedScheme" })
      const looped = yield* Effect.flip(client.get("/loop")).pipe(withLogs(logs))
      expect(looped).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyRedirects" })
      const secrets = [token, "C0DE-9f3a1"]
      expectHidden([...renderings(refused), ...renderings(looped)], secrets)
      expectHidden(logs.lines.flatMap((line) => line.rendered), secrets)
    }))
})
