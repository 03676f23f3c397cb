import * as RetryAfter from "@courier/core/RetryAfter"
import * as RetryBudget from "@courier/core/RetryBudget"
import * as RetryRules from "@courier/core/RetryRules"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as CourierClient from "../../CourierClient.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Retry from "../../Retry.js"
import { LastAttempt } from "./callRole.js"
import { invalidOption } from "./configError.js"
import * as Deadline from "./deadline.js"
import * as Metrics from "./metrics.js"
import * as Resend from "./resend.js"

/** @internal */
export const defaultPolicy: Retry.Policy = {
  retries: 2,
  baseDelay: Duration.millis(200),
  maxDelay: Duration.seconds(5),
  maxRetryAfter: Duration.seconds(30),
  statuses: RetryRules.defaultStatuses,
  timeoutPhases: ["connect", "receive"],
  budget: { ratio: 0.1, window: Duration.seconds(10), minPerSecond: 1 }
}

/** @internal */
export const CurrentOverride: Context.Reference<Partial<Retry.Policy> | undefined> = Context.Reference<
  Partial<Retry.Policy> | undefined
>("@courier/client-effect4/Retry/CurrentOverride", { defaultValue: () => undefined })

/** @internal */
export const withPolicy = dual<
  (policy: Partial<Retry.Policy>) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Partial<Retry.Policy>) => Effect.Effect<A, E, R>
>(2, (effect, policy) => Effect.provideService(effect, CurrentOverride, policy))

/** @internal */
export const disabled = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  withPolicy(effect, { retries: 0 })

const durationProblem = (field: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  const decoded = Duration.fromInput(value as Duration.Input)
  if (Option.isNone(decoded)) return `${field} is not a duration`
  return Duration.isNegative(decoded.value) ? `${field} is negative` : undefined
}

const countProblem = (field: string, value: unknown): string | undefined =>
  value === undefined || (typeof value === "number" && Number.isFinite(value) && value >= 0)
    ? undefined
    : `${field} must be a finite number, 0 or more`

/**
 * The problem with a policy, naming the field, or undefined. Durations are
 * checked up front so a bad value is a typed failure, not a defect on the
 * first retry.
 *
 * @internal
 */
export const policyProblem = (policy: Partial<Retry.Policy>): string | undefined =>
  countProblem("retries", policy.retries) ??
    durationProblem("baseDelay", policy.baseDelay) ??
    durationProblem("maxDelay", policy.maxDelay) ??
    durationProblem("maxRetryAfter", policy.maxRetryAfter) ??
    (policy.budget === undefined || policy.budget === false
      ? undefined
      : durationProblem("budget.window", policy.budget.window) ??
        countProblem("budget.ratio", policy.budget.ratio) ??
        countProblem("budget.minPerSecond", policy.budget.minPerSecond))

/** What the shared rules of `@courier/core` read of a failure. */
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

const defaultDecision = (
  policy: Retry.Policy,
  request: CourierRequest.CourierRequest,
  error: CourierError.CourierError
): boolean =>
  // `request` is the call's first hop; the failure may come from a later one
  // (after a redirect), and then the first hop was sent whatever the hop says.
  Resend.isReplayable(request) &&
  RetryRules.isTransient(asFailure(error), {
    safe: Resend.isIdempotent(request),
    statuses: policy.statuses,
    timeoutPhases: policy.timeoutPhases
  })

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
  Option.map(Option.fromNullishOr(RetryAfter.fromHeaders(headers, now)), Duration.millis)

/** Full jitter: a delay drawn between 0 and `baseDelay * 2^retry`, capped at `maxDelay`. */
const jittered = (policy: Retry.Policy, retry: number): Effect.Effect<number> => {
  const base = Duration.toMillis(policy.baseDelay)
  const cap = Duration.toMillis(policy.maxDelay)
  return Effect.map(Random.next, (r) => RetryRules.fullJitter(base, cap, retry, r))
}

