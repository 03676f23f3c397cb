import { Auth, CourierClient, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { waitUntil } from "./support.js"

// Refreshing before the access token expires, on effect's Clock (TestClock
// here): the API on one port, an OAuth2 token endpoint on another.

/** The API: 200 to any of the tokens the test calls valid, 401 otherwise; `statuses` records its answers. */
const apiServer = (valid: Set<string>, statuses: Array<number>) =>
  TestServer.make({
    routes: [["*", "/api/*", Reply.custom((request, response) => {
      request.resume()
      const token = /^Bearer (.+)$/.exec(request.headers["authorization"] ?? "")?.[1]
      const ok = token !== undefined && valid.has(token)
      statuses.push(ok ? 200 : 401)
      response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
      response.end(JSON.stringify({ ok }))
    })]]
  })

/**
 * A token endpoint minting `T2`, `T3`, ... (and `R2`, `R3`, ...) with
 * `expires_in`, each new access token valid at the API; or answering
 * `failWith` when set.
 */
const tokenServer = (valid: Set<string>, expiresIn: number, failWith?: { status: number; body: unknown }) =>
  Effect.gen(function*() {
    let minted = 1
    const server = yield* TestServer.make({
      routes: [["POST", "/token", Reply.custom((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          response.setHeader("content-type", "application/json")
          if (failWith !== undefined) {
            response.writeHead(failWith.status)
            response.end(JSON.stringify(failWith.body))
            return
          }
          minted += 1
          valid.add(`T${minted}`)
          response.end(JSON.stringify({
            access_token: `T${minted}`,
            token_type: "Bearer",
            refresh_token: `R${minted}`,
            expires_in: expiresIn
          }))
        })
      })]]
    })
    return server
  })

const setup = (options: {
  readonly initial: TokenStore.Tokens
  readonly expiresIn?: number
  readonly failWith?: { status: number; body: unknown }
  readonly refreshAhead?: Auth.Options["refreshAhead"]
}) =>
  Effect.gen(function*() {
    const valid = new Set([Redacted.value(options.initial.accessToken)])
    const statuses: Array<number> = []
    const api = yield* apiServer(valid, statuses)
    const token = yield* tokenServer(valid, options.expiresIn ?? 60, options.failWith)
    let sessionsExpired = 0
    const context = yield* Layer.build(
      Auth.layer({
        refresh: Auth.refreshOAuth2({ tokenUrl: `${token.url}/token`, clientId: "app", clientSecret: Redacted.make("s3cret") }),
        onSessionExpired: () => Effect.sync(() => void (sessionsExpired += 1)),
        ...(options.refreshAhead === undefined ? {} : { refreshAhead: options.refreshAhead })
      }).pipe(
        Layer.provide(TestClient.layerFor(api, {}, "node")),
        Layer.provideMerge(TokenStore.layerMemory(options.initial))
      )
    ).pipe(Effect.orDie)
    const client = Context.get(context, CourierClient.CourierClient)
    const store = Context.get(context, TokenStore.TokenStore)
    const sentTokens = Effect.map(api.requests(), (entries) => entries.map((e) => e.headers["authorization"]))
    const refreshes = Effect.map(token.requests("/token"), (entries) => entries.length)
    const stored = Effect.map(store.get, (tokens) => Option.map(tokens, (t) => Redacted.value(t.accessToken)))
    /** Waits (on the wall clock) until the store holds `access`: a refresh ahead lands in the background. */
    const landed = (access: string | undefined) =>
      waitUntil(Effect.orDie(Effect.map(stored, (s) => Option.getOrUndefined(s) === access)), `the store holds ${access}`)
    const expiredSessions = Effect.sync(() => sessionsExpired)
    return { api, token, client, store, valid, statuses, sentTokens, refreshes, stored, landed, expiredSessions } as const
  })

const concurrently = <A, E>(n: number, call: Effect.Effect<A, E>) =>
  Effect.all(Array.from({ length: n }, () => call), { concurrency: "unbounded" })

