import { Auth, Body, CourierClient, Metrics, TokenStore } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { waitForRequests, waitUntil } from "./support.js"

// Every guarantee of the auth Layer's header comment, proven on the wire:
// what reached the protected server, the refresh endpoint and any other
// origin. The protected routes accept only "Bearer T2"; the store starts
// with the expired T1 and the refresh token R1.

const fresh = { accessToken: "T2", refreshToken: "R2" }

/** Answers 200 `{ ok: true }` to "Bearer T2" and 401 to anything else. */
const protectedReply = Reply.custom((request, response) => {
  request.resume()
  const ok = request.headers["authorization"] === "Bearer T2"
  const body = JSON.stringify(ok ? { ok: true } : { error: "expired" })
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  response.end(body)
})

/** The refresh endpoint answering the new tokens after a delay, so the 401s pile up meanwhile. */
const slowRefresh = (millis = 200) => Reply.delay(`${millis} millis`, Reply.json(fresh))

interface Setup {
  readonly refresh?: Reply.Reply
  readonly routes?: ReadonlyArray<readonly [string, string, Reply.Reply]>
  readonly client?: CourierConfig.Options
  readonly auth?: Partial<Auth.Options>
  readonly tokens?: TokenStore.Tokens
  /** A store of the test's own, in place of the memory store seeded with `tokens`. */
  readonly store?: TokenStore.Service
}

/** A protected server, an authed client on it and the store under it; counts `onSessionExpired`. */
const setup = (options: Setup = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({
      routes: [
        ["POST", "/auth/refresh", options.refresh ?? slowRefresh()],
        ["*", "/api/*", protectedReply],
        ...(options.routes ?? [])
      ]
    })
    const expired = yield* Ref.make<ReadonlyArray<unknown>>([])
    const ctx = yield* Layer.build(
      Auth.layer({
        refresh: Auth.refreshJson({ path: "/auth/refresh" }),
        onSessionExpired: (cause) => Ref.update(expired, (all) => [...all, cause]),
        ...options.auth
      }).pipe(
        Layer.provide(TestClient.layerFor(server, options.client ?? {}, "node")),
        Layer.provideMerge(
          options.store === undefined
            ? TokenStore.layerMemory(options.tokens ?? TokenStore.tokens("T1", "R1"))
            : Layer.succeed(TokenStore.TokenStore, options.store)
        )
      )
    ).pipe(Effect.orDie)
    const client = Context.get(ctx, CourierClient.CourierClient)
    const store = Context.get(ctx, TokenStore.TokenStore)
    const refreshes = Effect.map(server.requests("/auth/refresh"), (entries) => entries.length)
    // The memory store cannot fail; a test store's failure is a defect here.
    const accessToken = Effect.map(
      Effect.orDie(store.get),
      Option.map((tokens) => Redacted.value(tokens.accessToken))
    )
    return { server, client, store, expired, refreshes, accessToken }
  })

const tagOf = (u: unknown): unknown => (typeof u === "object" && u !== null && "_tag" in u ? u._tag : u)

const authorizationsOf = (entries: ReadonlyArray<TestServer.JournalEntry>) =>
  entries.map((entry) => entry.headers["authorization"])

