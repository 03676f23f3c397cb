/**
 * The refresh across replicas when the token endpoint does not simply
 * answer: it rotates the refresh token on every use, it rejects the
 * refresh, it is unavailable. Two clients with their own connections, as
 * two processes would have.
 */
import { Auth, CourierClient, TokenStore } from "@courier/client"
import type { CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RedisConnection, RedisPreset, RedisTokenStore } from "../src/index.js"
import { redisServer, skipReason, startRedis } from "./support.js"

type Mode = "rotate" | "reject" | "unavailable"

/** An API whose access tokens all expire at once (`expire`) and whose token endpoint behaves as `mode` says. */
const makeApi = (mode: Mode) =>
  Effect.gen(function*() {
    let issued = 0
    let refreshToken = "refresh-0"
    const valid = new Set(["access-0"])
    const server = yield* TestServer.make()
    yield* server.route(
      "GET",
      "/api/data",
      Reply.custom((request, response) => {
        const ok = valid.has(String(request.headers["authorization"]).replace(/^Bearer /, ""))
        response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
        response.end(JSON.stringify({ ok }))
      })
    )
    yield* server.route(
      "POST",
      "/auth/refresh",
      Reply.custom((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { refreshToken?: string }
          if (mode === "unavailable") {
            response.writeHead(503, { "content-type": "application/json" })
            return response.end("{}")
          }
          // Rotation without a reuse interval: a refresh token works once.
          if (mode === "reject" || body.refreshToken !== refreshToken) {
            response.writeHead(400, { "content-type": "application/json" })
            return response.end(JSON.stringify({ error: "invalid_grant" }))
          }
          issued += 1
          refreshToken = `refresh-${issued}`
          const accessToken = `access-${issued}`
          valid.add(accessToken)
          response.writeHead(200, { "content-type": "application/json" })
          response.end(JSON.stringify({ accessToken, refreshToken }))
        })
      })
    )
    return {
      server,
      expire: Effect.sync(() => valid.clear()),
      refreshes: Effect.map(server.requests("/auth/refresh"), (requests) => requests.map((r) => r.bodyText))
    }
  })

const setup = (mode: Mode, namespace: string) =>
  Effect.gen(function*() {
    const redis = yield* startRedis
    const api = yield* makeApi(mode)
    const connect = RedisConnection.make({ namespace, redis: { host: "127.0.0.1", port: redis.port } })
    const ended: Array<string> = []
    const replica = (name: string) =>
      Effect.gen(function*() {
        const connection = yield* connect
        const context = yield* Layer.build(
          RedisPreset.layer(
            {
              refresh: Auth.refreshJson({ path: "/auth/refresh" }),
              onSessionExpired: () => Effect.sync(() => ended.push(name))
            },
            // No retry: each refresh on the wire is one a process decided to make.
            { logging: false, tracing: false, retry: false }
          ).pipe(
            Layer.provide(NodeTransport.layerClient({ baseUrl: api.server.url, timeouts: { total: "20 seconds" } })),
            Layer.provide(Layer.succeed(RedisConnection.RedisConnection, connection))
          )
        )
        return { client: Context.get(context, CourierClient.CourierClient), connection }
      })
    const a = yield* replica("a")
    const b = yield* replica("b")
    const store = yield* Effect.provideService(RedisTokenStore.make, RedisConnection.RedisConnection, a.connection)
    yield* store.set(TokenStore.tokens("access-0", "refresh-0"))
    const round = Effect.map(
      Effect.forEach(
        [a.client, b.client],
        (client) => Effect.forEach(Array.from({ length: 25 }), () => Effect.either(client.get("/api/data")), { concurrency: "unbounded" }),
        { concurrency: "unbounded" }
      ),
      (results) =>
        results.flat().map((result) =>
          result._tag === "Right" ? "ok" : `${result.left._tag} ${(result.left as CourierError.Unauthorized).reason ?? ""}`.trim()
        )
    )
    const stored = a.connection.run("get", (client) => client.get(`courier:${namespace}:tokens`))
    return { api, round, ended, stored }
  })

const counts = (outcomes: ReadonlyArray<string>) =>
  outcomes.reduce<Record<string, number>>((acc, outcome) => ({ ...acc, [outcome]: (acc[outcome] ?? 0) + 1 }), {})

describe.skipIf(redisServer !== undefined)("Redis refresh", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis refresh", () => {
  it.scopedLive("a refresh token that works once: one refresh per expiry, each with the token the other replica stored", () =>
    Effect.gen(function*() {
      const { api, round, stored } = yield* setup("rotate", "rotate")
      for (let wave = 1; wave <= 3; wave++) {
        yield* api.expire
        expect(counts(yield* round)).toEqual({ ok: 50 })
        expect((yield* api.refreshes).map((body) => JSON.parse(body).refreshToken)).toEqual(
          Array.from({ length: wave }, (_, i) => `refresh-${i}`)
        )
        expect(yield* stored).toContain(`refresh-${wave}`)
      }
    }), 60_000)

  it.scopedLive("the token endpoint rejects the refresh: one refresh, every call SessionExpired, both sessions end, tokens gone", () =>
    Effect.gen(function*() {
      const { api, ended, round, stored } = yield* setup("reject", "reject")
      yield* api.expire
      expect(counts(yield* round)).toEqual({ "Unauthorized SessionExpired": 50 })
      expect(yield* api.refreshes).toHaveLength(1)
      expect(yield* stored).not.toContain("access-0")
      yield* Effect.sleep("100 millis")
      expect([...ended].sort()).toEqual(["a", "b"])
    }), 60_000)

  // As in one process, a refresh that fails without ending the session stores
  // nothing, and a later 401 (a call whose 401 came after it ended) refreshes
  // again: one at a time across the replicas, never one per call.
  it.scopedLive("the token endpoint is unavailable: every call RefreshUnavailable, tokens kept, fewer refreshes than calls", () =>
    Effect.gen(function*() {
      const { api, ended, round, stored } = yield* setup("unavailable", "unavailable")
      yield* api.expire
      expect(counts(yield* round)).toEqual({ "Unauthorized RefreshUnavailable": 50 })
      const refreshes = (yield* api.refreshes).length
      expect(refreshes).toBeGreaterThanOrEqual(1)
      expect(refreshes).toBeLessThan(50)
      expect(yield* stored).toContain("refresh-0")
      expect(ended).toEqual([])
    }), 60_000)
})
