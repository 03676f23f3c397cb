import { Auth, CourierClient, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Path from "node:path"
import { scratchDir, waitUntil } from "./support.js"

// Auth.refreshOAuth2 against a real token endpoint on another port (another
// origin) than the API, as an identity provider usually is.

/** The API: 200 to "Bearer T2", 401 to anything else. */
const api = Reply.custom((request, response) => {
  request.resume()
  const ok = request.headers["authorization"] === "Bearer T2"
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(JSON.stringify({ ok }))
})

/** A token endpoint answering `answer` (status and JSON) to any form it gets. */
const tokenEndpoint = (status: number, answer: unknown) =>
  TestServer.make({ routes: [["POST", "/oauth2/token", Reply.json(answer, { status })]] })

const setup = (options: Omit<Auth.OAuth2Options, "tokenUrl">, token: TestServer.Service) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({ routes: [["*", "/api/*", api]] })
    const expired = yield* Ref.make(0)
    const context = yield* Layer.build(
      Auth.layer({
        refresh: Auth.refreshOAuth2({ tokenUrl: `${token.url}/oauth2/token`, ...options }),
        onSessionExpired: () => Ref.update(expired, (n) => n + 1)
      }).pipe(
        Layer.provide(TestClient.layerFor(server, {}, "node")),
        Layer.provideMerge(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      )
    ).pipe(Effect.orDie)
    return {
      server,
      expired,
      client: Context.get(context, CourierClient.CourierClient),
      store: Context.get(context, TokenStore.TokenStore)
    }
  })

const form = (text: string) => Object.fromEntries(new URLSearchParams(text))

describe("Auth.refreshOAuth2", () => {
  it.scopedLive("basic client auth: a form-encoded refresh_token grant to another origin, rotated token and expiry stored", () =>
    Effect.gen(function*() {
      const token = yield* tokenEndpoint(200, {
        access_token: "T2",
        token_type: "Bearer",
        refresh_token: "R2",
        expires_in: 3600
      })
      const { client, server, store } = yield* setup({
        clientId: "my app",
        clientSecret: Redacted.make("p@ss:word"),
        clientAuth: "basic",
        scope: "read write"
      }, token)
      expect(token.origin).not.toBe(server.origin)
      const before = Date.now()
      expect(yield* client.get("/api/me")).toEqual({ ok: true })
      const [sent] = yield* token.requests("/oauth2/token")
      expect(sent.method).toBe("POST")
      expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      // RFC 6749 2.3.1: id and secret form-encoded, then Basic.
      expect(sent.headers["authorization"]).toBe(`Basic ${btoa("my+app:p%40ss%3Aword")}`)
      expect(form(sent.bodyText)).toEqual({ grant_type: "refresh_token", refresh_token: "R1", scope: "read write" })
      const stored = Option.getOrThrow(yield* store.get)
      expect(Redacted.value(stored.accessToken)).toBe("T2")
      expect(stored.refreshToken && Redacted.value(stored.refreshToken)).toBe("R2")
      expect(stored.expiresAt).toBeGreaterThanOrEqual(before + 3_600_000)
      expect(stored.expiresAt).toBeLessThan(Date.now() + 3_600_000 + 1)
      expect((yield* server.requests("/api/me")).map((e) => e.headers["authorization"])).toEqual(["Bearer T1", "Bearer T2"])
      // Only the refresh call may reach the token origin: the client's allowedOrigins stay closed.
      const refused = yield* Effect.flip(client.get(`${token.url}/oauth2/token`))
      expect(refused).toMatchObject({ _tag: "RequestRefused", reason: "EscapesBaseUrl" })
      expect(yield* token.requests("/oauth2/token")).toHaveLength(1)
    }))

  it.scopedLive("body client auth: client_id and client_secret as fields; no refresh_token in the answer keeps the old one", () =>
    Effect.gen(function*() {
      const token = yield* tokenEndpoint(200, { access_token: "T2", token_type: "Bearer" })
      const { client, store } = yield* setup({
        clientId: "cli",
        clientSecret: Redacted.make("shh"),
        clientAuth: "body"
      }, token)
      expect(yield* client.get("/api/me")).toEqual({ ok: true })
      const [sent] = yield* token.requests("/oauth2/token")
      expect(sent.headers["authorization"]).toBeUndefined()
      expect(form(sent.bodyText)).toEqual({
        grant_type: "refresh_token",
        refresh_token: "R1",
        client_id: "cli",
        client_secret: "shh"
      })
      const stored = Option.getOrThrow(yield* store.get)
      expect(stored.refreshToken && Redacted.value(stored.refreshToken)).toBe("R1")
      expect(stored.expiresAt).toBeUndefined()
    }))

  it.scopedLive("400 invalid_grant ends the session", () =>
    Effect.gen(function*() {
      const token = yield* tokenEndpoint(400, { error: "invalid_grant" })
      const { client, expired, store } = yield* setup({ clientId: "cli" }, token)
      const error = yield* Effect.flip(client.get("/api/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "SessionExpired" })
      expect(Option.isNone(yield* store.get)).toBe(true)
      yield* waitUntil(Effect.map(Ref.get(expired), (n) => n === 1), "onSessionExpired ran once")
    }))
})

describe("TokenStore and expiresAt", () => {
  it.scoped("the file store keeps expiresAt across stores", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* scratchDir, "tokens.json")
      const open = Effect.map(
        Layer.build(TokenStore.layerFile({ path, key: "api" }).pipe(Layer.provide(NodeFileSystem.layer))),
        (context) => Context.get(context, TokenStore.TokenStore)
      )
      const writer = yield* open
      yield* writer.set({ ...TokenStore.tokens("T2", "R2"), expiresAt: 1_900_000_000_000 })
      const reader = yield* open
      expect(Option.getOrThrow(yield* reader.get).expiresAt).toBe(1_900_000_000_000)
    }))
})
