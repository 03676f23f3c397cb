import { Auth, CourierClient, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The coordinator seam: what the auth Layer does with the lock another
// process may hold. The coordinators here script that other process on the
// shared store; the protected route accepts only "Bearer T2".

const protectedReply = Reply.custom((request, response) => {
  request.resume()
  const ok = request.headers["authorization"] === "Bearer T2"
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(JSON.stringify(ok ? { ok: true } : { error: "expired" }))
})

const setup = (coordinator: (store: TokenStore.Service) => Auth.RefreshCoordinator, refreshTimeout: Duration.DurationInput = "2 seconds") =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({
      routes: [
        ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
        ["GET", "/api/*", protectedReply]
      ]
    })
    const store = yield* TokenStore.makeMemory(TokenStore.tokens("T1", "R1"))
    const ctx = yield* Layer.build(
      Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }), coordinator: coordinator(store), refreshTimeout }).pipe(
        Layer.provide(TestClient.layerFor(server, {}, "node")),
        Layer.provide(Layer.succeed(TokenStore.TokenStore, store))
      )
    )
    const client = Context.get(ctx, CourierClient.CourierClient)
    return { client, refreshes: Effect.map(server.requests("/auth/refresh"), (entries) => entries.length) }
  })

const acquired: Auth.RefreshLease = { _tag: "Acquired", release: Effect.void }

describe("Auth coordinator", () => {
  it.scopedLive("holding the lock, a token another process stored meanwhile is used: no refresh", () =>
    Effect.gen(function*() {
      let releases = 0
      const { client, refreshes } = yield* setup((store) => ({
        // The other process refreshed and released just before this one got the lock.
        acquire: () =>
          Effect.as(store.set(TokenStore.tokens("T2", "R2")).pipe(Effect.orDie), {
            _tag: "Acquired",
            release: Effect.sync(() => void releases++)
          }),
        awaitRelease: () => Effect.void
      }))
      expect(yield* client.get("/api/items")).toEqual({ ok: true })
      expect(yield* refreshes).toBe(0)
      expect(releases).toBe(1)
    }))

  it.scopedLive("a lock held elsewhere is waited for, and the tokens its holder stored are used: no refresh", () =>
    Effect.gen(function*() {
      const { client, refreshes } = yield* setup((store) => ({
        acquire: () => Effect.succeed({ _tag: "Held" }),
        awaitRelease: () => Effect.orDie(store.set(TokenStore.tokens("T2", "R2")))
      }))
      const results = yield* Effect.all(Array.from({ length: 20 }, () => client.get("/api/items")), { concurrency: "unbounded" })
      expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true)
      expect(yield* refreshes).toBe(0)
    }))

  it.scopedLive("a holder that died: once its lock is gone and the token unchanged, this process refreshes, once", () =>
    Effect.gen(function*() {
      let acquires = 0
      const { client, refreshes } = yield* setup(() => ({
        acquire: () => Effect.sync(() => (++acquires === 1 ? { _tag: "Held" } as const : acquired)),
        awaitRelease: () => Effect.sleep("100 millis")
      }))
      const results = yield* Effect.all(Array.from({ length: 20 }, () => client.get("/api/items")), { concurrency: "unbounded" })
      expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true)
      expect(yield* refreshes).toBe(1)
      expect(acquires).toBe(2)
    }))

  it.scopedLive("a lock held past twice its time to live (refreshTimeout + 2 s): RefreshUnavailable, the tokens kept, no refresh", () =>
    Effect.gen(function*() {
      const { client, refreshes } = yield* setup(() => ({
        acquire: () => Effect.succeed({ _tag: "Held" }),
        awaitRelease: (max) => Effect.sleep(max)
      }), "200 millis")
      const error = yield* Effect.flip(client.get("/api/items"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshUnavailable" })
      expect(yield* refreshes).toBe(0)
    }))
})