/** A JWT (unsigned: only its `exp` claim is read) expiring at `exp` seconds. */
const jwt = (exp: number) => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "1", exp })}.sig`
}

describe("Auth refreshAhead", () => {
  it.scoped("refreshes once, in the background, when expiresAt comes within the default 30 s: no call waits, none meets a 401", () =>
    Effect.gen(function*() {
      const t = yield* setup({ initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 60_000 } })
      expect(yield* t.client.get("/api/me")).toEqual({ ok: true })
      yield* TestClock.adjust("29 seconds")
      expect(yield* t.client.get("/api/me")).toEqual({ ok: true })
      expect(yield* t.refreshes).toBe(0)

      // 29 s before expiry: T1 still works and goes; one refresh runs meanwhile.
      yield* TestClock.adjust("2 seconds")
      yield* concurrently(10, t.client.get("/api/me"))
      yield* t.landed("T2")
      expect(yield* t.refreshes).toBe(1)
      expect(yield* t.sentTokens).toEqual(Array(12).fill("Bearer T1"))
      const [sent] = yield* t.token.requests("/token")
      expect(Object.fromEntries(new URLSearchParams(sent!.bodyText))).toEqual({ grant_type: "refresh_token", refresh_token: "R1" })
      // expires_in 60 at t = 31 s on the Clock.
      expect(Option.map(yield* t.store.get, (s) => s.expiresAt)).toEqual(Option.some(91_000))

      // T1's expiry passes (the API refuses it from now on): the calls go with T2.
      yield* TestClock.adjust("28 seconds")
      t.valid.delete("T1")
      yield* concurrently(10, t.client.get("/api/me"))
      expect((yield* t.sentTokens).slice(12)).toEqual(Array(10).fill("Bearer T2"))
      expect(yield* t.refreshes).toBe(1)

      // T2 nears its expiry: again one refresh for ten concurrent calls.
      yield* TestClock.adjust("3 seconds")
      yield* concurrently(10, t.client.get("/api/me"))
      yield* t.landed("T3")
      expect(yield* t.refreshes).toBe(2)
      expect(t.statuses.every((status) => status === 200)).toBe(true)
      expect(t.statuses).toHaveLength(32)
    }))

  it.scoped("reads the expiry of a JWT access token from its exp claim when expiresAt is not stored", () =>
    Effect.gen(function*() {
      const t = yield* setup({ initial: TokenStore.tokens(jwt(100), "R1"), refreshAhead: "10 seconds" })
      yield* t.client.get("/api/me")
      yield* TestClock.adjust("89 seconds")
      yield* t.client.get("/api/me")
      expect(yield* t.refreshes).toBe(0)
      yield* TestClock.adjust("2 seconds")
      yield* t.client.get("/api/me")
      yield* t.landed("T2")
      expect(yield* t.refreshes).toBe(1)
      yield* t.client.get("/api/me")
      expect((yield* t.sentTokens).at(-1)).toBe("Bearer T2")
    }))

  it.scoped("an expired token is refreshed before it is sent: the call waits for the refresh", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("1 hour")
      const t = yield* setup({ initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 1_000 } })
      yield* concurrently(5, t.client.get("/api/me"))
      expect(yield* t.sentTokens).toEqual(Array(5).fill("Bearer T2"))
      expect(yield* t.refreshes).toBe(1)
      expect(t.statuses.every((status) => status === 200)).toBe(true)
    }))

  it.scoped("a short-lived token is refreshed halfway through its life, not on every call", () =>
    Effect.gen(function*() {
      const t = yield* setup({ initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 10_000 }, expiresIn: 10 })
      yield* t.client.get("/api/me")
      yield* TestClock.adjust("4 seconds")
      yield* t.client.get("/api/me")
      expect(yield* t.refreshes).toBe(0)
      yield* TestClock.adjust("1 second")
      yield* t.client.get("/api/me")
      yield* t.landed("T2")
      yield* t.client.get("/api/me")
      yield* t.client.get("/api/me")
      expect(yield* t.refreshes).toBe(1)
      expect(yield* t.sentTokens).toEqual(["Bearer T1", "Bearer T1", "Bearer T1", "Bearer T2", "Bearer T2"])
    }))

  it.scoped("a refresh ahead that cannot be done now fails no call, is not tried per request, and an expired token then fails with RefreshUnavailable", () =>
    Effect.gen(function*() {
      const t = yield* setup({
        initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 60_000 },
        failWith: { status: 503, body: { error: "temporarily_unavailable" } }
      })
      yield* t.client.get("/api/me")
      yield* TestClock.adjust("40 seconds")
      expect(yield* concurrently(5, t.client.get("/api/me"))).toEqual(Array(5).fill({ ok: true }))
      yield* waitUntil(Effect.map(t.refreshes, (n) => n === 1), "the refresh ahead was tried")
      // It failed: the next try waits half the time left (10 s), not the next request.
      expect(yield* concurrently(5, t.client.get("/api/me"))).toEqual(Array(5).fill({ ok: true }))
      expect(yield* t.refreshes).toBe(1)
      yield* TestClock.adjust("10 seconds")
      yield* t.client.get("/api/me")
      yield* waitUntil(Effect.map(t.refreshes, (n) => n === 2), "the refresh ahead was tried again")
      expect(yield* t.sentTokens).toEqual(Array(12).fill("Bearer T1"))
      expect(yield* t.stored).toEqual(Option.some("T1"))

      // Past the expiry the call waits for the refresh; it cannot be done, so the call fails and the tokens stay.
      yield* TestClock.adjust("11 seconds")
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* t.sentTokens).toHaveLength(12)
      expect(yield* t.stored).toEqual(Option.some("T1"))
    }))

  it.scoped("a refresh ahead the token endpoint rejects (400 invalid_grant) ends the session once", () =>
    Effect.gen(function*() {
      const t = yield* setup({
        initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 60_000 },
        failWith: { status: 400, body: { error: "invalid_grant" } }
      })
      yield* t.client.get("/api/me")
      yield* TestClock.adjust("40 seconds")
      // The call still goes with T1; the session ends behind it.
      expect(yield* t.client.get("/api/me")).toEqual({ ok: true })
      yield* t.landed(undefined)
      yield* waitUntil(Effect.map(t.expiredSessions, (n) => n === 1), "onSessionExpired ran")
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized" })
      expect(yield* t.refreshes).toBe(1)
      expect(yield* t.sentTokens).toEqual(["Bearer T1", "Bearer T1", undefined])
    }))

  it.scoped("past the expiry, a rejected refresh fails the call with SessionExpired before anything is sent", () =>
    Effect.gen(function*() {
      const t = yield* setup({
        initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 60_000 },
        failWith: { status: 400, body: { error: "invalid_grant" } }
      })
      yield* TestClock.adjust("61 seconds")
      const error = yield* Effect.flip(t.client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
      expect(yield* t.sentTokens).toEqual([])
      expect(yield* t.stored).toEqual(Option.none())
    }))

  it.live("an expired token's wait for a slow refresh ends at the call's deadline; the refresh lands for the next call", () =>
    Effect.gen(function*() {
      const valid = new Set<string>()
      const api = yield* apiServer(valid, [])
      const token = yield* TestServer.make({
        routes: [["POST", "/token", Reply.delay("1500 millis", Reply.json({ access_token: "T2", expires_in: 3600 }))]]
      })
      valid.add("T2")
      const context = yield* Layer.build(
        Auth.layer({ refresh: Auth.refreshOAuth2({ tokenUrl: `${token.url}/token` }) }).pipe(
          Layer.provide(TestClient.layerFor(api, {}, "node")),
          Layer.provideMerge(TokenStore.layerMemory({ ...TokenStore.tokens("T1", "R1"), expiresAt: Date.now() - 1000 }))
        )
      ).pipe(Effect.orDie)
      const client = Context.get(context, CourierClient.CourierClient)
      const store = Context.get(context, TokenStore.TokenStore)
      const error = yield* Effect.flip(client.get("/api/me", { timeouts: { total: "300 millis" } }))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
      expect(yield* api.journal).toEqual([])
      yield* waitUntil(
        Effect.map(Effect.orDie(store.get), (s) => Option.isSome(s) && Redacted.value(s.value.accessToken) === "T2"),
        "the refresh landed"
      )
      expect(yield* client.get("/api/me")).toEqual({ ok: true })
      expect((yield* token.requests("/token")).length).toBe(1)
    }).pipe(Effect.scoped))

  it.scoped("refreshAhead: false refreshes on a 401 only; no refresh token, no refresh ahead", () =>
    Effect.gen(function*() {
      const off = yield* setup({ initial: { ...TokenStore.tokens("T1", "R1"), expiresAt: 60_000 }, refreshAhead: false })
      yield* off.client.get("/api/me")
      yield* TestClock.adjust("50 seconds")
      yield* off.client.get("/api/me")
      expect(yield* off.refreshes).toBe(0)

      const noRefreshToken = yield* setup({ initial: { ...TokenStore.tokens("X1"), expiresAt: 55_000 } })
      yield* noRefreshToken.client.get("/api/me")
      expect(yield* noRefreshToken.refreshes).toBe(0)
      expect(yield* noRefreshToken.stored).toEqual(Option.some("X1"))
    }))
})
