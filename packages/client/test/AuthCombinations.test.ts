import { Auth, CourierClient, Logging, Preset, TokenStore } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Http from "node:http"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { scratchDir, waitForRequests, waitUntil } from "./support.js"

// The auth Layer in combination with what surrounds it: the call's deadline,
// the Retry Layer under the preset, a token file shared with another client,
// redirects across protected origins, and the observability Layers.

/** Answers 200 to "Bearer <valid()>" and 401 to anything else. */
const protectedBy = (valid: () => string | undefined) =>
  Reply.custom((request, response) => {
    request.resume()
    const token = valid()
    const ok = token !== undefined && request.headers["authorization"] === `Bearer ${token}`
    const body = JSON.stringify(ok ? { ok: true } : { error: "expired" })
    response.writeHead(ok ? 200 : 401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    response.end(body)
  })

const onlyT2 = protectedBy(() => "T2")

/** A logger keeping the annotations of Courier's per-attempt log lines. */
const callLines = () => {
  const lines: Array<Record<string, unknown>> = []
  const logger = Logger.make<unknown, void>((options) => {
    const message = Array.isArray(options.message) ? options.message[0] : options.message
    if (message === Logging.message) lines.push(Object.fromEntries(HashMap.toEntries(options.annotations)))
  })
  return { lines, logger }
}
const fresh = { accessToken: "T2", refreshToken: "R2" }

/** An authed client on `server` over `store`, with Auth directly above the core. */
const authed = (
  server: TestServer.Service,
  store: Layer.Layer<TokenStore.TokenStore>,
  auth: Partial<Auth.Options> = {},
  client: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(
      Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }), ...auth }).pipe(
        Layer.provide(TestClient.layerFor(server, client, "node")),
        Layer.provideMerge(store)
      )
    ),
    (context) => ({
      client: Context.get(context, CourierClient.CourierClient),
      store: Context.get(context, TokenStore.TokenStore)
    })
  ).pipe(Effect.orDie)

/** The preset (Auth over Retry without backoff, no log output) on `server`. */
const preset = (
  server: TestServer.Service,
  store: Layer.Layer<TokenStore.TokenStore>,
  auth: Partial<Auth.Options> = {},
  options: Preset.Options = {}
) =>
  Effect.map(
    Layer.build(
      Preset.layer(
        { refresh: Auth.refreshJson({ path: "/auth/refresh" }), ...auth },
        { retry: { baseDelay: 0 }, tracing: false, ...options }
      ).pipe(
        Layer.provide(TestClient.layerFor(server, {}, "node")),
        Layer.provideMerge(store)
      )
    ),
    (context) => ({
      client: Context.get(context, CourierClient.CourierClient),
      store: Context.get(context, TokenStore.TokenStore)
    })
  ).pipe(Effect.orDie)

const plain = (tokens: Option.Option<TokenStore.Tokens>) =>
  Option.map(tokens, (t) => [Redacted.value(t.accessToken), t.refreshToken && Redacted.value(t.refreshToken)])

const authorizationsOf = (entries: ReadonlyArray<TestServer.JournalEntry>) =>
  entries.map((entry) => entry.headers["authorization"])

const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const result = yield* effect
    return [result, Date.now() - start] as const
  })