/** @internal */
export const backoff = (overrides: Partial<Retry.Policy> = {}): Schedule.Schedule<number> => {
  const policy: Retry.Policy = { ...defaultPolicy, ...overrides }
  return Schedule.fromStep(Effect.sync(() => {
    let retry = 0
    return (_now: number, _input: unknown) => {
      if (retry >= policy.retries) return Cause.done(retry)
      const current = retry++
      return Effect.map(jittered(policy, current), (delay) => [current, Duration.millis(delay)] as [number, Duration.Duration])
    }
  }))
}

/** @internal */
export const schedule = (
  policy: Retry.Policy,
  request: CourierRequest.CourierRequest,
  budget: Retry.BudgetTracker | undefined
): Schedule.Schedule<number, CourierError.CourierError> => {
  const maxRetryAfter = Duration.toMillis(policy.maxRetryAfter)
  return Schedule.fromStep(Effect.sync(() => {
    let retry = 0
    return (now: number, error: CourierError.CourierError) => {
      if (retry >= policy.retries || !isRetryable(policy, request, error)) return Cause.done(retry)
      const asked = error._tag === "BadResponse" ? retryAfter(error.headers, now) : Option.none()
      const wait = Option.isSome(asked) ? Effect.succeed(Duration.toMillis(asked.value)) : jittered(policy, retry)
      return Effect.flatMap(wait, (delay) => {
        // A server asking for a longer wait than the policy allows, a wait
        // that would end past the call's deadline, or a spent budget: the
        // last failure stands, at once.
        if (Option.isSome(asked) && delay > maxRetryAfter) return Cause.done(retry)
        if (!Deadline.allows(request, now, delay)) return Cause.done(retry)
        if (budget !== undefined && !budget.tryRetry(now)) return Cause.done(retry)
        retry += 1
        return Effect.succeed([retry, Duration.millis(delay)] as [number, Duration.Duration])
      })
    }
  }))
}

/** @internal */
export const makeBudget = (budget: Retry.Budget): Retry.BudgetTracker =>
  RetryBudget.make({
    ratio: budget.ratio,
    windowMillis: Duration.toMillis(budget.window),
    minPerSecond: budget.minPerSecond
  })

/** @internal */
export const layer = (overrides: Partial<Retry.Policy> = {}) =>
  CourierClient.layerDecorate((execute) => {
    const problem = policyProblem(overrides)
    if (problem !== undefined) return Effect.fail(invalidOption(["retry"], problem))
    return Effect.sync(() => {
      const base: Retry.Policy = { ...defaultPolicy, ...overrides }
      const budget = base.budget === false ? undefined : makeBudget(base.budget)
      return (request: CourierRequest.CourierRequest) =>
        Effect.withFiber((fiber) => {
          const override = fiber.getRef(CurrentOverride)
          if (override !== undefined) {
            const problem = policyProblem(override)
            if (problem !== undefined) {
              return Effect.fail(
                new CourierError.RequestRefused({ request: request.info, reason: "InvalidOption", detail: `retry policy: ${problem}` })
              )
            }
          }
          const policy = override === undefined ? base : { ...base, ...override }
          if (policy.retries <= 0) return execute(request)
          const clock = fiber.getRef(Clock.Clock)
          budget?.recordRequest(clock.currentTimeMillisUnsafe())
          // Most calls succeed first time: they pay for one catch. The
          // schedule is built only once the first attempt failed, and is fed
          // that failure before anything is sent again.
          return Effect.catch(execute(request), (error) => {
            const cell = fiber.getRef(LastAttempt)
            let attempt = request.attempt
            let replayed = false
            const again = Effect.suspend(() => {
              if (!replayed) {
                replayed = true
                return Effect.fail(error)
              }
              attempt += 1
              if (cell !== undefined) cell.last = attempt
              Metrics.retries.updateUnsafe(1, fiber.context)
              return execute({ ...request, attempt })
            })
            return Effect.retry(again, schedule(policy, request, budget))
          })
        })
    })
  })
