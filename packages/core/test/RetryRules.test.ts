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
})
