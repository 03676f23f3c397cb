import { CourierClient, CourierConfig, CourierError, Retry, Transport } from "@courier/client-effect4"
import type { CourierRequest } from "@courier/client-effect4"
import { describe, expect, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/testing/TestClock"

// The retry decision and its schedule alone, on prepared requests: what is
// retried, how long each wait is (TestClock), and where the deadline, the
// Retry-After cap and the budget stop it. What reaches the wire is in
// Retry.test.ts.

// Requests are only prepared here, never sent.
const NoTransport = Layer.succeed(Transport.Transport, { send: () => Effect.die("nothing is sent in these tests") })

const prepare = (method: string, options: CourierClient.RequestOptions = {}, total?: Duration.Input) =>
  Effect.flatMap(
    CourierClient.make.pipe(
      Effect.provide(NoTransport),
      Effect.provide(CourierConfig.layer({
        baseUrl: "http://127.0.0.1:9/",
        ...(total === undefined ? {} : { timeouts: { total } })
      }))
    ),
    (client) => client.prepare(method, "/thing", options)
  ).pipe(Effect.orDie)

const status = (request: CourierRequest.CourierRequest, code: number, headers: Record<string, string> = {}) =>
  new CourierError.BadResponse({ request: request.info, status: code, headers, bodyExcerpt: "", errorBody: Option.none() })

const network = (request: CourierRequest.CourierRequest, reason: CourierError.NetworkReason) =>
  new CourierError.Network({ request: request.info, reason, code: undefined, cause: undefined })

const policy = (overrides: Partial<Retry.Policy> = {}): Retry.Policy => ({ ...Retry.defaultPolicy, ...overrides })

/** Runs the schedule over a call that always fails with `error`: attempts made, and whether it ended. */
const drive = (schedule: ReturnType<typeof Retry.schedule>, error: CourierError.CourierError) =>
  Effect.gen(function*() {
    let attempts = 0
    const fiber = yield* Effect.forkChild(
      Effect.retry(Effect.suspend(() => {
        attempts += 1
        return Effect.fail(error)
      }), schedule).pipe(Effect.exit)
    )
    yield* Effect.yieldNow
    return { fiber, attempts: () => attempts }
  })

describe("Retry policy", () => {
  it.effect("idempotent methods and Idempotency-Key retry a 503; a bare POST does not", () =>
    Effect.gen(function*() {
      const get = yield* prepare("GET")
      const post = yield* prepare("POST")
      const keyed = yield* prepare("POST", { headers: Retry.idempotencyKey() })
      expect(Retry.isRetryable(policy(), get, status(get, 503))).toBe(true)
      expect(Retry.isRetryable(policy(), post, status(post, 503))).toBe(false)
      expect(Retry.isRetryable(policy(), keyed, status(keyed, 503))).toBe(true)
      // Not transient: never retried.
      expect(Retry.isRetryable(policy(), get, status(get, 404))).toBe(false)
      // Nothing was sent: safe for any method.
      expect(Retry.isRetryable(policy(), post, network(post, "ConnectionRefused"))).toBe(true)
      // The request may have reached the server.
      expect(Retry.isRetryable(policy(), post, network(post, "ConnectionReset"))).toBe(false)
      expect(Retry.isRetryable(policy(), get, network(get, "ConnectionReset"))).toBe(true)
    }))

  it.effect("Retry-After is waited for on the Clock, and one past maxRetryAfter ends the retries at once", () =>
    Effect.gen(function*() {
      const get = yield* prepare("GET")
      const asked = yield* drive(Retry.schedule(policy({ budget: false }), get, undefined), status(get, 429, { "retry-after": "5" }))
      expect(asked.attempts()).toBe(1)
      yield* TestClock.adjust("4999 millis")
      expect(asked.attempts()).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(asked.attempts()).toBe(2)
      yield* TestClock.adjust("5 seconds")
      expect(asked.attempts()).toBe(3)
      const exit = yield* Fiber.join(asked.fiber)
      expect(exit._tag).toBe("Failure")

      const tooLong = yield* drive(
        Retry.schedule(policy({ budget: false, maxRetryAfter: "10 seconds" }), get, undefined),
        status(get, 503, { "retry-after": "60" })
      )
      // Settles without the clock moving.
      const ended = yield* Fiber.join(tooLong.fiber)
      expect(ended._tag).toBe("Failure")
      expect(tooLong.attempts()).toBe(1)
    }))

  it.effect("a wait that would end past the call's deadline is not started", () =>
    Effect.gen(function*() {
      const get = yield* prepare("GET", {}, "3 seconds")
      const run = yield* drive(
        Retry.schedule(policy({ budget: false }), get, undefined),
        status(get, 503, { "retry-after": "2" })
      )
      yield* TestClock.adjust("2 seconds")
      // The second wait would end at 4 s, past the 3 s deadline.
      const exit = yield* Fiber.join(run.fiber)
      expect(exit._tag).toBe("Failure")
      expect(run.attempts()).toBe(2)
    }))

  it.effect("the budget bounds retries across calls", () =>
    Effect.gen(function*() {
      const get = yield* prepare("GET")
      const budget = Retry.makeBudget({ ratio: 0, window: "10 seconds", minPerSecond: 0.1 })
      const noWait = policy({ baseDelay: 0, budget: false })
      const first = yield* drive(Retry.schedule(noWait, get, budget), status(get, 503))
      yield* Fiber.join(first.fiber)
      const second = yield* drive(Retry.schedule(noWait, get, budget), status(get, 503))
      yield* Fiber.join(second.fiber)
      // A floor of one retry per window: the first call spends it.
      expect([first.attempts(), second.attempts()]).toEqual([2, 1])
    }))

  it.effect("backoff: full jitter under baseDelay * 2^n, capped, `retries` times", () =>
    Effect.gen(function*() {
      let runs = 0
      // The draw just under 1: each delay is just under its ceiling.
      const high: Random.Random = { nextDoubleUnsafe: () => 0.9999, nextIntUnsafe: () => 0 }
      const fiber = yield* Effect.forkChild(
        Effect.repeat(Effect.sync(() => runs++), Retry.backoff({ retries: 3, baseDelay: "1 second", maxDelay: "3 seconds" }))
          .pipe(Effect.provideService(Random.Random, high))
      )
      yield* Effect.yieldNow
      expect(runs).toBe(1)
      // Waits of 999, 1999 and 2999 (capped from 4000) milliseconds: runs at 999, 2998 and 5997.
      yield* TestClock.adjust("998 millis")
      expect(runs).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(runs).toBe(2)
      yield* TestClock.adjust("1998 millis")
      expect(runs).toBe(2)
      yield* TestClock.adjust("1 millis")
      expect(runs).toBe(3)
      yield* TestClock.adjust("2998 millis")
      expect(runs).toBe(3)
      yield* TestClock.adjust("1 millis")
      expect(runs).toBe(4)
      yield* Fiber.join(fiber)
    }))
})
