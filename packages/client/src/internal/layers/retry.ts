import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Metric from "effect/Metric"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as ConfigError from "effect/ConfigError"
import * as RetryAfter from "@courier/core/RetryAfter"
import * as RetryBudget from "@courier/core/RetryBudget"
import * as RetryRules from "@courier/core/RetryRules"
import * as Client from "../core/client.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Retry from "../../Retry.js"
import { durationProblem } from "../core/config.js"
import { lastAttempt } from "../core/callRole.js"
import * as Deadline from "../core/deadline.js"
import * as Metrics from "./metrics.js"
import * as Resend from "../core/resend.js"

/** @internal */
export const defaultPolicy: Retry.Policy = {
  retries: 2,
  baseDelay: Duration.millis(200),
  maxDelay: Duration.seconds(5),
  maxRetryAfter: Duration.seconds(30),
  statuses: [408, 429, 500, 502, 503, 504],
  timeoutPhases: ["connect", "receive"],
  budget: { ratio: 0.1, window: Duration.seconds(10), minPerSecond: 1 }
}

/** @internal */
export const currentOverride = globalValue(
  Symbol.for("@courier/client/Retry/currentOverride"),
  () => FiberRef.unsafeMake<Partial<Retry.Policy> | undefined>(undefined)
)

/** @internal */
export const withPolicy = dual<
  (policy: Partial<Retry.Policy>) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Partial<Retry.Policy>) => Effect.Effect<A, E, R>
>(2, (effect, policy) => Effect.locally(effect, currentOverride, policy))

/** @internal */
export const disabled = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  withPolicy(effect, { retries: 0 })

/**
 * The problem with a policy's durations, naming the field, or undefined.
 * `Duration.decode` throws on what it cannot read: checked up front so a bad
 * value is a typed failure, not a defect on the first retry.
 *
 * @internal
 */
export const policyProblem = (policy: Partial<Retry.Policy>): string | undefined =>
  durationProblem("baseDelay", policy.baseDelay) ??
    durationProblem("maxDelay", policy.maxDelay) ??
    durationProblem("maxRetryAfter", policy.maxRetryAfter) ??
    (policy.budget === undefined || policy.budget === false
      ? undefined
      : durationProblem("budget.window", policy.budget.window))

/** What the shared rules read of a failure. */
const asFailure = (error: CourierError.CourierError): RetryRules.Failure => {
  switch (error._tag) {
    case "Network":
      return { kind: "Network", reason: error.reason, code: error.code, nothingSent: error.nothingSent }
    case "Timeout":
      return { kind: "Timeout", phase: error.phase, afterRedirect: Resend.afterRedirect(error) }
    case "BadResponse":
      return { kind: "Status", status: error.status }
    default:
      return { kind: "Other" }
  }
}

const defaultDecision = (policy: Retry.Policy, request: CourierRequest.CourierRequest, error: CourierError.CourierError) => {
  if (request.body._tag === "Stream" && !request.body.replayable) return false
  // `request` is the call's first hop; the failure may come from a later one
  // (after a redirect), and then the first hop was sent whatever this says.
  return RetryRules.isTransient(asFailure(error), {
    safe: Resend.isIdempotent(request),
    statuses: policy.statuses,
    timeoutPhases: policy.timeoutPhases
  })
}

/** @internal */
export const isRetryable = (
  policy: Retry.Policy,
  request: CourierRequest.CourierRequest,
  error: CourierError.CourierError
): boolean => {
  const byDefault = defaultDecision(policy, request, error)
  return policy.shouldRetry === undefined ? byDefault : policy.shouldRetry(request, error, byDefault)
}

/** @internal */
export const retryAfter = (headers: Readonly<Record<string, string>>, now: number): Option.Option<Duration.Duration> =>
  Option.map(Option.fromNullable(RetryAfter.fromHeaders(headers, now)), Duration.millis)

const jittered = (policy: Retry.Policy, retry: number): Effect.Effect<number> => {
  const base = Duration.toMillis(Duration.decode(policy.baseDelay))
  const cap = Duration.toMillis(Duration.decode(policy.maxDelay))
  return Effect.map(Random.next, (r) => RetryRules.fullJitter(base, cap, retry, r))
}

