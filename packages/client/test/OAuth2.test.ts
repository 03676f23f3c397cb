import { Auth, CourierClient, CourierError, Logging, Retry, TokenStore, Tracing } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { captureLogs, recordSpans } from "./recorders.js"
import { waitUntil } from "./support.js"

// Auth.refreshOAuth2 as an OAuth2 client meets it: the token endpoint on
// another origin than the API, behind the same stack as every call (Retry,
// Tracing, Logging), with credentials of its own. Checked on the wire of
// both servers.

const s = {
  clientSecret: "S3CRET-client-secret",
  access1: "S3CRET-access-1",
  refresh1: "S3CRET-refresh-1",
  access2: "S3CRET-access-2",
  refresh2: "S3CRET-refresh-2",
  apiKey: "S3CRET-api-key"
}

/** The API: 200 to `Bearer <access2>`, 401 to anything else. */
const api = Reply.custom((request, response) => {
  request.resume()
  const ok = request.headers["authorization"] === `Bearer ${s.access2}`
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(JSON.stringify({ ok }))
})

const granted = Reply.json({ access_token: s.access2, token_type: "bearer", refresh_token: s.refresh2, expires_in: 3600 })

const setup = (tokenReply: Reply.Reply, options: { readonly config?: CourierConfig.Options; readonly clientAuth?: "basic" | "body" } = {}) =>
  Effect.gen(function*() {
    const token = yield* TestServer.make({ routes: [["POST", "/oauth/token", tokenReply]] })
    const apiServer = yield* TestServer.make({ routes: [["*", "/api/*", api]] })
    const expired: Array<unknown> = []
    const stack = Retry.layer({ baseDelay: 0 }).pipe(
      Layer.provide(Tracing.layer()),
      Layer.provide(Logging.layer({ mode: "development" }))
    )
    const context = yield* Layer.build(
      Auth.layer({
        refresh: Auth.refreshOAuth2({
          tokenUrl: `${token.url}/oauth/token`,
          clientId: "courier app",
          clientSecret: Redacted.make(s.clientSecret),
          ...(options.clientAuth === undefined ? {} : { clientAuth: options.clientAuth })
        }),
        onSessionExpired: (cause) => Effect.sync(() => expired.push(cause))
      }).pipe(
        Layer.provide(stack),
        Layer.provide(TestClient.layerFor(apiServer, options.config ?? {}, "node")),
        Layer.provideMerge(TokenStore.layerMemory(TokenStore.tokens(s.access1, s.refresh1)))
      )
    ).pipe(Effect.orDie)
    return {
      token,
      api: apiServer,
      expired,
      client: Context.get(context, CourierClient.CourierClient),
      store: Context.get(context, TokenStore.TokenStore)
    }
  })

const storedAccess = (store: TokenStore.Service) =>
  Effect.map(Effect.orDie(store.get), Option.map((t) => Redacted.value(t.accessToken)))

/** Every header value and body of a journal, as one text per request. */
const wire = (server: TestServer.Service) =>
  Effect.map(server.journal, (entries) => entries.map((e) => `${e.method} ${e.path}\n${e.rawHeaders.join("\n")}\n\n${e.bodyText}`))

