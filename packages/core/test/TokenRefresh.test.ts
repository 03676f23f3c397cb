import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TokenRefresh from "../src/TokenRefresh.js"

describe("TokenRefresh", () => {
  it("400, 401 and 403 reject the refresh, unless the 400 says the endpoint is unavailable", () => {
    expect(TokenRefresh.rejectsRefresh(400, "invalid_grant")).toBe(true)
    expect(TokenRefresh.rejectsRefresh(401, undefined)).toBe(true)
    expect(TokenRefresh.rejectsRefresh(403, undefined)).toBe(true)
    expect(TokenRefresh.rejectsRefresh(400, "temporarily_unavailable")).toBe(false)
    expect(TokenRefresh.rejectsRefresh(400, "server_error")).toBe(false)
    expect(TokenRefresh.rejectsRefresh(503, undefined)).toBe(false)
    expect(TokenRefresh.oauth2ErrorCode({ error: "invalid_grant" })).toBe("invalid_grant")
    expect(TokenRefresh.oauth2ErrorCode("nope")).toBeUndefined()
  })

  it("the refresh POST is sent again only after 408, 429 and 503", () => {
    expect([408, 429, 503, 500, 502, 504, 400].map(TokenRefresh.retriesRefresh)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false
    ])
  })

  it("client credentials, expires_in and the token type", () => {
    expect(TokenRefresh.basicCredentials("notes cli", "s3cret:x")).toBe(`Basic ${btoa("notes+cli:s3cret%3Ax")}`)
    expect(TokenRefresh.expiresInMillis(3600)).toBe(3_600_000)
    expect(TokenRefresh.expiresInMillis("60")).toBe(60_000)
    expect(TokenRefresh.expiresInMillis("soon")).toBeUndefined()
    expect(TokenRefresh.expiresInMillis(-1)).toBeUndefined()
    expect(TokenRefresh.isBearerType("bearer")).toBe(true)
    expect(TokenRefresh.isBearerType(undefined)).toBe(true)
    expect(TokenRefresh.isBearerType("DPoP")).toBe(false)
  })

  it("the refresh form: token, scope, and the client's credentials in a Basic header by default", () => {
    expect(TokenRefresh.refreshForm({}, "r1")).toEqual({
      fields: { grant_type: "refresh_token", refresh_token: "r1" },
      headers: { accept: "application/json" }
    })
    expect(TokenRefresh.refreshForm({ clientId: "app", clientSecret: "s", scope: "read write" }, "r1")).toEqual({
      fields: { grant_type: "refresh_token", refresh_token: "r1", scope: "read write" },
      headers: { accept: "application/json", authorization: `Basic ${btoa("app:s")}` }
    })
    expect(TokenRefresh.refreshForm({ clientId: "app", clientSecret: "s", clientAuth: "body" }, "r1")).toEqual({
      fields: { grant_type: "refresh_token", refresh_token: "r1", client_id: "app", client_secret: "s" },
      headers: { accept: "application/json" }
    })
    // A secret without a client id has no one to belong to: nothing is sent.
    expect(TokenRefresh.refreshForm({ clientSecret: "s", clientAuth: "body" }, "r1").fields).not.toHaveProperty(
      "client_secret"
    )
  })

  it("the client's secret goes to exactly one place, the one clientAuth names", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.constantFrom("basic" as const, "body" as const, undefined),
        fc.string(),
        (clientId, clientSecret, clientAuth, token) => {
          const { fields, headers } = TokenRefresh.refreshForm({ clientId, clientSecret, clientAuth }, token)
          expect(fields["refresh_token"]).toBe(token)
          if (clientAuth === "body") {
            expect(headers["authorization"]).toBeUndefined()
            expect(fields["client_id"]).toBe(clientId)
            expect(fields["client_secret"]).toBe(clientSecret)
          } else {
            expect(headers["authorization"]).toBe(TokenRefresh.basicCredentials(clientId, clientSecret))
            expect(fields).not.toHaveProperty("client_id")
            expect(fields).not.toHaveProperty("client_secret")
          }
        }
      )
    )
  })

  it("the token endpoint's origin, or undefined for a URL that does not parse", () => {
    expect(TokenRefresh.tokenUrlOrigin("https://auth.example.com:8443/oauth/token?x=1")).toBe(
      "https://auth.example.com:8443"
    )
    expect(TokenRefresh.tokenUrlOrigin("/oauth/token")).toBeUndefined()
  })

  it("a failure of the refresh call ends the session only when the endpoint said no", () => {
    expect(TokenRefresh.callFailureEndsSession({ _tag: "Unauthorized", status: 401 })).toBe(true)
    expect(TokenRefresh.callFailureEndsSession({ _tag: "BadResponse", status: 400, errorBody: { error: "invalid_grant" } }))
      .toBe(true)
    expect(TokenRefresh.callFailureEndsSession({ _tag: "BadResponse", status: 403 })).toBe(true)
    expect(
      TokenRefresh.callFailureEndsSession({
        _tag: "BadResponse",
        status: 400,
        errorBody: { error: "temporarily_unavailable" }
      })
    ).toBe(false)
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(TokenRefresh.callFailureEndsSession({ _tag: "BadResponse", status })).toBe(false)
    }
    for (const _tag of ["Timeout", "Network", "Parse", "RequestRefused", "LimitExceeded"]) {
      expect(TokenRefresh.callFailureEndsSession({ _tag, status: 400 })).toBe(false)
    }
  })
})

describe("isSendableAccessToken", () => {
  it("refuses an empty or blank token and one that is not a header value; accepts an ordinary one", () => {
    expect(TokenRefresh.isSendableAccessToken("Bearer", "eyJhbGciOi.x.y")).toBe(true)
    expect(TokenRefresh.isSendableAccessToken("Bearer", "")).toBe(false)
    expect(TokenRefresh.isSendableAccessToken("Bearer", "   ")).toBe(false)
    expect(TokenRefresh.isSendableAccessToken("Bearer", "T2\r\nX-Injected: 1")).toBe(false)
    expect(TokenRefresh.isSendableAccessToken("Bearer", "T2\u0000")).toBe(false)
  })
})
