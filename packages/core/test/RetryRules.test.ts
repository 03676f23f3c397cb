import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as RetryRules from "../src/RetryRules.js"

const context = (safe: boolean): RetryRules.Context => ({
  safe,
  statuses: RetryRules.defaultStatuses,
  timeoutPhases: ["connect", "receive"]
})

const network = (reason: string, nothingSent = false, code?: string): RetryRules.Failure => ({
  kind: "Network",
  reason,
  code,
  nothingSent
})

describe("RetryRules", () => {
  it("idempotent methods, or any method with an Idempotency-Key", () => {
    expect(RetryRules.isIdempotent("GET", {})).toBe(true)
    expect(RetryRules.isIdempotent("PUT", {})).toBe(true)
    expect(RetryRules.isIdempotent("POST", {})).toBe(false)
    expect(RetryRules.isIdempotent("PATCH", { "idempotency-key": "k" })).toBe(true)
  })

  it("statuses only for a safe call", () => {
    expect(RetryRules.isTransient({ kind: "Status", status: 503 }, context(true))).toBe(true)
    expect(RetryRules.isTransient({ kind: "Status", status: 503 }, context(false))).toBe(false)
    expect(RetryRules.isTransient({ kind: "Status", status: 404 }, context(true))).toBe(false)
  })

  it("network failures: nothing sent is safe for any call; a reset only for a safe one; DNS only when temporary", () => {
    expect(RetryRules.isTransient(network("ConnectionRefused", true), context(false))).toBe(true)
    expect(RetryRules.isTransient(network("ConnectionReset"), context(false))).toBe(false)
    expect(RetryRules.isTransient(network("ConnectionReset"), context(true))).toBe(true)
    expect(RetryRules.isTransient(network("DnsLookup", true, "ENOTFOUND"), context(true))).toBe(false)
    expect(RetryRules.isTransient(network("DnsLookup", true, "EAI_AGAIN"), context(false))).toBe(true)
    expect(RetryRules.isTransient(network("Tls"), context(true))).toBe(false)
  })

  it("timeouts: the policy's phases; connect on the first hop for any call", () => {
    const timeout = (phase: string, afterRedirect = false): RetryRules.Failure => ({ kind: "Timeout", phase, afterRedirect })
    expect(RetryRules.isTransient(timeout("connect"), context(false))).toBe(true)
    expect(RetryRules.isTransient(timeout("connect", true), context(false))).toBe(false)
    expect(RetryRules.isTransient(timeout("receive"), context(false))).toBe(false)
    expect(RetryRules.isTransient(timeout("receive"), context(true))).toBe(true)
    expect(RetryRules.isTransient(timeout("total"), context(true))).toBe(false)
  })

  it("full jitter: the window doubles with each retry up to the cap, and the delay is drawn inside it", () => {
    expect(RetryRules.fullJitter(100, 10_000, 0, 0.5)).toBe(50)
    expect(RetryRules.fullJitter(100, 10_000, 3, 0.5)).toBe(400)
    expect(RetryRules.fullJitter(100, 1_000, 10, 0.5)).toBe(500)
    expect(RetryRules.fullJitter(100, 1_000, 10, 0)).toBe(0)
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, max, retry, random) => {
          const delay = RetryRules.fullJitter(base, max, retry, random)
          expect(Number.isInteger(delay)).toBe(true)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThanOrEqual(Math.min(max, base * 2 ** retry))
        }
      )
    )
  })
})