describe("Auth.refreshOAuth2 across origins", () => {
  it.scopedLive("each origin gets its own credentials: the API never the client's, the token endpoint never the API's", () =>
    Effect.gen(function*() {
      const t = yield* setup(granted, {
        config: { headers: { "x-api-key": s.apiKey, "x-app": "notes" }, credentialHeaders: ["x-api-key"] }
      })
      expect(yield* t.client.get("/api/me")).toEqual({ ok: true })

      const [sent, ...more] = yield* t.token.journal
      expect(more).toEqual([])
      expect(sent!.headers["authorization"]).toBe(`Basic ${btoa(`courier+app:${s.clientSecret}`)}`)
      expect(sent!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(sent!.headers["x-app"]).toBe("notes")
      expect(sent!.headers["x-api-key"]).toBeUndefined()
      expect(sent!.headers["traceparent"]).toBeUndefined()
      expect(Object.fromEntries(new URLSearchParams(sent!.bodyText))).toEqual({ grant_type: "refresh_token", refresh_token: s.refresh1 })
      for (const text of yield* wire(t.token)) {
        for (const value of [s.access1, s.access2, s.apiKey]) expect(text).not.toContain(value)
      }

      const apiWire = yield* wire(t.api)
      expect(apiWire).toHaveLength(2)
      for (const text of apiWire) {
        for (const value of [s.clientSecret, s.refresh1, s.refresh2, "Basic "]) expect(text).not.toContain(value)
        expect(text).toContain(s.apiKey)
      }
    }))

  it.scopedLive("the token endpoint's origin is open to the refresh only: a program call there is refused before sending", () =>
    Effect.gen(function*() {
      const t = yield* setup(granted)
      yield* t.client.get("/api/me")
      const refused = yield* Effect.flip(t.client.post(`${t.token.url}/oauth/token`))
      expect(refused).toMatchObject({ _tag: "RequestRefused", reason: "EscapesBaseUrl" })
      expect(yield* t.token.journal).toHaveLength(1)
    }))

  it.scopedLive.each([
    ["a 400 with an HTML page", "SessionExpired", Reply.custom((_q, r) => r.writeHead(400, { "content-type": "text/html" }).end("<h1>Bad Request</h1>"))],
    ["a 400 whose JSON body is cut short", "SessionExpired", Reply.custom((_q, r) => r.writeHead(400, { "content-type": "application/json" }).end("{\"error\":"))],
    ["a 403 with no body", "SessionExpired", Reply.status(403)],
    ["a 400 with an unknown JSON shape", "SessionExpired", Reply.json({ message: "nope" }, { status: 400 })],
    ["a 404", "RefreshUnavailable", Reply.status(404)],
    ["a 200 that is not a token answer", "RefreshUnavailable", Reply.json({ hello: "world" })]
  ] as const)("%s from the token endpoint: %s", ([_name, reason, reply]) =>
    Effect.gen(function*() {
      const t = yield* setup(reply)
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason })
      expect(yield* storedAccess(t.store)).toEqual(reason === "SessionExpired" ? Option.none() : Option.some(s.access1))
      yield* Effect.sleep("50 millis")
      expect(t.expired).toHaveLength(reason === "SessionExpired" ? 1 : 0)
    }))

  it.scopedLive("a redirect from the token endpoint is not followed: the refresh token and the secret stay where they were sent", () =>
    Effect.gen(function*() {
      const attacker = yield* TestServer.make({ routes: [["*", "/*", Reply.json({ access_token: "stolen" })]] })
      const t = yield* setup(Reply.redirect(307, `${attacker.url}/collect`), { clientAuth: "body" })
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* attacker.journal).toEqual([])
      expect(yield* storedAccess(t.store)).toEqual(Option.some(s.access1))
    }))

  it.scopedLive("OAuth2 errors: 400 invalid_grant ends the session with the error decoded; 400 temporarily_unavailable keeps it", () =>
    Effect.gen(function*() {
      const busy = yield* setup(Reply.json({ error: "temporarily_unavailable" }, { status: 400 }))
      const unavailable = yield* Effect.flip(busy.client.get("/api/me"))
      expect(unavailable).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* storedAccess(busy.store)).toEqual(Option.some(s.access1))

      const t = yield* setup(Reply.json({ error: "invalid_grant", error_description: "the refresh token was revoked" }, { status: 400 }))
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
      const cause = Cause.failureOption((error as CourierError.Unauthorized).cause as Cause.Cause<unknown>)
      expect(Option.getOrUndefined(cause)).toMatchObject({
        _tag: "BadResponse",
        status: 400,
        errorBody: Option.some({ error: "invalid_grant", error_description: "the refresh token was revoked" })
      })
      expect(yield* storedAccess(t.store)).toEqual(Option.none())
      yield* waitUntil(Effect.sync(() => t.expired.length === 1), "onSessionExpired ran")

      const client = yield* setup(Reply.json({ error: "invalid_client" }, { status: 401 }))
      expect(yield* Effect.flip(client.client.get("/api/me"))).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
    }))

  it.scopedLive("a token type other than Bearer is not sent to the API: the session ends", () =>
    Effect.gen(function*() {
      const t = yield* setup(Reply.json({ access_token: s.access2, token_type: "DPoP", expires_in: 60 }))
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
      expect(yield* storedAccess(t.store)).toEqual(Option.none())
      expect(String((error as CourierError.Unauthorized).cause)).toContain("DPoP")
      const sent = (yield* t.api.journal).map((e) => e.headers["authorization"])
      expect(sent).toEqual([`Bearer ${s.access1}`])
    }))

  it.scoped("expires_in as a number or a numeric string becomes expiresAt on the Clock; anything else leaves it unknown", () =>
    Effect.gen(function*() {
      for (const [expiresIn, expected] of [[120, 120_000], ["90", 90_000], ["soon", undefined], [-5, undefined]] as const) {
        const t = yield* setup(Reply.json({ access_token: s.access2, refresh_token: s.refresh2, expires_in: expiresIn }))
        expect(yield* t.client.get("/api/me")).toEqual({ ok: true })
        expect(Option.map(yield* Effect.orDie(t.store.get), (tokens) => tokens.expiresAt)).toEqual(Option.some(expected))
      }
    }))
})

