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
})
