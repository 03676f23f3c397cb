import { Auth, Body, Preset, Retry, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { clientWith, hits } from "./layers.js"

// Redirect x retry x auth: where a duplicate write or a wasted refresh
// would hide. The journal says what reached the server.

const TOKEN = "access-combo-1f2e"
const REFRESH = "refresh-combo-3d4c"

const stack = () =>
  Preset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { retry: { baseDelay: 0, budget: false }, logging: false, tracing: false }
  )

describe("Redirect x retry x auth", () => {
  it.live("a POST answered 303 whose GET fails 503 is not sent again: the POST did its work", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/submit", Reply.redirect(303, "/result")], ["GET", "/result", Reply.status(503)]]
      })
      const { client } = yield* clientWith(server, Retry.layer({ baseDelay: 0, budget: false }))
      const error = yield* Effect.flip(client.post("/submit", { body: Body.json({ order: 1 }) }))
      expect(error._tag).toBe("BadResponse")
      expect(yield* hits(server, "/submit")).toBe(1)
      expect(yield* hits(server, "/result")).toBe(1)
    }))

  it.live("a GET redirected to a 503 is retried from its first hop", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/a", Reply.redirect(302, "/b")], ["GET", "/b", Reply.sequence([Reply.status(503), Reply.json({ b: 1 })])]]
      })
      const { client } = yield* clientWith(server, Retry.layer({ baseDelay: 0, budget: false }))
      expect(yield* client.get("/a")).toEqual({ b: 1 })
      expect(yield* hits(server, "/a")).toBe(2)
      expect(yield* hits(server, "/b")).toBe(2)
    }))

  it.live("a POST answered 303 whose GET meets a 401 is not replayed, and nothing is refreshed", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/submit", Reply.redirect(303, "/result")],
          ["GET", "/result", Reply.status(401)],
          ["POST", "/auth/refresh", Reply.json({ accessToken: "new-combo-5b6a" })]
        ]
      })
      const { client } = yield* clientWith(server, stack(), TokenStore.layerMemory(TokenStore.tokens(TOKEN, REFRESH)))
      const error = yield* Effect.flip(client.post("/submit", { body: Body.json({ order: 1 }) }))
      expect(error._tag).toBe("Unauthorized")
      expect(yield* hits(server, "/submit")).toBe(1)
      expect(yield* hits(server, "/auth/refresh")).toBe(0)
    }))

  it.live("a 401 from another origin after a redirect (no token sent there) is returned as is, without a refresh", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({ routes: [["GET", "/elsewhere", Reply.status(401)]] })
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/go", Reply.redirect(302, `${other.url}/elsewhere`)],
          ["POST", "/auth/refresh", Reply.json({ accessToken: "new-combo-5b6a" })]
        ]
      })
      const { client } = yield* clientWith(server, stack(), TokenStore.layerMemory(TokenStore.tokens(TOKEN, REFRESH)), {
        allowedOrigins: [other.origin]
      })
      const error = yield* Effect.flip(client.get("/go"))
      expect(error._tag).toBe("Unauthorized")
      expect(yield* hits(server, "/auth/refresh")).toBe(0)
      const [there] = yield* other.requests("/elsewhere")
      expect(there!.headers["authorization"]).toBeUndefined()
    }))
})
