import { describe, expect, it } from "vitest"
import * as RetryBudget from "../src/RetryBudget.js"

describe("RetryBudget", () => {
  it("allows the ratio of the requests in the window plus the floor", () => {
    const budget = RetryBudget.make({ ratio: 0.5, windowMillis: 10_000, minPerSecond: 0.1 })
    // Floor: 0.1 per second over 10 s = 1 retry with no request at all.
    expect(budget.tryRetry(0)).toBe(true)
    expect(budget.tryRetry(0)).toBe(false)
    for (let i = 0; i < 4; i++) budget.recordRequest(0)
    // 1 + 0.5 * 4 = 3 retries in all, one spent.
    expect(budget.tryRetry(0)).toBe(true)
    expect(budget.tryRetry(0)).toBe(true)
    expect(budget.tryRetry(0)).toBe(false)
  })

  it("forgets what left the window", () => {
    const budget = RetryBudget.make({ ratio: 0, windowMillis: 1_000, minPerSecond: 1 })
    expect(budget.tryRetry(0)).toBe(true)
    expect(budget.tryRetry(500)).toBe(false)
    expect(budget.tryRetry(1_100)).toBe(true)
  })
})
