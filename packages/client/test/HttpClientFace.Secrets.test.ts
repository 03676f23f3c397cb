import { HttpClientFace } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { closedPort } from "./support.js"

// The platform's error message ends with "(METHOD URL)" from the request it
// carries: the face must hand it a request whose URL shows no secret.

describe("HttpClientFace: secrets in the platform error's message", () => {
  it.scopedLive("query values and user info are redacted in RequestError's message", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const base = `http://127.0.0.1:${port}`
      const face = yield* Effect.map(
        Layer.build(HttpClientFace.layer.pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: base })))),
        (context) => Context.get(context, HttpClient.HttpClient)
      ).pipe(Effect.orDie)
      const refused = yield* Effect.flip(face.get(`${base}/x?api_key=SECRET-1`, { urlParams: { token: "SECRET-2" } }))
      const userInfo = yield* Effect.flip(face.get(`http://user:SECRET-3@127.0.0.1:${port}/x`))
      expect(refused.reason).toBe("Transport")
      expect(userInfo.reason).toBe("InvalidUrl")
      for (const error of [refused, userInfo]) {
        for (const text of [error.message, String(error)]) expect(text).not.toMatch(/SECRET-/)
      }
      expect(refused.message).toContain("api_key=<redacted>")
    }))

  it.scoped("a status response: the ResponseError the platform raises about it shows no query secret", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/missing", Reply.json({ error: "no" }, { status: 404 })]] })
      const face = yield* Effect.map(
        Layer.build(HttpClientFace.layer.pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: server.url })))),
        (context) => Context.get(context, HttpClient.HttpClient)
      ).pipe(Effect.orDie)
      const error = yield* Effect.flip(HttpClient.filterStatusOk(face).get(`${server.url}/missing?api_key=SECRET-4`))
      expect(error._tag).toBe("ResponseError")
      for (const text of [error.message, String(error)]) expect(text).not.toMatch(/SECRET-/)
      // The request did carry it.
      expect((yield* server.requests("/missing"))[0]?.path).toContain("SECRET-4")
    }))
})