describe("Auth", () => {
  describe("single-flight refresh", () => {
    it.scopedLive("200 concurrent 401s cause exactly one refresh, and all 200 succeed", () =>
      Effect.gen(function*() {
        const { accessToken, client, refreshes, server } = yield* setup()
        const results = yield* Effect.all(
          Array.from({ length: 200 }, (_, i) => client.get("/api/items", { query: { i } })),
          { concurrency: "unbounded" }
        )
        expect(results).toHaveLength(200)
        expect(results.every((result) => (result as { ok: boolean }).ok === true)).toBe(true)
        expect(yield* refreshes).toBe(1)
        const [refresh] = yield* server.requests("/auth/refresh")
        expect(refresh.headers["authorization"]).toBeUndefined()
        expect(refresh.headers["content-type"]).toBe("application/json")
        expect(JSON.parse(refresh.bodyText)).toEqual({ refreshToken: "R1" })
        // Each call: one attempt with T1 (the 401) and one replay with T2.
        const auths = authorizationsOf(yield* server.requests("/api/items"))
        expect(auths.filter((a) => a === "Bearer T1")).toHaveLength(200)
        expect(auths.filter((a) => a === "Bearer T2")).toHaveLength(200)
        expect(auths).toHaveLength(400)
        expect(yield* accessToken).toEqual(Option.some("T2"))
      }))

    it.scopedLive("a request starting while the refresh is in flight waits for it and sends only T2", () =>
      Effect.gen(function*() {
        const { client, refreshes, server } = yield* setup({ refresh: slowRefresh(400) })
        const first = yield* Effect.fork(client.get("/api/first"))
        yield* waitForRequests(server, "/auth/refresh")
        const late = yield* Effect.fork(client.get("/api/late"))
        expect(yield* Fiber.join(late)).toEqual({ ok: true })
        expect(yield* Fiber.join(first)).toEqual({ ok: true })
        expect(authorizationsOf(yield* server.requests("/api/late"))).toEqual(["Bearer T2"])
        expect(authorizationsOf(yield* server.requests("/api/first"))).toEqual(["Bearer T1", "Bearer T2"])
        expect(yield* refreshes).toBe(1)
      }))

    it.scopedLive("a 401 for a token already replaced replays with the current one, without refreshing", () =>
      Effect.gen(function*() {
        const { client, refreshes, server, store } = yield* setup({
          routes: [["GET", "/api/slow", Reply.delay("300 millis", protectedReply)]]
        })
        const call = yield* Effect.fork(client.get("/api/slow"))
        // The T1 request is on the wire; its 401 is not back yet when T2 lands in the store.
        yield* waitForRequests(server, "/api/slow")
        yield* store.set(TokenStore.tokens("T2", "R2"))
        expect(yield* Fiber.join(call)).toEqual({ ok: true })
        expect(authorizationsOf(yield* server.requests("/api/slow"))).toEqual(["Bearer T1", "Bearer T2"])
        expect(yield* refreshes).toBe(0)
      }))

    it.scopedLive("a second 401 after the replay is Unauthorized: two requests, one refresh, no loop", () =>
      Effect.gen(function*() {
        const { client, expired, refreshes, server } = yield* setup({
          routes: [["GET", "/api/never", Reply.json({ error: "no" }, { status: 401 })]]
        })
        const error = yield* Effect.flip(client.get("/api/never"))
        expect(error._tag).toBe("Unauthorized")
        expect(error.message).toContain("/api/never")
        expect(authorizationsOf(yield* server.requests("/api/never"))).toEqual(["Bearer T1", "Bearer T2"])
        expect(yield* refreshes).toBe(1)
        // The refresh itself worked: the session is not over.
        expect(yield* Ref.get(expired)).toEqual([])
      }))
    it.scopedLive("a 401 whose store read spans the end of the refresh replays with the new token, no second refresh", () =>
      Effect.gen(function*() {
        // A store with slow reads (a keychain, say): a read returns the value it
        // found when it started. While `gate` is set, reads that found T1 are
        // held back until the test opens it.
        let current = Option.some(TokenStore.tokens("T1", "R1"))
        let gate: Deferred.Deferred<void> | undefined
        let held = 0
        const store: TokenStore.Service = {
          get: Effect.suspend(() => {
            const found = current
            const stale = Option.exists(found, (tokens) => Redacted.value(tokens.accessToken) === "T1")
            if (gate === undefined || !stale) return Effect.succeed(found)
            held += 1
            return Effect.as(Deferred.await(gate), found)
          }),
          set: (tokens) => Effect.sync(() => void (current = Option.some(tokens))),
          clear: Effect.sync(() => void (current = Option.none()))
        }
        const { client, refreshes, server } = yield* setup({
          store,
          refresh: slowRefresh(400),
          routes: [["GET", "/api/b", Reply.delay("150 millis", protectedReply)]]
        })
        const b = yield* Effect.fork(client.get("/api/b"))
        yield* waitForRequests(server, "/api/b")
        const a = yield* Effect.fork(client.get("/api/a"))
        yield* waitForRequests(server, "/auth/refresh")
        const open = yield* Deferred.make<void>()
        gate = open
        // The 401 of /api/b arrives while the refresh runs; its read finds T1.
        yield* waitUntil(Effect.sync(() => held > 0), "the read for /api/b's 401 is held")
        // The refresh ends (T2 stored, /api/a replayed) while that read is still out.
        expect(yield* Fiber.join(a)).toEqual({ ok: true })
        gate = undefined
        yield* Deferred.succeed(open, void 0)
        expect(yield* Fiber.join(b)).toEqual({ ok: true })
        expect(authorizationsOf(yield* server.requests("/api/b"))).toEqual(["Bearer T1", "Bearer T2"])
        expect(yield* refreshes).toBe(1)
      }))
  })

  describe("a failing refresh ends the session only when the endpoint says no", () => {
    // [what the refresh endpoint does, the client's options, the failure of the refresh call, the reason]
    const failures: ReadonlyArray<
      readonly [string, Reply.Reply, CourierConfig.Options, string, "SessionExpired" | "RefreshUnavailable"]
    > = [
      ["401", Reply.delay("150 millis", Reply.json({ error: "revoked" }, { status: 401 })), {}, "Unauthorized", "SessionExpired"],
      ["400 invalid_grant", Reply.delay("150 millis", Reply.json({ error: "invalid_grant" }, { status: 400 })), {}, "BadResponse", "SessionExpired"],
      ["403", Reply.delay("150 millis", Reply.status(403)), {}, "BadResponse", "SessionExpired"],
      ["500", Reply.delay("150 millis", Reply.text("boom", { status: 500 })), {}, "BadResponse", "RefreshUnavailable"],
      ["a stalled endpoint (receive timeout)", Reply.stall, { timeouts: { receive: "300 millis" } }, "Timeout", "RefreshUnavailable"],
      ["a 200 with a bad body", Reply.delay("150 millis", Reply.json({ nope: 1 })), {}, "Parse", "RefreshUnavailable"]
    ]

    it.scopedLive.each(failures)("%s: 20 waiting requests fail with Unauthorized, a cause and a reason", ([, refresh, client, why, reason]) =>
      Effect.gen(function*() {
        const setupResult = yield* setup({ refresh, client })
        const { expired, refreshes, server, store } = setupResult
        const errors = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) => Effect.flip(setupResult.client.get(`/api/item/${i}`))),
          { concurrency: "unbounded" }
        )
        for (const [i, error] of errors.entries()) {
          expect(error._tag).toBe("Unauthorized")
          if (error._tag !== "Unauthorized") continue
          expect(error.reason).toBe(reason)
          expect(error.cause).toBeDefined()
          expect(Cause.isCause(error.cause) ? Option.map(Cause.failureOption(error.cause), tagOf) : undefined)
            .toEqual(Option.some(why))
          // Each failure names its own request.
          expect(error.request.url).toBe(`${server.url}/api/item/${i}`)
        }
        if (reason === "SessionExpired") {
          expect(Option.isNone(yield* store.get)).toBe(true)
          yield* waitUntil(Effect.map(Ref.get(expired), (all) => all.length === 1), "onSessionExpired ran")
        } else {
          // The endpoint did not reject the refresh token: the session stays.
          expect(Option.isSome(yield* store.get)).toBe(true)
          expect(yield* Ref.get(expired)).toHaveLength(0)
        }
        expect(yield* Ref.get(expired).pipe(Effect.delay("50 millis"))).toHaveLength(reason === "SessionExpired" ? 1 : 0)
        expect(yield* refreshes).toBe(1)
        // One attempt each with T1; nothing replayed, nothing retried.
        const journal = yield* server.journal
        expect(journal.filter((e) => e.path.startsWith("/api/"))).toHaveLength(20)
        expect(authorizationsOf(journal.filter((e) => e.path.startsWith("/api/"))).every((a) => a === "Bearer T1"))
          .toBe(true)
      }))

    it.scopedLive("a 401 arriving after the session expired does not refresh or expire it again", () =>
      Effect.gen(function*() {
        const { client, expired, refreshes, server, store } = yield* setup({
          refresh: Reply.json({ error: "revoked" }, { status: 401 }),
          routes: [["GET", "/api/slow", Reply.delay("400 millis", protectedReply)]]
        })
        const slow = yield* Effect.fork(Effect.flip(client.get("/api/slow")))
        yield* waitForRequests(server, "/api/slow")
        // The fast call's 401 starts the refresh, which fails at once: the session is over.
        const first = yield* Effect.flip(client.get("/api/fast"))
        expect(first).toMatchObject({ _tag: "Unauthorized" })
        yield* waitUntil(Effect.map(Ref.get(expired), (all) => all.length === 1), "onSessionExpired ran")
        // The slow call's 401 (for T1) arrives afterwards.
        const late = yield* Fiber.join(slow)
        expect(late._tag).toBe("Unauthorized")
        if (late._tag === "Unauthorized") {
          expect(late.cause).toBeDefined()
          expect(late.request.url).toBe(`${server.url}/api/slow`)
        }
        expect(yield* Ref.get(expired)).toHaveLength(1)
        expect(yield* refreshes).toBe(1)
        expect(Option.isNone(yield* store.get)).toBe(true)
      }))

    it.scopedLive("a refresh that returns a token which is not a valid header value is never sent", () =>
      Effect.gen(function*() {
        const { client, expired, refreshes, server, store } = yield* setup({
          refresh: Reply.json({ accessToken: "T2\r\nX-Injected: 1", refreshToken: "R2" })
        })
        const error = yield* Effect.flip(client.get("/api/data"))
        expect(error._tag).toBe("Unauthorized")
        if (error._tag === "Unauthorized") expect(error.cause).toBeDefined()
        // A later call must not fail offline with the poisoned token either.
        const again = yield* Effect.flip(client.get("/api/data"))
        expect(again._tag).toBe("Unauthorized")
        const journal = yield* server.journal
        for (const entry of journal) {
          expect(entry.headers["x-injected"]).toBeUndefined()
          expect(entry.rawHeaders.some((h) => h.toLowerCase().includes("x-injected"))).toBe(false)
        }
        expect(authorizationsOf(yield* server.requests("/api/data"))).toEqual(["Bearer T1", undefined])
        // The poisoned answer is a failed refresh: the session ends, once.
        expect(Option.isNone(yield* store.get)).toBe(true)
        yield* waitUntil(Effect.map(Ref.get(expired), (all) => all.length === 1), "onSessionExpired ran")
        expect(yield* refreshes).toBe(1)
      }))
    it.scopedLive("an onSessionExpired that dies does not leave the waiting requests hanging", () =>
      Effect.gen(function*() {
        const setupResult = yield* setup({
          refresh: Reply.delay("150 millis", Reply.status(400)),
          auth: { onSessionExpired: () => Effect.dieMessage("a bug in the callback") }
        })
        const errors = yield* Effect.all(
          Array.from({ length: 10 }, () => Effect.flip(setupResult.client.get("/api/data"))),
          { concurrency: "unbounded" }
        ).pipe(Effect.timeout("5 seconds"))
        for (const error of errors) {
          expect(error._tag).toBe("Unauthorized")
          if (error._tag === "Unauthorized") expect(error.cause).toBeDefined()
        }
        expect(Option.isNone(yield* setupResult.store.get)).toBe(true)
        expect(yield* setupResult.refreshes).toBe(1)
      }))
  })

  describe("the end of a session under load", () => {
    it.scopedLive("50 concurrent calls, their 401s before and after the rejected refresh: one refresh, onSessionExpired once, all SessionExpired", () =>
      Effect.gen(function*() {
        const { accessToken, client, expired, refreshes } = yield* setup({
          refresh: Reply.delay("200 millis", Reply.json({ error: "invalid_grant" }, { status: 400 })),
          // These 401s come after the refresh was rejected and the store cleared.
          routes: [["GET", "/slow/*", Reply.delay("600 millis", Reply.json({ error: "expired" }, { status: 401 }))]]
        })
        const calls = Array.from({ length: 50 }, (_, i) => client.get(i % 2 === 0 ? "/api/items" : "/slow/items", { query: { i } }))
        const results = yield* Effect.all(calls.map((call) => Effect.flip(call)), { concurrency: "unbounded" })
        expect(results.map((error) => [error._tag, (error as { reason?: unknown }).reason])).toEqual(
          Array.from({ length: 50 }, () => ["Unauthorized", "SessionExpired"])
        )
        expect(yield* refreshes).toBe(1)
        expect(yield* accessToken).toEqual(Option.none())
        yield* Effect.sleep("100 millis")
        expect(yield* Ref.get(expired)).toHaveLength(1)
      }))

    it.scopedLive("50 concurrent calls with a token known to be expired: none sent, one refresh, onSessionExpired once", () =>
      Effect.gen(function*() {
        const { accessToken, client, expired, refreshes, server } = yield* setup({
          refresh: Reply.delay("200 millis", Reply.json({ error: "invalid_grant" }, { status: 400 })),
          tokens: { ...TokenStore.tokens("T1", "R1"), expiresAt: Date.now() - 1_000 }
        })
        const results = yield* Effect.all(
          Array.from({ length: 50 }, (_, i) => Effect.flip(client.get("/api/items", { query: { i } }))),
          { concurrency: "unbounded" }
        )
        expect(new Set(results.map((error) => `${error._tag}/${(error as { reason?: unknown }).reason}`))).toEqual(
          new Set(["Unauthorized/SessionExpired"])
        )
        // Nothing was sent with the expired token: every call waited for the refresh.
        expect(yield* server.requests("/api/items")).toEqual([])
        expect(yield* refreshes).toBe(1)
        expect(yield* accessToken).toEqual(Option.none())
        yield* Effect.sleep("100 millis")
        expect(yield* Ref.get(expired)).toHaveLength(1)
      }))
  })

  describe("a refresh ahead in the background", () => {
    it.scopedLive("calls that meet a 401 while it runs (the server revoked the old token at once) wait for it and replay: one refresh", () =>
      Effect.gen(function*() {
        let revoked = false
        const accepting = Reply.custom((request, response) => {
          request.resume()
          const auth = request.headers["authorization"]
          const ok = auth === "Bearer T2" || (auth === "Bearer T1" && !revoked)
          const body = JSON.stringify(ok ? { ok: true } : { error: "expired" })
          response.writeHead(ok ? 200 : 401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
          response.end(body)
        })
        const { accessToken, client, expired, refreshes, server } = yield* setup({
          // The token endpoint revokes the old access token as soon as it is asked, then answers slowly.
          refresh: Reply.custom((request, response) => {
            revoked = true
            request.resume()
            const body = JSON.stringify(fresh)
            setTimeout(() => {
              response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
              response.end(body)
            }, 300)
          }),
          routes: [["GET", "/v2/*", accepting]],
          tokens: { ...TokenStore.tokens("T1", "R1"), expiresAt: Date.now() + 3_000 }
        })
        expect(yield* client.get("/v2/items")).toEqual({ ok: true })
        // Past half of its life: the next call starts the refresh ahead and goes with T1.
        yield* Effect.sleep("1600 millis")
        yield* client.get("/v2/items")
        yield* waitUntil(Effect.sync(() => revoked), "the refresh reached the token endpoint")
        // These go with T1 while the refresh runs, and meet a 401.
        const results = yield* Effect.all(
          Array.from({ length: 10 }, (_, i) => client.get("/v2/items", { query: { i } })),
          { concurrency: "unbounded" }
        )
        expect(results).toEqual(Array.from({ length: 10 }, () => ({ ok: true })))
        expect(yield* refreshes).toBe(1)
        expect(yield* accessToken).toEqual(Option.some("T2"))
        expect(yield* Ref.get(expired)).toEqual([])
        const sent = authorizationsOf(yield* server.requests("/v2/items"))
        expect(sent.filter((a) => a === "Bearer T2")).toHaveLength(10)
      }))
  })

  describe("where the token goes", () => {
    it.scopedLive("never to a second origin: not directly, not after a redirect", () =>
      Effect.gen(function*() {
        const other = yield* TestServer.make({
          routes: [["GET", "/landing", Reply.json({ ok: true })], ["GET", "/denied", Reply.status(401)]]
        })
        const { client, refreshes, server } = yield* setup({
          tokens: TokenStore.tokens("T2", "R2"),
          client: { allowedOrigins: [other.origin] },
          routes: [
            ["GET", "/api/go", Reply.redirect(302, `${other.url}/landing`)],
            ["GET", "/api/go-denied", Reply.redirect(302, `${other.url}/denied`)]
          ]
        })
        expect(yield* client.get(`${other.url}/landing`)).toEqual({ ok: true })
        expect(yield* client.get("/api/go")).toEqual({ ok: true })
        // A 401 from the other origin is not the protected server's to answer with a refresh.
        const error = yield* Effect.flip(client.get("/api/go-denied"))
        expect(error._tag).toBe("Unauthorized")
        expect(authorizationsOf(yield* server.requests("/api/go"))).toEqual(["Bearer T2"])
        expect(authorizationsOf(yield* server.requests("/api/go-denied"))).toEqual(["Bearer T2"])
        expect(authorizationsOf(yield* other.journal)).toEqual([undefined, undefined, undefined])
        expect(yield* refreshes).toBe(0)
      }))

    it.scopedLive("refreshJson follows no redirect: a 307 from the refresh path never carries the refresh token to another origin", () =>
      Effect.gen(function*() {
        const attacker = yield* TestServer.make({ routes: [["*", "/*", Reply.json(fresh)]] })
        const { accessToken, client, expired } = yield* setup({
          refresh: Reply.redirect(307, `${attacker.url}/collect`),
          // The client may talk to that origin for other calls; the refresh token still must not go there.
          client: { allowedOrigins: [attacker.origin] }
        })
        const result = yield* Effect.either(client.get("/api/items"))
        expect(yield* attacker.journal).toEqual([])
        expect(result).toMatchObject({ _tag: "Left", left: { _tag: "Unauthorized", reason: "RefreshUnavailable" } })
        expect(yield* accessToken).toEqual(Option.some("T1"))
        expect(yield* Ref.get(expired)).toEqual([])
      }))

    it.scopedLive("a request carrying its own authorization header is left alone", () =>
      Effect.gen(function*() {
        const { client, refreshes, server } = yield* setup({
          routes: [["GET", "/api/basic", Reply.json({ error: "no" }, { status: 401 })]]
        })
        expect(yield* client.get("/api/own", { headers: { authorization: "Bearer T2" } })).toEqual({ ok: true })
        const error = yield* Effect.flip(client.get("/api/basic", { headers: { Authorization: "Basic dTpw" } }))
        expect(error._tag).toBe("Unauthorized")
        expect(authorizationsOf(yield* server.requests("/api/own"))).toEqual(["Bearer T2"])
        expect(authorizationsOf(yield* server.requests("/api/basic"))).toEqual(["Basic dTpw"])
        expect(yield* refreshes).toBe(0)
      }))

    it.scopedLive("exclude keeps the token off the requests it matches", () =>
      Effect.gen(function*() {
        const { client, refreshes, server } = yield* setup({
          tokens: TokenStore.tokens("T2", "R2"),
          auth: { exclude: (request) => request.url.pathname.startsWith("/public/") },
          routes: [["GET", "/public/info", Reply.json({ public: true })], ["GET", "/public/denied", Reply.status(401)]]
        })
        expect(yield* client.get("/public/info")).toEqual({ public: true })
        expect(yield* client.get("/api/private")).toEqual({ ok: true })
        const error = yield* Effect.flip(client.get("/public/denied"))
        expect(error._tag).toBe("Unauthorized")
        expect(authorizationsOf(yield* server.requests("/public/info"))).toEqual([undefined])
        expect(authorizationsOf(yield* server.requests("/public/denied"))).toEqual([undefined])
        expect(authorizationsOf(yield* server.requests("/api/private"))).toEqual(["Bearer T2"])
        expect(yield* refreshes).toBe(0)
      }))
  })

  describe("interruption and bodies", () => {
    it.scopedLive("interrupting the request that started the refresh does not cancel it for the others", () =>
      Effect.gen(function*() {
        const { accessToken, client, refreshes, server } = yield* setup({
          refresh: slowRefresh(500),
          routes: [["GET", "/api/later", Reply.delay("250 millis", protectedReply)]]
        })
        // Both leave with T1. /api/first gets its 401 at once and starts the
        // refresh; the 401 of /api/later comes while it runs, so it joins it.
        const later = yield* Effect.fork(client.get("/api/later"))
        yield* waitForRequests(server, "/api/later")
        const first = yield* Effect.fork(client.get("/api/first"))
        yield* waitForRequests(server, "/auth/refresh")
        yield* Fiber.interrupt(first)
        expect(Exit.isInterrupted(yield* Fiber.await(first))).toBe(true)
        expect(yield* Fiber.join(later)).toEqual({ ok: true })
        expect(yield* refreshes).toBe(1)
        expect(yield* accessToken).toEqual(Option.some("T2"))
        expect(authorizationsOf(yield* server.requests("/api/first"))).toEqual(["Bearer T1"])
        expect(authorizationsOf(yield* server.requests("/api/later"))).toEqual(["Bearer T1", "Bearer T2"])
      }))

    it.scopedLive("the refresh completes even when every waiting request is interrupted", () =>
      Effect.gen(function*() {
        const { accessToken, client, refreshes, server } = yield* setup({ refresh: slowRefresh(300) })
        const only = yield* Effect.fork(client.get("/api/only"))
        yield* waitForRequests(server, "/auth/refresh")
        yield* Fiber.interrupt(only)
        yield* waitUntil(
          Effect.map(accessToken, (token) => Option.getOrUndefined(token) === "T2"),
          "the store holds T2"
        )
        expect(yield* refreshes).toBe(1)
        expect(yield* client.get("/api/next")).toEqual({ ok: true })
        expect(authorizationsOf(yield* server.requests("/api/next"))).toEqual(["Bearer T2"])
      }))

    it.scopedLive("a one-shot stream body is not replayed after a 401", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup({
          routes: [["POST", "/api/upload", Reply.status(401)]]
        })
        const body = Body.stream(Stream.make(new TextEncoder().encode("once")), { contentType: "text/plain" })
        const error = yield* Effect.flip(client.post("/api/upload", { body, responseType: "none" }))
        expect(error._tag).toBe("Unauthorized")
        if (error._tag === "Unauthorized") expect(error.cause).toBeDefined()
        const uploads = yield* server.requests("/api/upload")
        expect(uploads).toHaveLength(1)
        expect(uploads[0].headers["authorization"]).toBe("Bearer T1")
        expect(uploads[0].bodyText).toBe("once")
      }))

    it.scopedLive("a replayable body is sent again, whole, with the fresh token", () =>
      Effect.gen(function*() {
        const { client, server } = yield* setup({
          routes: [["POST", "/api/echo", protectedReply]]
        })
        const result = yield* client.post("/api/echo", { body: Body.json({ n: 1 }) })
        expect(result).toEqual({ ok: true })
        const posts = yield* server.requests("/api/echo")
        expect(posts.map((e) => [e.headers["authorization"], e.bodyText])).toEqual([
          ["Bearer T1", "{\"n\":1}"],
          ["Bearer T2", "{\"n\":1}"]
        ])
      }))
  })
})

describe("Auth metrics", () => {
  it.scopedLive("a refresh counts in Metrics.refreshes, a failed one in Metrics.refreshFailures", () =>
    Effect.gen(function*() {
      const refreshesBefore = (yield* Metric.value(Metrics.refreshes)).count
      const failuresBefore = (yield* Metric.value(Metrics.refreshFailures)).count
      const ok = yield* setup()
      yield* ok.client.get("/api/x")
      const failing = yield* setup({ refresh: Reply.status(500) })
      yield* Effect.flip(failing.client.get("/api/x"))
      expect((yield* Metric.value(Metrics.refreshes)).count - refreshesBefore).toBe(2)
      expect((yield* Metric.value(Metrics.refreshFailures)).count - failuresBefore).toBe(1)
    }))
})