describe("Auth × deadline", () => {
  it.scopedLive("a call's total timeout bounds its wait for a slow refresh; the refresh still lands for the others", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/auth/refresh", Reply.delay("4 seconds", Reply.json(fresh))], ["*", "/api/*", onlyT2]]
      })
      const { client, store } = yield* authed(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      const [error, took] = yield* elapsed(Effect.flip(client.get("/api/data", { timeouts: { total: "1 second" } })))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
      expect(took).toBeLessThan(3000)
      // Leaving by its deadline did not cancel the refresh.
      yield* waitUntil(
        Effect.map(Effect.orDie(store.get), Option.exists((tokens) => Redacted.value(tokens.accessToken) === "T2")),
        "the refresh stored T2"
      )
      expect(yield* client.get("/api/next")).toEqual({ ok: true })
    }))

  it.scopedLive("a refresh that never answers: the call ends at its deadline, the refresh at refreshTimeout, tokens kept", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/auth/refresh", Reply.stall], ["*", "/api/*", onlyT2]]
      })
      const expired = yield* Ref.make(0)
      const { client, store } = yield* authed(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")), {
        refreshTimeout: "1500 millis",
        onSessionExpired: () => Ref.update(expired, (n) => n + 1)
      })
      const bounded = yield* Effect.fork(Effect.flip(client.get("/api/a", { timeouts: { total: "700 millis" } })))
      yield* waitForRequests(server, "/auth/refresh")
      // No deadline of its own worth speaking of: this one waits for refreshTimeout.
      const patient = yield* Effect.fork(Effect.flip(client.get("/api/b", { timeouts: { total: "1 minute" } })))
      const [first, second] = yield* Effect.all([Fiber.join(bounded), Fiber.join(patient)]).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "the calls never ended" })
      )
      expect(first).toMatchObject({ _tag: "Timeout", phase: "total" })
      expect(second).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(plain(yield* Effect.orDie(store.get))).toEqual(Option.some(["T1", "R1"]))
      expect(yield* Ref.get(expired)).toBe(0)
    }))

  it.scopedLive("a slow onSessionExpired holds no waiting call, and still runs", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.delay("200 millis", Reply.json({ error: "invalid_grant" }, { status: 400 }))],
          ["*", "/api/*", onlyT2]
        ]
      })
      const started = yield* Ref.make(false)
      const { client, store } = yield* authed(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")), {
        onSessionExpired: () => Effect.zipRight(Ref.set(started, true), Effect.never)
      })
      const [errors, took] = yield* elapsed(
        Effect.all(Array.from({ length: 5 }, (_, i) => Effect.flip(client.get(`/api/${i}`))), { concurrency: "unbounded" })
          .pipe(Effect.timeoutFail({ duration: "8 seconds", onTimeout: () => "the calls waited for the hook" }))
      )
      expect(took).toBeLessThan(5000)
      for (const error of errors) expect(error).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
      yield* waitUntil(Ref.get(started), "onSessionExpired started")
      expect(Option.isNone(yield* Effect.orDie(store.get))).toBe(true)
    }))
})

describe("Auth × Retry (the preset)", () => {
  it.scopedLive("one 503 from the token endpoint is retried: the call succeeds, the session stays", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.sequence([Reply.status(503), Reply.json(fresh)])],
          ["*", "/api/*", onlyT2]
        ]
      })
      const { client, store } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")), {}, {
        logging: false
      })
      expect(yield* client.get("/api/data")).toEqual({ ok: true })
      const refreshes = yield* server.requests("/auth/refresh")
      expect(refreshes.map((e) => JSON.parse(e.bodyText))).toEqual([{ refreshToken: "R1" }, { refreshToken: "R1" }])
      expect(plain(yield* Effect.orDie(store.get))).toEqual(Option.some(["T2", "R2"]))
    }))

  it.scopedLive("a token endpoint that stays down fails the call with RefreshUnavailable and keeps the tokens", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/auth/refresh", Reply.status(503)], ["*", "/api/*", onlyT2]]
      })
      const expired = yield* Ref.make(0)
      const { client, store } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")), {
        onSessionExpired: () => Ref.update(expired, (n) => n + 1)
      }, { logging: false, retry: { baseDelay: 0, retries: 2 } })
      const error = yield* Effect.flip(client.get("/api/data"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      // The first try and its two retries.
      expect(yield* server.requests("/auth/refresh")).toHaveLength(3)
      expect(plain(yield* Effect.orDie(store.get))).toEqual(Option.some(["T1", "R1"]))
      expect(yield* Ref.get(expired).pipe(Effect.delay("50 millis"))).toBe(0)
    }))

  it.scopedLive("a reset of the refresh call is not sent again (the server may have rotated), and keeps the tokens", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/auth/refresh", Reply.reset], ["*", "/api/*", onlyT2]]
      })
      const { client, store } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")), {}, {
        logging: false
      })
      const error = yield* Effect.flip(client.get("/api/data"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* server.requests("/auth/refresh")).toHaveLength(1)
      expect(plain(yield* Effect.orDie(store.get))).toEqual(Option.some(["T1", "R1"]))
    }))

  it.scopedLive("the replay after a refresh is logged as attempt 2", () =>
    Effect.gen(function*() {
      const { lines, logger } = callLines()
      const server = yield* TestServer.make({
        routes: [["POST", "/auth/refresh", Reply.json(fresh)], ["*", "/api/*", onlyT2]]
      })
      const { client } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      yield* client.get("/api/data").pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const calls = lines.filter((line) => String(line["http.url"]).endsWith("/api/data"))
      expect(calls.map((line) => [line["http.status"], line["http.attempt"]])).toEqual([[401, 1], [200, 2]])
    }))

  it.scopedLive("after the Retry Layer retried, the replay takes the number after the last attempt sent", () =>
    Effect.gen(function*() {
      const { lines, logger } = callLines()
      // Attempt 1 is reset, attempt 2 (the Retry Layer's) meets the 401, the replay succeeds.
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json(fresh)],
          ["*", "/api/*", Reply.sequence([Reply.reset, onlyT2])]
        ]
      })
      const { client } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      yield* client.get("/api/data").pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const calls = lines.filter((line) => String(line["http.url"]).endsWith("/api/data"))
      expect(calls.map((line) => [line["http.status"] ?? line["http.outcome"], line["http.attempt"]])).toEqual([
        ["Network", 1],
        [401, 2],
        [200, 3]
      ])
      expect(yield* server.requests("/api/data")).toHaveLength(3)
    }))

  it.scopedLive("an earlier call's retries on the same fiber do not shift a later replay's number", () =>
    Effect.gen(function*() {
      const { lines, logger } = callLines()
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json(fresh)],
          ["GET", "/api/first", Reply.sequence([Reply.reset, Reply.json({})])],
          ["*", "/api/*", onlyT2]
        ]
      })
      const { client } = yield* preset(server, TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      yield* Effect.zipRight(client.get("/api/first"), client.get("/api/data")).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const attempts = (path: string) =>
        lines
          .filter((line) => String(line["http.url"]).endsWith(path))
          .map((line) => [line["http.status"] ?? line["http.outcome"], line["http.attempt"]])
      expect(attempts("/api/first")).toEqual([["Network", 1], [200, 2]])
      expect(attempts("/api/data")).toEqual([[401, 1], [200, 2]])
    }))
})

/**
 * A token server that rotates refresh tokens: `R<n>` buys `T<n+1>`/`R<n+1>`
 * once and is revoked at that moment; only the newest access token is
 * accepted (none at first: T1 has expired). A winning refresh is answered
 * after `winMillis`, a revoked one (400 invalid_grant) after `loseMillis`.
 */
const rotatingServer = (winMillis: number, loseMillis: number) =>
  Effect.gen(function*() {
    let generation = 1
    let valid: string | undefined
    const refresh = Reply.custom((request: Http.IncomingMessage, response: Http.ServerResponse) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const sent = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { refreshToken: string }).refreshToken
        const answer = (status: number, body: unknown, after: number) =>
          setTimeout(() => {
            const text = JSON.stringify(body)
            response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
            response.end(text)
          }, after)
        if (sent !== `R${generation}`) return answer(400, { error: "invalid_grant" }, loseMillis)
        generation += 1
        valid = `T${generation}`
        answer(200, { accessToken: `T${generation}`, refreshToken: `R${generation}` }, winMillis)
      })
    })
    return yield* TestServer.make({
      routes: [["POST", "/auth/refresh", refresh], ["*", "/api/*", protectedBy(() => valid)]]
    })
  })

