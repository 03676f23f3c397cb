import { Auth, Body, CourierError, Logging, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { capturingLogs, clientWith, hits, type Line } from "./layers.js"

// The auth Layer on the wire: a protected route that accepts one token, a
// refresh endpoint that hands it out, and the journal to count refreshes and
// see which token each request carried.

const STALE = "stale-access-0d1e2f"
const FRESH = "fresh-access-9a8b7c"
const REFRESH = "refresh-token-5f4e3d"

/** 200 for `Bearer <accepted>`, 401 for anything else. */
const protectedBy = (...accepted: ReadonlyArray<string>) =>
  Reply.custom((request, response) => {
    const ok = accepted.some((token) => request.headers.authorization === `Bearer ${token}`)
    response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
    response.end(ok ? `{"ok":true}` : `{"error":"unauthorized"}`)
  })

const issues = (access: string, delay: Duration.Input = "100 millis") =>
  Reply.delay(delay, Reply.json({ accessToken: access, refreshToken: "rotated-refresh-1a2b" }))

const authed = (options: Partial<Auth.Options> = {}) =>
  Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }), ...options })

const wallSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

const bearers = (entries: ReadonlyArray<{ readonly headers: Readonly<Record<string, unknown>> }>) =>
  entries.map((entry) => entry.headers["authorization"])

