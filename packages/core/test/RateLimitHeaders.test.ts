import { describe, expect, it } from "vitest"
import * as RateLimitHeaders from "../src/RateLimitHeaders.js"

describe("RateLimitHeaders.exhaustedFor", () => {
  it("reads every draft's form, in milliseconds; leaves X-RateLimit-* alone", () => {
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit": "limit=10, remaining=0, reset=30" })).toBe(30_000)
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit": "limit=10, remaining=3, reset=30" })).toBeUndefined()
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit": "\"default\";r=0;t=7" })).toBe(7_000)
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit": "\"a\";r=0;t=7, \"b\";r=0;t=60" })).toBe(60_000)
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit-remaining": "0", "ratelimit-reset": "5" })).toBe(5_000)
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit-remaining": "0" })).toBeUndefined()
    expect(RateLimitHeaders.exhaustedFor({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000" })).toBeUndefined()
    expect(RateLimitHeaders.exhaustedFor({ "ratelimit": "remaining=0, reset=soon" })).toBeUndefined()
  })
})

describe("RateLimitHeaders.policyOf", () => {
  it("takes the most restrictive quota with a window, in both draft forms", () => {
    expect(RateLimitHeaders.policyOf({ "ratelimit-policy": "100;w=60" })).toEqual({ requests: 100, windowMillis: 60_000 })
    expect(RateLimitHeaders.policyOf({ "ratelimit-policy": "\"burst\";q=10;w=1, \"day\";q=1000;w=86400" }))
      .toEqual({ requests: 1000, windowMillis: 86_400_000 })
    expect(RateLimitHeaders.policyOf({ "ratelimit-policy": "\"a\";q=10;w=1, \"b\";q=5;w=1" })).toEqual({ requests: 5, windowMillis: 1000 })
    expect(RateLimitHeaders.policyOf({ "ratelimit-policy": "100, \"x\";q=0;w=5" })).toBeUndefined()
    expect(RateLimitHeaders.policyOf({})).toBeUndefined()
  })
})