const fileStore = (path: string) =>
  TokenStore.layerFile({ path, key: "api" }).pipe(Layer.provide(NodeFileSystem.layer))

const seedFile = (path: string) =>
  Fs.writeFileSync(path, JSON.stringify({ api: { accessToken: "T1", refreshToken: "R1" } }), { mode: 0o600 })

const onDisk = (path: string) => (JSON.parse(Fs.readFileSync(path, "utf8")) as Record<string, unknown>)["api"]

describe("Auth × a token file shared by two clients", () => {
  it.scopedLive("a client reads what the other stored instead of refreshing with a revoked token", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* scratchDir, "tokens.json")
      seedFile(path)
      const server = yield* rotatingServer(50, 50)
      const a = yield* authed(server, fileStore(path))
      const b = yield* authed(server, fileStore(path))
      // Both have read the file (T1/R1) before A refreshes.
      expect(plain(yield* Effect.orDie(b.store.get))).toEqual(Option.some(["T1", "R1"]))
      expect(yield* a.client.get("/api/a")).toEqual({ ok: true })
      expect(yield* b.client.get("/api/b")).toEqual({ ok: true })
      expect(authorizationsOf(yield* server.requests("/api/b"))).toEqual(["Bearer T2"])
      expect(yield* server.requests("/auth/refresh")).toHaveLength(1)
      expect(onDisk(path)).toEqual({ accessToken: "T2", refreshToken: "R2" })
    }))

  it.scopedLive("two clients refreshing at once: the loser takes the winner's tokens and clears nothing", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* scratchDir, "tokens.json")
      seedFile(path)
      const server = yield* rotatingServer(500, 1200)
      const expired = yield* Ref.make(0)
      const onSessionExpired = () => Ref.update(expired, (n) => n + 1)
      const a = yield* authed(server, fileStore(path), { onSessionExpired })
      const b = yield* authed(server, fileStore(path), { onSessionExpired })
      const results = yield* Effect.all([a.client.get("/api/a"), b.client.get("/api/b")], { concurrency: 2 })
      expect(results).toEqual([{ ok: true }, { ok: true }])
      // Both sent R1; one won, the other got 400 invalid_grant.
      expect((yield* server.requests("/auth/refresh")).map((e) => JSON.parse(e.bodyText))).toEqual([
        { refreshToken: "R1" },
        { refreshToken: "R1" }
      ])
      expect(onDisk(path)).toEqual({ accessToken: "T2", refreshToken: "R2" })
      expect(yield* Ref.get(expired).pipe(Effect.delay("50 millis"))).toBe(0)
    }))

  it.scopedLive("two clients refreshing at once, the loser rejected before the winner stored: the loser's session ends", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* scratchDir, "tokens.json")
      seedFile(path)
      // The winner's answer is slow, the loser's 400 quick: nothing newer is on disk when it comes.
      const server = yield* rotatingServer(1200, 50)
      const expired = yield* Ref.make(0)
      const onSessionExpired = () => Ref.update(expired, (n) => n + 1)
      const a = yield* authed(server, fileStore(path), { onSessionExpired })
      const b = yield* authed(server, fileStore(path), { onSessionExpired })
      const results = yield* Effect.all([Effect.either(a.client.get("/api/a")), Effect.either(b.client.get("/api/b"))], {
        concurrency: 2
      })
      expect(results.filter((r) => r._tag === "Right")).toHaveLength(1)
      expect(results.find((r) => r._tag === "Left")).toMatchObject({ left: { _tag: "Unauthorized", reason: "SessionExpired" } })
      expect(yield* Ref.get(expired).pipe(Effect.delay("50 millis"))).toBe(1)
      // A limit, documented in guide 7: no lock spans the processes. The winner stored its
      // tokens after the loser cleared T1/R1, so the file holds the session again.
      expect(onDisk(path)).toEqual({ accessToken: "T2", refreshToken: "R2" })
    }))

  it.scoped("clearIf on a file store leaves tokens another store wrote since", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* scratchDir, "tokens.json")
      seedFile(path)
      const build = Effect.map(Layer.build(fileStore(path)), (context) => Context.get(context, TokenStore.TokenStore))
      const a = yield* build
      const b = yield* build
      const old = yield* Effect.map(b.get, Option.getOrThrow)
      yield* a.set(TokenStore.tokens("T2", "R2"))
      expect(b.clearIf).toBeDefined()
      yield* b.clearIf!(old)
      expect(onDisk(path)).toEqual({ accessToken: "T2", refreshToken: "R2" })
      yield* b.clearIf!(TokenStore.tokens("T2", "R2"))
      expect(onDisk(path)).toBeUndefined()
    }))
})

describe("Auth × redirects across protected origins", () => {
  it.scopedLive("a 401 from a hop the token never reached (dropped by a cross-origin redirect) does not refresh", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({ routes: [["GET", "/denied", Reply.status(401)]] })
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json(fresh)],
          ["GET", "/api/go", Reply.redirect(302, `${other.url}/denied`)]
        ]
      })
      const { client, store } = yield* authed(
        server,
        TokenStore.layerMemory(TokenStore.tokens("T2", "R2")),
        { origins: [server.origin, other.origin] },
        { allowedOrigins: [other.origin] }
      )
      for (let i = 0; i < 3; i++) {
        const error = yield* Effect.flip(client.get("/api/go"))
        expect(error).toMatchObject({ _tag: "Unauthorized", credentialsSent: false })
      }
      expect(yield* server.requests("/auth/refresh")).toHaveLength(0)
      expect(authorizationsOf(yield* server.requests("/api/go"))).toEqual(["Bearer T2", "Bearer T2", "Bearer T2"])
      expect(authorizationsOf(yield* other.journal)).toEqual([undefined, undefined, undefined])
      expect(plain(yield* Effect.orDie(store.get))).toEqual(Option.some(["T2", "R2"]))
    }))
})
