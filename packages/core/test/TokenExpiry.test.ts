import { describe, expect, it } from "vitest"
import * as TokenExpiry from "../src/TokenExpiry.js"

const jwt = (claims: unknown) =>
  `${Buffer.from("{\"alg\":\"none\"}").toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`

const token = (accessToken: string, expiresAt?: number, refreshable = true): TokenExpiry.Token => ({
  accessToken,
  expiresAt,
  refreshable
})

describe("TokenExpiry.jwtExpiry", () => {
  it("reads exp in milliseconds, and nothing from anything else", () => {
    expect(TokenExpiry.jwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000)
    expect(TokenExpiry.jwtExpiry(jwt({ exp: "soon" }))).toBeUndefined()
    expect(TokenExpiry.jwtExpiry(jwt(null))).toBeUndefined()
    expect(TokenExpiry.jwtExpiry("opaque-token")).toBeUndefined()
    expect(TokenExpiry.jwtExpiry("a..c")).toBeUndefined()
    expect(TokenExpiry.jwtExpiry("a.!!!.c")).toBeUndefined()
  })
})

describe("TokenExpiry.makeTracker", () => {
  it("is fresh far from expiry, ahead within the lead, expired after", () => {
    const tracker = TokenExpiry.makeTracker(60_000)
    tracker.seen(token("t", 1_000_000), 0)
    expect(tracker.state(token("t", 1_000_000), 900_000)).toBe("fresh")
    expect(tracker.state(token("t", 1_000_000), 940_000)).toBe("ahead")
    expect(tracker.state(token("t", 1_000_000), 1_000_000)).toBe("expired")
  })

  it("uses a JWT's exp when no expiry is stored, and never refreshes a token without a refresh token", () => {
    const tracker = TokenExpiry.makeTracker(60_000)
    const value = jwt({ exp: 1_000 })
    expect(tracker.state(token(value), 0)).toBe("fresh")
    expect(tracker.state(token(value), 999_000)).toBe("ahead")
    expect(tracker.state(token(value, undefined, false), 999_000)).toBe("fresh")
  })

  it("leads by at most half the life the token had when first seen", () => {
    const tracker = TokenExpiry.makeTracker(60_000)
    tracker.seen(token("short", 10_000), 0)
    expect(tracker.state(token("short", 10_000), 4_999)).toBe("fresh")
    expect(tracker.state(token("short", 10_000), 5_000)).toBe("ahead")
  })

  it("after a failed refresh ahead, waits half the time left (at least a second)", () => {
    const tracker = TokenExpiry.makeTracker(60_000)
    tracker.seen(token("t", 100_000), 0)
    expect(tracker.state(token("t", 100_000), 60_000)).toBe("ahead")
    tracker.failedAhead(60_000)
    expect(tracker.state(token("t", 100_000), 79_999)).toBe("fresh")
    expect(tracker.state(token("t", 100_000), 80_000)).toBe("ahead")
    tracker.failedAhead(99_500)
    expect(tracker.state(token("t", 100_000), 99_999)).toBe("fresh")
  })
})
