import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as CircuitBreaker from "../../../CircuitBreaker.js"
import * as Client from "../../core/client.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import type * as CourierResponse from "../../../CourierResponse.js"
import { decodeDuration } from "../../core/config.js"
import * as Metrics from "../metrics.js"
import * as Store from "./store.js"
import { isLocal } from "../../core/localStore.js"

/** @internal */
export const isTransient = (error: CourierError.CourierError): boolean => {
  switch (error._tag) {
    case "Network":
    case "Timeout":
      return true
    case "BadResponse":
      return error.status >= 500 || error.status === 429
    default:
      return false
  }
}

/** Failures produced before anything was sent say nothing about the downstream. */
const notSent = (error: CourierError.CourierError): boolean =>
  error._tag === "CircuitOpen" || error._tag === "RateLimited" || error._tag === "BulkheadFull" ||
  error._tag === "RequestRefused"

/** @internal */
export const originKey = (request: CourierRequest.CourierRequest): string => request.url.origin

interface Settings {
  readonly key: (request: CourierRequest.CourierRequest) => string
  readonly consecutive: number | undefined
  readonly rate: { readonly threshold: number; readonly bucketMillis: number; readonly minimumCalls: number } | undefined
  readonly breakMillis: number
  readonly probes: number
  readonly isFailure: (error: CourierError.CourierError) => boolean
}

const buckets = 10

const settingsOf = (options: CircuitBreaker.Options): Settings | string => {
  const breakDuration = decodeDuration(options.breakDuration ?? Duration.seconds(5))
  if (breakDuration === undefined) return "breakDuration is not a duration"
  const consecutive = options.consecutiveFailures === false ? undefined : options.consecutiveFailures ?? 5
  if (consecutive !== undefined && !(Number.isInteger(consecutive) && consecutive >= 1)) {
    return "consecutiveFailures must be a whole number of at least 1, or false"
  }
  let rate: Settings["rate"] = undefined
  if (options.failureRate !== undefined && options.failureRate !== false) {
    const window = decodeDuration(options.failureRate.window ?? Duration.seconds(30))
    if (window === undefined) return "failureRate.window is not a duration"
    const threshold = options.failureRate.threshold
    if (!(threshold > 0 && threshold <= 1)) return "failureRate.threshold must be in (0, 1]"
    rate = {
      threshold,
      bucketMillis: Math.max(1, Duration.toMillis(window) / buckets),
      minimumCalls: options.failureRate.minimumCalls ?? 10
    }
  }
  const probes = options.halfOpenProbes ?? 1
  if (!(Number.isInteger(probes) && probes >= 1)) return "halfOpenProbes must be a whole number of at least 1"
  const custom = options.isFailure
  return {
    key: options.key ?? originKey,
    consecutive,
    rate,
    breakMillis: Duration.toMillis(breakDuration),
    probes,
    isFailure: custom === undefined ? isTransient : (error) => custom(error, isTransient(error))
  }
}

const closed: CircuitBreaker.State = { _tag: "Closed", consecutiveFailures: 0, window: [] }

/** What a call may do: go (as a probe or not), or fail fast. */
type Admission =
  | { readonly _tag: "Go"; readonly probe: boolean; readonly entered: "HalfOpen" | undefined }
  | { readonly _tag: "Reject"; readonly state: "Open" | "HalfOpen"; readonly retryAt: number }

const admit = (settings: Settings, now: number) =>
(current: Option.Option<CircuitBreaker.State>): readonly [Admission, CircuitBreaker.State] => {
  const state = Option.getOrElse(current, () => closed)
  switch (state._tag) {
    case "Closed":
      return [{ _tag: "Go", probe: false, entered: undefined }, state]
    case "Open":
      if (now < state.until) return [{ _tag: "Reject", state: "Open", retryAt: state.until }, state]
      return [{ _tag: "Go", probe: true, entered: "HalfOpen" }, { _tag: "HalfOpen", probesOut: 1, succeeded: 0 }]
    case "HalfOpen":
      if (state.probesOut + state.succeeded >= settings.probes) {
        return [{ _tag: "Reject", state: "HalfOpen", retryAt: now }, state]
      }
      return [{ _tag: "Go", probe: true, entered: undefined }, { ...state, probesOut: state.probesOut + 1 }]
  }
}

