import { Auth, CourierError, Metrics, Preset, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { capturingLogs, clientWith, hits, type Line } from "./layers.js"

// The preset as a service uses it: refresh, retry, timeouts, logs and
// metrics together, against one server that expires the token, fails
// transiently, and is slow to refresh.

const STALE = "stale-access-44aa"
const FRESH = "fresh-access-55bb"
const REFRESH = "refresh-token-66cc"

const preset = (options: Preset.Options = {}) =>
  Preset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { retry: { baseDelay: 0, budget: false }, appHeaders: { appName: "notes", appVersion: "1.4.2" }, ...options }
  )

describe("Preset", () => {
  it.live("refresh, retry and timeouts together: 401, refresh (503 then 200), replay (503 then 200)", () =>
    Effect.gen(function*() {
      let dataCalls = 0
      const server = yield* TestServer.make({
        routes: [
          [
            "GET",
            "/data",
            Reply.custom((request, response) => {
              const fresh = request.headers.authorization === `Bearer ${FRESH}`
              // The first call with the new token meets a transient 503.
              const status = !fresh ? 401 : dataCalls++ === 0 ? 503 : 200
              response.writeHead(status, { "content-type": "application/json" })
              response.end(status === 200 ? `{"items":[1,2,3]}` : `{}`)
            })
          ],
          [
            "POST",
            "/auth/refresh",
            Reply.sequence([Reply.status(503), Reply.json({ accessToken: FRESH, refreshToken: "rotated-77dd" })])
          ]
        ]
      })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(server, preset(), Layer.succeed(TokenStore.TokenStore, store), {
        timeouts: { total: "10 seconds", receive: "5 seconds" }
      })
      const lines: Array<Line> = []
      const okBefore = (yield* Metric.value(Metrics.requestsFor({ method: "GET", statusClass: "2xx", outcome: "ok" }))).count
      expect(yield* capturingLogs(lines, client.get("/data"))).toEqual({ items: [1, 2, 3] })

      const data = yield* server.requests("/data")
      expect(data.map((entry) => entry.headers["authorization"])).toEqual([
        `Bearer ${STALE}`,
        `Bearer ${FRESH}`,
        `Bearer ${FRESH}`
      ])
      // The refresh POST was sent again after its 503, and never carried the bearer token.
      const refreshes = yield* server.requests("/auth/refresh")
      expect(refreshes).toHaveLength(2)
      expect(refreshes.every((entry) => entry.headers["authorization"] === undefined)).toBe(true)
      // Every attempt and the refresh call carry the app headers.
      expect([...data, ...refreshes].every((entry) => entry.headers["x-app-name"] === "notes")).toBe(true)
      expect(Redacted.value(Option.getOrThrow(yield* store.get).accessToken)).toBe(FRESH)

      // The logs tell the story attempt by attempt.
      const story = lines.filter((line) => line.message === "http").map((line) => [
        line.annotations["http.method"],
        line.annotations["http.status"],
        line.annotations["http.attempt"],
        line.annotations["http.role"] ?? "request"
      ])
      expect(story).toEqual([
        ["GET", 401, 1, "request"],
        ["POST", 503, 1, "refresh"],
        ["POST", 200, 2, "refresh"],
        ["GET", 503, 2, "replay"],
        ["GET", 200, 3, "replay"]
      ])
      const okAfter = (yield* Metric.value(Metrics.requestsFor({ method: "GET", statusClass: "2xx", outcome: "ok" }))).count
      expect(okAfter - okBefore).toBe(1)
    }))

  it.live("the total timeout bounds the whole call: attempts, backoff and the wait for a refresh", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/slow", Reply.delay("400 millis", Reply.status(503))],
          ["GET", "/me", Reply.status(401)],
          ["POST", "/auth/refresh", Reply.delay("10 seconds", Reply.json({ accessToken: FRESH }))]
        ]
      })
      const { client } = yield* clientWith(
        server,
        preset({ retry: { retries: 10, baseDelay: "300 millis", budget: false } }),
        TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)),
        { timeouts: { total: "1500 millis" } }
      )
      const started = Date.now()
      const slow = yield* Effect.flip(client.get("/slow"))
      const slowTook = Date.now() - started
      // Either the last 503 (the next wait would pass the deadline) or the deadline itself.
      expect(["BadResponse", "Timeout"]).toContain(slow._tag)
      expect(slowTook).toBeLessThan(3000)
      expect(yield* hits(server, "/slow")).toBeLessThan(5)

      const waiting = Date.now()
      const refreshWait = yield* Effect.flip(client.get("/me"))
      expect(refreshWait).toBeInstanceOf(CourierError.Timeout)
      expect((refreshWait as CourierError.Timeout).phase).toBe("total")
      expect(Date.now() - waiting).toBeLessThan(3000)
    }))

  it.live("a replay after retries below takes the next attempt number, not one already logged", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/seq", Reply.sequence([Reply.status(503), Reply.status(401), Reply.json({ ok: true })])],
          ["POST", "/auth/refresh", Reply.json({ accessToken: FRESH })]
        ]
      })
      const { client, seen } = yield* clientWith(server, preset(), TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH)))
      expect(yield* client.get("/seq")).toEqual({ ok: true })
      // GET 1 (503), GET 2 (401), the refresh POST (its own 1), the replay GET 3.
      expect(seen.attempts).toEqual([1, 2, 1, 3])
    }))

  it.live("layerWithoutAuth: the same stack with no token store", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.sequence([Reply.status(502), Reply.json({ ok: 1 })])]] })
      const { client } = yield* clientWith(server, Preset.layerWithoutAuth({ retry: { baseDelay: 0, budget: false } }))
      expect(yield* client.get("/x")).toEqual({ ok: 1 })
      expect(yield* hits(server, "/x")).toBe(2)
    }))
})