/** @internal */
export const backoff = (overrides: Partial<Retry.Policy> = {}): Schedule.Schedule<number> => {
  const policy = { ...defaultPolicy, ...overrides }
  return Schedule.makeWithState(0, (now, _: unknown, retry: number) =>
    retry >= policy.retries
      ? Effect.succeed([retry, retry, ScheduleDecision.done] as const)
      : Effect.map(jittered(policy, retry), (delay) =>
        [retry + 1, retry, ScheduleDecision.continueWith(ScheduleInterval.after(now + delay))] as const))
}

/**
 * The budget tracker of `@courier/core`, its window read from the policy's
 * duration. Time comes from the Clock through the schedule's `now`, so
 * TestClock drives it.
 *
 * @internal
 */
export const makeBudget = (budget: Retry.Budget): Retry.BudgetTracker =>
  RetryBudget.make({
    ratio: budget.ratio,
    windowMillis: Duration.toMillis(Duration.decode(budget.window)),
    minPerSecond: budget.minPerSecond
  })

/** @internal */
export const schedule = (
  policy: Retry.Policy,
  request: CourierRequest.CourierRequest,
  budget: Retry.BudgetTracker | undefined
): Schedule.Schedule<number, CourierError.CourierError> => {
  const maxRetryAfter = Duration.toMillis(Duration.decode(policy.maxRetryAfter))
  const done = (retry: number) => Effect.succeed([retry, retry, ScheduleDecision.done] as const)
  return Schedule.makeWithState(0, (now, error: CourierError.CourierError, retry: number) => {
    if (retry >= policy.retries || !isRetryable(policy, request, error)) return done(retry)
    const asked = error._tag === "BadResponse" ? retryAfter(error.headers, now) : Option.none()
    const wait = Option.isSome(asked) ? Effect.succeed(Duration.toMillis(asked.value)) : jittered(policy, retry)
    return Effect.flatMap(wait, (delay) => {
      if (Option.isSome(asked) && delay > maxRetryAfter) return done(retry)
      if (!Deadline.allows(request, now, delay)) return done(retry)
      if (budget !== undefined && !budget.tryRetry(now)) return done(retry)
      return Effect.succeed(
        [retry + 1, retry + 1, ScheduleDecision.continueWith(ScheduleInterval.after(now + delay))] as const
      )
    })
  })
}

/** @internal */
export const layer = (overrides: Partial<Retry.Policy> = {}) =>
  Client.layerDecorate((execute) => {
    const problem = policyProblem(overrides)
    if (problem !== undefined) return Effect.fail(ConfigError.InvalidData(["retry"], problem))
    return Effect.sync(() => {
      const base: Retry.Policy = { ...defaultPolicy, ...overrides }
      const budget = base.budget === false ? undefined : makeBudget(base.budget)
      return (request) =>
        Effect.withFiberRuntime((fiber) => {
          const override = fiber.getFiberRef(currentOverride)
          if (override !== undefined) {
            const problem = policyProblem(override)
            if (problem !== undefined) {
              return Effect.fail(new CourierError.RequestRefused({ request: request.info, reason: "InvalidOption", detail: `retry policy: ${problem}` }))
            }
          }
          const policy = override === undefined ? base : { ...base, ...override }
          if (policy.retries <= 0) return execute(request)
          budget?.recordRequest(Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis())
          // Most calls succeed first time: they pay for one catchAll. The
          // schedule (and its driver) is built only once the first attempt
          // failed, and is fed that failure before anything is sent again.
          return Effect.catchAll(execute(request), (error) => {
            let attempt = request.attempt
            let replayed = false
            const again = Effect.suspend(() => {
              if (!replayed) {
                replayed = true
                return Effect.fail(error)
              }
              attempt += 1
              return Effect.zipRight(
                Effect.zipRight(Metric.increment(Metrics.retries), FiberRef.set(lastAttempt, { attempt })),
                execute({ ...request, attempt })
              )
            })
            return Effect.retry(again, schedule(policy, request, budget))
          })
        })
    })
  })