describe("Auth on the wire", () => {
  it.live("50 concurrent 401s: one refresh on the wire, each call replayed once with the new token", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH)]]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(server, authed(), Layer.succeed(TokenStore.TokenStore, store))
      const results = yield* Effect.all(Array.from({ length: 50 }, () => client.get("/me")), { concurrency: "unbounded" })
      expect(results).toHaveLength(50)
      const refreshes = yield* server.requests("/auth/refresh")
      expect(refreshes).toHaveLength(1)
      expect(JSON.parse(refreshes[0]!.bodyText)).toEqual({ refreshToken: REFRESH })
      // The refresh call never carries the bearer token.
      expect(refreshes[0]!.headers["authorization"]).toBeUndefined()
      const sent = bearers(yield* server.requests("/me"))
      expect(sent.filter((h) => h === `Bearer ${FRESH}`)).toHaveLength(50)
      expect(sent.filter((h) => h === `Bearer ${STALE}`).length).toBeLessThanOrEqual(50)
      const stored = Option.getOrThrow(yield* store.get)
      expect(Redacted.value(stored.accessToken)).toBe(FRESH)
      expect(Redacted.value(stored.refreshToken!)).toBe("rotated-refresh-1a2b")
    }))

  it.live("a rejected refresh ends the session: SessionExpired for every waiter, tokens cleared, the hook once", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", protectedBy(FRESH)],
          ["POST", "/auth/refresh", Reply.delay("100 millis", Reply.json({ error: "invalid_grant" }, { status: 400 }))]
        ]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      let ended = 0
      const { client } = yield* clientWith(
        server,
        authed({ onSessionExpired: () => Effect.sync(() => ended++) }),
        Layer.succeed(TokenStore.TokenStore, store)
      )
      const errors = yield* Effect.all(Array.from({ length: 10 }, () => Effect.flip(client.get("/me"))), {
        concurrency: "unbounded"
      })
      for (const error of errors) {
        expect(error).toBeInstanceOf(CourierError.Unauthorized)
        expect((error as CourierError.Unauthorized).reason).toBe("SessionExpired")
      }
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
      expect(Option.isNone(yield* store.get)).toBe(true)
      yield* Effect.sleep("50 millis")
      expect(ended).toBe(1)
    }))

  it.live("a refresh that cannot be done now keeps the tokens: RefreshUnavailable", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", Reply.status(503)]]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(server, authed(), Layer.succeed(TokenStore.TokenStore, store))
      const error = yield* Effect.flip(client.get("/me"))
      expect(error).toBeInstanceOf(CourierError.Unauthorized)
      expect((error as CourierError.Unauthorized).reason).toBe("RefreshUnavailable")
      expect(Redacted.value(Option.getOrThrow(yield* store.get).accessToken)).toBe(STALE)
    }))

  it.live("a second 401 after the replay is Unauthorized: one refresh, two requests, no loop", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", Reply.status(401)], ["POST", "/auth/refresh", issues(FRESH, "0 millis")]]
      })
      const { client, seen } = yield* clientWith(server, authed(), TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)))
      const error = yield* Effect.flip(client.get("/me"))
      expect(error._tag).toBe("Unauthorized")
      expect(yield* hits(server, "/me")).toBe(2)
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
      // The replay is the call's next attempt (the refresh call is attempt 1 of its own).
      expect(seen.attempts).toEqual([1, 1, 2])
    }))

  it.live("the token goes to the base origin only: not to another origin, not after a cross-origin redirect", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({ routes: [["GET", "/landing", Reply.json({ there: true })]] })
      const server = yield* TestServer.make({
        routes: [["GET", "/go", Reply.redirect(302, `${other.url}/landing`)], ["GET", "/me", protectedBy(STALE)]]
      })
      const { client } = yield* clientWith(
        server,
        authed(),
        TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)),
        { allowedOrigins: [other.origin] }
      )
      yield* client.get("/me")
      expect(bearers(yield* server.requests("/me"))).toEqual([`Bearer ${STALE}`])
      yield* client.get("/go")
      yield* client.get(`${other.url}/landing`)
      expect(bearers(yield* server.requests("/go"))).toEqual([`Bearer ${STALE}`])
      expect(bearers(yield* other.requests("/landing"))).toEqual([undefined, undefined])
    }))

  it.live("two clients sharing a store and a coordinator: one refresh on the wire for both", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH, "200 millis")]]
      })
      const store = Layer.succeed(TokenStore.TokenStore, yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH)))
      // A lock in memory, standing for a shared one (Redis, a database).
      let held: Deferred.Deferred<void> | undefined
      const coordinator: Auth.RefreshCoordinator = {
        acquire: () =>
          Effect.sync((): Auth.RefreshLease => {
            if (held !== undefined) return { _tag: "Held" }
            const lock = Deferred.makeUnsafe<void>()
            held = lock
            return {
              _tag: "Acquired",
              release: Effect.suspend(() => {
                held = undefined
                return Effect.asVoid(Deferred.succeed(lock, undefined))
              })
            }
          }),
        awaitRelease: (max) =>
          held === undefined ? Effect.void : Effect.timeoutOrElse(Deferred.await(held), { duration: max, orElse: () => Effect.void })
      }
      const a = yield* clientWith(server, authed({ coordinator }), store)
      const b = yield* clientWith(server, authed({ coordinator }), store)
      const calls = [...Array.from({ length: 10 }, () => a.client.get("/me")), ...Array.from({ length: 10 }, () => b.client.get("/me"))]
      const results = yield* Effect.all(calls, { concurrency: "unbounded" })
      expect(results).toHaveLength(20)
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
    }))

  it.live("interrupting one waiting request does not cancel the refresh the others wait on", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH, "300 millis")]]
      })
      const { client } = yield* clientWith(server, authed(), TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)))
      const first = yield* Effect.forkChild(client.get("/me"))
      const second = yield* Effect.forkChild(client.get("/me"))
      // Both have met their 401 and wait on the one refresh.
      for (let i = 0; i < 200 && (yield* hits(server, "/auth/refresh")) === 0; i++) yield* wallSleep(5)
      yield* Fiber.interrupt(first)
      expect(yield* Fiber.join(second)).toEqual({ ok: true })
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
    }))

  it.live("refreshJson reads either spelling, keeps the refresh token when none comes back, and stores expires_in", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", protectedBy(FRESH)],
          ["POST", "/auth/refresh", Reply.json({ access_token: FRESH, expires_in: 60 })]
        ]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(server, authed(), Layer.succeed(TokenStore.TokenStore, store))
      const before = Date.now()
      yield* client.get("/me")
      const stored = Option.getOrThrow(yield* store.get)
      expect(Redacted.value(stored.accessToken)).toBe(FRESH)
      expect(Redacted.value(stored.refreshToken!)).toBe(REFRESH)
      expect(stored.expiresAt! - before).toBeGreaterThanOrEqual(59_000)
      expect(stored.expiresAt! - before).toBeLessThanOrEqual(61_000)
    }))

  it.live("a 401 on a one-shot stream body is not replayed and refreshes nothing", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["PUT", "/upload", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH, "0 millis")]]
      })
      const { client } = yield* clientWith(server, authed(), TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)))
      const error = yield* Effect.flip(
        client.put("/upload", { body: Body.stream(Stream.make(new TextEncoder().encode("data"))) })
      )
      expect(error._tag).toBe("Unauthorized")
      expect(String((error as CourierError.Unauthorized).cause)).toContain("one-shot stream")
      expect(yield* hits(server, "/upload")).toBe(1)
      expect(yield* hits(server, "/auth/refresh")).toBe(0)
    }))

  it.live("a refresh past refreshTimeout is RefreshUnavailable; the tokens stay", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH, "10 seconds")]]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(server, authed({ refreshTimeout: "200 millis" }), Layer.succeed(TokenStore.TokenStore, store))
      const started = Date.now()
      const error = yield* Effect.flip(client.get("/me"))
      expect((error as CourierError.Unauthorized).reason).toBe("RefreshUnavailable")
      expect(Date.now() - started).toBeLessThan(2000)
      expect(Redacted.value(Option.getOrThrow(yield* store.get).accessToken)).toBe(STALE)
    }))

  it.live("origins and exclude choose which requests carry the token", () =>
    Effect.gen(function*() {
      const partner = yield* TestServer.make({ routes: [["GET", "/p", Reply.json({})]] })
      const server = yield* TestServer.make({ routes: [["GET", "/login", Reply.json({})], ["GET", "/me", protectedBy(STALE)]] })
      const { client } = yield* clientWith(
        server,
        authed({
          origins: [server.origin, partner.origin],
          exclude: (request) => request.url.pathname === "/login",
          scheme: "Token"
        }),
        TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)),
        { allowedOrigins: [partner.origin] }
      )
      yield* client.get("/login")
      yield* client.get(`${partner.url}/p`)
      expect(bearers(yield* server.requests("/login"))).toEqual([undefined])
      expect(bearers(yield* partner.requests("/p"))).toEqual([`Token ${STALE}`])
    }))

  it.live("no token in log lines or in failures, whatever happens", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", protectedBy(FRESH)],
          ["POST", "/auth/refresh", Reply.json({ error: "invalid_grant", error_description: "expired" }, { status: 400 })]
        ]
      })
      const lines: Array<Line> = []
      const { client } = yield* clientWith(
        server,
        authed().pipe(Layer.provide(Logging.layer({ mode: "development", level: "Info" }))),
        TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH))
      )
      const error = yield* capturingLogs(lines, Effect.flip(client.get("/me?access_token=" + STALE)))
      expect(error._tag).toBe("Unauthorized")
      expect(lines.length).toBeGreaterThanOrEqual(2)
      const logged = JSON.stringify(lines)
      const failed = [String(error), error.message, JSON.stringify(error)].join("\n")
      for (const secret of [STALE, FRESH, REFRESH]) {
        expect(logged).not.toContain(secret)
        expect(failed).not.toContain(secret)
      }
      // The refresh call is logged and marked as such, its body shown without the refresh token.
      const refreshLine = lines.find((line) =>
        line.message === Logging.detailMessage && line.annotations["http.role"] === "refresh"
      )
      expect(String(refreshLine!.annotations["http.request.body"])).toContain("refreshToken")
    }))

  it.effect("refresh ahead of a known expiry: in the background while the token works, waited for once it expired", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(STALE, FRESH)], ["POST", "/auth/refresh", issues(FRESH, "0 millis")]]
      })
      // Issued at 0 for 10 s: the lead is min(30 s, half its life) = 5 s.
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH, 10_000))
      const { client } = yield* clientWith(server, authed(), Layer.succeed(TokenStore.TokenStore, store))
      yield* client.get("/me")
      expect(yield* hits(server, "/auth/refresh")).toBe(0)
      yield* TestClock.adjust("6 seconds")
      // Inside the lead: this call goes with the old token; one refresh starts beside it.
      yield* client.get("/me")
      expect(bearers(yield* server.requests("/me"))).toEqual([`Bearer ${STALE}`, `Bearer ${STALE}`])
      // The background refresh ends on its own, on the wall clock.
      for (let i = 0; i < 500; i++) {
        if (Redacted.value(Option.getOrThrow(yield* store.get).accessToken) === FRESH) break
        yield* wallSleep(10)
      }
      yield* client.get("/me")
      expect(bearers(yield* server.requests("/me"))[2]).toBe(`Bearer ${FRESH}`)
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
    }))

  it.effect("an expired token is not sent: the call waits for the refresh", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/me", protectedBy(FRESH)], ["POST", "/auth/refresh", issues(FRESH, "0 millis")]]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH, 10_000))
      const { client } = yield* clientWith(server, authed(), Layer.succeed(TokenStore.TokenStore, store))
      yield* TestClock.adjust("11 seconds")
      expect(yield* client.get("/me")).toEqual({ ok: true })
      expect(bearers(yield* server.requests("/me"))).toEqual([`Bearer ${FRESH}`])
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
    }))
})