type Result = "success" | "failure" | "ignored"

/** The window with this call counted in its bucket, buckets older than the window dropped. */
const counted = (
  window: CircuitBreaker.State & { readonly _tag: "Closed" },
  rate: NonNullable<Settings["rate"]>,
  now: number,
  failed: boolean
): ReadonlyArray<readonly [bucket: number, successes: number, failures: number]> => {
  const bucket = Math.floor(now / rate.bucketMillis)
  const kept = window.window.filter(([b]) => b > bucket - buckets && b !== bucket)
  const currentBucket = window.window.find(([b]) => b === bucket) ?? [bucket, 0, 0]
  return [...kept, [bucket, currentBucket[1] + (failed ? 0 : 1), currentBucket[2] + (failed ? 1 : 0)] as const]
}

const trips = (settings: Settings, consecutive: number, window: CircuitBreaker.State & { readonly _tag: "Closed" }) => {
  if (settings.consecutive !== undefined && consecutive >= settings.consecutive) return true
  const rate = settings.rate
  if (rate === undefined) return false
  let calls = 0
  let failures = 0
  for (const [, s, f] of window.window) {
    calls += s + f
    failures += f
  }
  return calls >= rate.minimumCalls && failures / calls >= rate.threshold
}

/** A state change: the state entered, and how it moves the count of circuits not closed. */
interface Change {
  readonly entered: CircuitBreaker.State["_tag"]
  readonly notClosed: number
}

const opened: Change = { entered: "Open", notClosed: 1 }
const reopened: Change = { entered: "Open", notClosed: 0 }
const closedAgain: Change = { entered: "Closed", notClosed: -1 }

/** The state after a call ended, and the change if there was one. */
const record = (settings: Settings, now: number, probe: boolean, result: Result) =>
(current: Option.Option<CircuitBreaker.State>): readonly [Change | undefined, CircuitBreaker.State] => {
  const state = Option.getOrElse(current, () => closed)
  const open: CircuitBreaker.State = { _tag: "Open", until: now + settings.breakMillis }
  switch (state._tag) {
    case "Closed": {
      // A probe of an earlier half-open state that ends after the circuit closed counts like any call.
      if (result === "ignored") return [undefined, state]
      const failed = result === "failure"
      const consecutiveFailures = failed ? state.consecutiveFailures + 1 : 0
      const next: CircuitBreaker.State & { readonly _tag: "Closed" } = {
        _tag: "Closed",
        consecutiveFailures,
        window: settings.rate === undefined ? [] : counted(state, settings.rate, now, failed)
      }
      return failed && trips(settings, consecutiveFailures, next) ? [opened, open] : [undefined, next]
    }
    case "Open":
      // A call let through before the circuit opened ends now: the circuit stays open.
      return [undefined, state]
    case "HalfOpen": {
      if (!probe) return [undefined, state]
      const probesOut = state.probesOut - 1
      if (result === "failure") return [reopened, open]
      if (result === "ignored") return [undefined, { ...state, probesOut }]
      const succeeded = state.succeeded + 1
      return succeeded >= settings.probes
        ? [closedAgain, closed]
        : [undefined, { _tag: "HalfOpen", probesOut, succeeded }]
    }
  }
}

const resultOf = (settings: Settings, exit: Exit.Exit<unknown, CourierError.CourierError>): Result => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  // An interruption (the caller gave up) or a defect says nothing about the downstream.
  if (Option.isNone(failure)) return "ignored"
  if (notSent(failure.value)) return "ignored"
  return settings.isFailure(failure.value) ? "failure" : "success"
}

