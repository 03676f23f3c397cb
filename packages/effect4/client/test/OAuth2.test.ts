import { Auth, CourierError, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { clientWith, hits } from "./layers.js"

// refreshOAuth2 against a token endpoint on its own origin (a second server).

const STALE = "stale-oauth-aa11"
const FRESH = "fresh-oauth-bb22"
const REFRESH = "refresh-oauth-cc33"

const api = Reply.custom((request, response) => {
  const ok = request.headers.authorization === `Bearer ${FRESH}`
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(ok ? `{"ok":true}` : `{}`)
})

describe("Auth.refreshOAuth2", () => {
  it.live("posts the form with Basic client credentials to the token endpoint's origin, reads expires_in", () =>
    Effect.gen(function*() {
      const login = yield* TestServer.make({
        routes: [["POST", "/oauth2/token", Reply.json({ access_token: FRESH, token_type: "bearer", expires_in: "3600" })]]
      })
      const server = yield* TestServer.make({ routes: [["GET", "/me", api]] })
      const store = yield* TokenStore.makeMemory(TokenStore.tokens(STALE, REFRESH))
      const { client } = yield* clientWith(
        server,
        Auth.layer({
          refresh: Auth.refreshOAuth2({
            tokenUrl: `${login.url}/oauth2/token`,
            clientId: "notes cli",
            clientSecret: Redacted.make("s3cret:x"),
            scope: "read"
          })
        }),
        Layer.succeed(TokenStore.TokenStore, store),
        { headers: { "x-api-key": "api-key-dd44" }, credentialHeaders: ["x-api-key"] }
      )
      const before = Date.now()
      expect(yield* client.get("/me")).toEqual({ ok: true })
      const [token] = yield* login.requests("/oauth2/token")
      expect(Object.fromEntries(new URLSearchParams(token!.bodyText))).toEqual({
        grant_type: "refresh_token",
        refresh_token: REFRESH,
        scope: "read"
      })
      expect(token!.headers["content-type"]).toContain("application/x-www-form-urlencoded")
      expect(token!.headers["authorization"]).toBe(`Basic ${btoa("notes+cli:s3cret%3Ax")}`)
      // The API's credentials stay with the API.
      expect(token!.headers["x-api-key"]).toBeUndefined()
      const stored = Option.getOrThrow(yield* store.get)
      expect(Redacted.value(stored.refreshToken!)).toBe(REFRESH)
      expect(stored.expiresAt! - before).toBeGreaterThanOrEqual(3_599_000)
      // Only the refresh call may reach the token endpoint's origin.
      const refused = yield* Effect.flip(client.get(`${login.url}/oauth2/token`))
      expect(refused).toBeInstanceOf(CourierError.RequestRefused)
      expect(yield* hits(login, "/oauth2/token")).toBe(1)
    }))

  it.live("invalid_grant ends the session; temporarily_unavailable and a redirect keep it", () =>
    Effect.gen(function*() {
      const login = yield* TestServer.make({
        routes: [
          ["POST", "/rejects", Reply.json({ error: "invalid_grant" }, { status: 400 })],
          ["POST", "/busy", Reply.json({ error: "temporarily_unavailable" }, { status: 400 })],
          ["POST", "/moved", Reply.redirect(307, "/elsewhere")]
        ]
      })
      const server = yield* TestServer.make({ routes: [["GET", "/me", api]] })
      const reasonFor = (path: string) =>
        Effect.gen(function*() {
          const { client } = yield* clientWith(
            server,
            Auth.layer({ refresh: Auth.refreshOAuth2({ tokenUrl: `${login.url}${path}` }) }),
            TokenStore.layerMemory(TokenStore.tokens(STALE, REFRESH))
          )
          const error = yield* Effect.flip(client.get("/me"))
          return (error as CourierError.Unauthorized).reason
        })
      expect(yield* reasonFor("/rejects")).toBe("SessionExpired")
      expect(yield* reasonFor("/busy")).toBe("RefreshUnavailable")
      expect(yield* reasonFor("/moved")).toBe("RefreshUnavailable")
      expect(yield* hits(login, "/elsewhere")).toBe(0)
    }))
})