describe("Auth.refreshOAuth2 secrets", () => {
  it.scopedLive("the client secret and the tokens appear in no log line, span, failure or onSessionExpired cause", () => {
    const logs = captureLogs()
    const { spans, tracer } = recordSpans()
    return Effect.gen(function*() {
      const outcomes: Array<Exit.Exit<unknown, unknown>> = []
      const expired: Array<unknown> = []
      const run = (effect: Effect.Effect<unknown, unknown>) => Effect.flatMap(Effect.exit(effect), (exit) => Effect.sync(() => outcomes.push(exit)))
      // A refresh that works, one whose answer does not decode (it holds the
      // new refresh token), one rejected, one redirected: with both kinds of
      // client authentication.
      for (const clientAuth of ["basic", "body"] as const) {
        for (const reply of [
          granted,
          Reply.json({ access_token: 42, refresh_token: s.refresh2 }),
          Reply.json({ error: "invalid_grant" }, { status: 400 }),
          Reply.redirect(307, "/elsewhere")
        ]) {
          const t = yield* setup(reply, { clientAuth, config: { headers: { "x-api-key": s.apiKey }, credentialHeaders: ["x-api-key"] } })
          yield* run(t.client.get("/api/me"))
          yield* run(t.client.get("/api/me"))
          expired.push(...t.expired)
        }
      }
      expect(outcomes.filter(Exit.isSuccess).length).toBe(4)
      expect(logs.lines.length).toBeGreaterThan(10)
      expect(spans.length).toBeGreaterThan(10)

      const shown: Array<readonly [string, string]> = []
      for (const exit of outcomes) {
        if (Exit.isSuccess(exit)) continue
        const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
        const texts = [error instanceof Error ? error.message : "", String(error), JSON.stringify(error) ?? "", inspect(error, { depth: 20 }), Cause.pretty(exit.cause)]
        for (const text of texts) shown.push(["failure", text])
      }
      for (const cause of expired) shown.push(["onSessionExpired", inspect(cause, { depth: 20 }) + (JSON.stringify(cause) ?? "")])
      for (const line of logs.lines) for (const text of line.rendered) shown.push(["log", text])
      for (const span of spans) shown.push(["span", span.render()])
      const basic = btoa(`courier+app:${s.clientSecret}`)
      const leaks: Array<string> = []
      for (const [where, text] of shown) {
        for (const value of [...Object.values(s), basic]) {
          if (text.includes(value)) leaks.push(`${value} in ${where}: …${text.slice(Math.max(0, text.indexOf(value) - 80), text.indexOf(value) + 40)}…`)
        }
      }
      expect(leaks).toEqual([])
    }).pipe(
      Effect.withTracer(tracer),
      Effect.provide(logs.layer),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Debug))
    )
  })
})