const transition = (key: string, entered: CircuitBreaker.State["_tag"]): Effect.Effect<void> => {
  const count = Metric.increment(Metric.tagged(Metrics.circuitTransitions, "state", stateLabel[entered]))
  switch (entered) {
    case "Open":
      return Effect.zipRight(count, Effect.logWarning("circuit opened: calls fail fast with CircuitOpen")).pipe(
        Effect.annotateLogs("circuit.key", key)
      )
    case "HalfOpen":
      return Effect.zipRight(count, Effect.logInfo("circuit half-open: letting probes through")).pipe(
        Effect.annotateLogs("circuit.key", key)
      )
    case "Closed":
      return Effect.zipRight(count, Effect.logInfo("circuit closed: the probes succeeded")).pipe(
        Effect.annotateLogs("circuit.key", key)
      )
  }
}

const stateLabel = { Open: "open", HalfOpen: "half_open", Closed: "closed" } as const

/**
 * The origin of the hop that gave the outcome: the response's last request,
 * or, after a redirect, the failure's URL (redacted, with its origin
 * intact). `undefined` for a failure of the first hop and for an
 * interruption or a defect: the call's own circuit takes those.
 */
const answeringOrigin = (exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>): string | undefined => {
  if (Exit.isSuccess(exit)) return exit.value.request.url.origin
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || (failure.value.request.redirects ?? 0) === 0) return undefined
  try {
    return new URL(failure.value.request.url).origin
  } catch {
    return undefined
  }
}

/** @internal */
export const layer = (options: CircuitBreaker.Options = {}) =>
  Client.layerDecorate((execute) => {
    const settings = settingsOf(options)
    // A custom key reads the call's request; only the default one can name another hop's circuit.
    const byOrigin = options.key === undefined
    if (typeof settings === "string") return Effect.fail(ConfigError.InvalidData(["circuitBreaker"], settings))
    return Effect.map(
      options.store === undefined ? Store.makeMemory<CircuitBreaker.State>() : Effect.succeed(options.store),
      (store) => (request: CourierRequest.CourierRequest) => {
        const key = settings.key(request)
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(store.modify(key, admit(settings, now)), (admission) => {
            if (admission._tag === "Reject") {
              const error = new CourierError.CircuitOpen({
                request: request.info,
                key,
                state: admission.state,
                retryAt: admission.retryAt,
                retryAfter: Duration.millis(Math.max(0, admission.retryAt - now))
              })
              return Effect.zipRight(Metric.increment(Metrics.circuitRejections), Effect.fail(error))
            }
            const entered = admission.entered === undefined ? Effect.void : transition(key, admission.entered)
            const settle = (at: string, end: number, probe: boolean, result: Result) =>
              Effect.flatMap(store.modify(at, record(settings, end, probe, result)), (changed) => {
                if (changed === undefined) return Effect.void
                const gauge = changed.notClosed === 0
                  ? Effect.void
                  : Metric.incrementBy(Metrics.circuitsOpen, changed.notClosed)
                return Effect.zipRight(gauge, transition(at, changed.entered))
              })
            return Effect.zipRight(
              entered,
              Effect.onExit(execute(request), (exit) =>
                Effect.flatMap(Clock.currentTimeMillis, (end) => {
                  const result = resultOf(settings, exit)
                  const answered = byOrigin ? answeringOrigin(exit) : undefined
                  if (answered === undefined || answered === key) return settle(key, end, admission.probe, result)
                  // A redirect led to another origin: this one answered (with the
                  // redirect), the other gave the outcome, counted as a call to it.
                  return Effect.zipRight(
                    settle(key, end, admission.probe, "success"),
                    settle(answered, end, false, result)
                  )
                }))
            )
          }))
      }
    )
  }, { waitsOutside: options.store !== undefined && !isLocal(options.store) })
