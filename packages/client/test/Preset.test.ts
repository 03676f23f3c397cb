import { CourierClient, Logging, Preset, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { Auth } from "@courier/client"

// The preset's order, observed: what each Layer sees tells where it sits.

const capture = () => {
  const lines: Array<Record<string, unknown>> = []
  const logger = Logger.make<unknown, void>((options) => {
    const message = Array.isArray(options.message) ? options.message[0] : options.message
    if (message === Logging.message) lines.push(Object.fromEntries(HashMap.toEntries(options.annotations)))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const presetClient = (server: TestServer.Service) =>
  Effect.map(
    Layer.build(
      Preset.layer(
        { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
        { retry: { baseDelay: 0 }, appHeaders: { userAgent: "courier-test/1.0" } }
      ).pipe(
        Layer.provide(TestClient.layerFor(server, { baseUrl: `${server.url}/api` }, "node")),
        Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const onlyT2 = Reply.custom((request, response) => {
  request.resume()
  const ok = request.headers["authorization"] === "Bearer T2"
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(JSON.stringify({ ok }))
})

describe("the recommended preset", () => {
  it.scopedLive("logs each attempt of a retried call, with its attempt number", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/api/flaky", Reply.sequence([Reply.status(503), Reply.json({ ok: true })])]]
      })
      const client = yield* presetClient(server)
      yield* client.get("/flaky")
      expect(lines.map((l) => [l["http.status"], l["http.attempt"]])).toEqual([[503, 1], [200, 2]])
      // AppHeaders is below Retry: every attempt carries them.
      const entries = yield* server.requests("/api/flaky")
      expect(entries.map((e) => e.headers["user-agent"])).toEqual(["courier-test/1.0", "courier-test/1.0"])
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a 401 replay and the refresh call go through logging and app headers too", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/api/auth/refresh", Reply.json({ accessToken: "T2" })],
          ["GET", "/api/me", onlyT2]
        ]
      })
      const client = yield* presetClient(server)
      expect(yield* client.get("/me")).toEqual({ ok: true })
      const [refreshed] = yield* server.requests("/api/auth/refresh")
      expect(refreshed.headers["user-agent"]).toBe("courier-test/1.0")
      expect(refreshed.headers["authorization"]).toBeUndefined()
      // The 401, the refresh, and the replay: one line each. (A refresh is a
      // POST without an Idempotency-Key: a 503 there is not retried.)
      expect(lines.map((l) => `${String(l["http.method"])} ${String(l["http.url"]).replace(server.url, "")} ${String(l["http.status"])}`))
        .toEqual([
          "GET /api/me 401",
          "POST /api/auth/refresh 200",
          "GET /api/me 200"
        ])
    }).pipe(Effect.provide(layer))
  })
})
