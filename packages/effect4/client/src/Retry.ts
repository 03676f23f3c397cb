/**
 * The retry policy, as a Layer over the client. What is retried:
 *
 * - only what is safe: idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE,
 *   TRACE), any method carrying an `Idempotency-Key`, or any method when the
 *   failure proves nothing was sent (connection refused, DNS, connect
 *   timeout, on the first hop). A POST whose bytes may have reached the
 *   server is not retried, nor one whose later hop failed after a redirect.
 *   A one-shot stream body is never retried;
 * - only transient failures: `Network` (refused, reset, temporary DNS, a
 *   body cut short), `Timeout` in the `connect` and `receive` phases, and the
 *   statuses 408, 429, 500, 502, 503 and 504. Never another 4xx, `Parse` or
 *   `Unauthorized` (the auth Layer owns 401);
 * - waiting exponential backoff with full jitter (a random delay between 0
 *   and `baseDelay * 2^n`, capped at `maxDelay`), or what `Retry-After`
 *   says (seconds or an HTTP date). A wait longer than `maxRetryAfter`, or
 *   one that would end past the call's `total` deadline, fails at once with
 *   the last failure;
 * - within a budget shared by the Layer's calls: retries stay under `ratio`
 *   of the requests in a sliding window, plus a small floor, so an outage
 *   does not multiply traffic.
 *
 * The attempt number travels in `CourierRequest.attempt`. Waits are
 * effect's `Clock`, so `TestClock` drives them.
 *
 * @example
 * ```ts
 * import { CourierClient, NodeTransport, Retry } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Retry.layer({ retries: 3, baseDelay: "100 millis" }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   // A POST is retried only with an Idempotency-Key (one per logical operation).
 *   yield* client.post("/orders", { headers: { ...Retry.idempotencyKey() } })
 *   // Per call: no retry, or another policy.
 *   yield* client.get("/health").pipe(Retry.disabled)
 *   return yield* client.get("/report").pipe(Retry.withPolicy({ retries: 5, maxDelay: "10 seconds" }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as internal from "./internal/layers/retry.js"

/**
 * @since 0.1.0
 */
export interface Policy {
  /** Retries after the first attempt. Default 2. */
  readonly retries: number
  /** Backoff base. Default 200 ms. */
  readonly baseDelay: Duration.Input
  /** Cap of each backoff delay. Default 5 seconds. */
  readonly maxDelay: Duration.Input
  /** Longest `Retry-After` honoured; a longer one fails at once. Default 30 seconds. */
  readonly maxRetryAfter: Duration.Input
  /** Statuses worth another attempt. Default 408, 429, 500, 502, 503, 504. */
  readonly statuses: ReadonlyArray<number>
  /** Timeout phases worth another attempt. Default connect and receive. */
  readonly timeoutPhases: ReadonlyArray<CourierError.TimeoutPhase>
  /** The retry budget, or false for none. */
  readonly budget: Budget | false
  /** Overrides the decision; gets the default one. */
  readonly shouldRetry?:
    | ((request: CourierRequest.CourierRequest, error: CourierError.CourierError, byDefault: boolean) => boolean)
    | undefined
}

/**
 * Retries allowed: `ratio` of the requests seen in the last `window`, plus
 * `minPerSecond` per second of the window. Default 10%, 10 s, 1 per second.
 *
 * @since 0.1.0
 */
export interface Budget {
  readonly ratio: number
  readonly window: Duration.Input
  readonly minPerSecond: number
}

/**
 * The running state of a budget: requests seen and retries spent in the
 * sliding window. One is shared by every call through a retry Layer.
 *
 * @since 0.1.0
 */
export interface BudgetTracker {
  readonly recordRequest: (now: number) => void
  /** Spends one retry if the budget allows it. */
  readonly tryRetry: (now: number) => boolean
}

/**
 * The default policy.
 *
 * @since 0.1.0
 */
export const defaultPolicy: Policy = internal.defaultPolicy

/**
 * The retry Layer, decorating the client below it. A policy that cannot be
 * used (`baseDelay: "soon"` from JavaScript, a negative count) fails the
 * Layer with a `ConfigError` naming the field; the same in a `withPolicy`
 * override fails the call with `RequestRefused` (`InvalidOption`) before
 * anything is sent.
 *
 * @since 0.1.0
 */
export const layer: (
  policy?: Partial<Policy>
) => Layer.Layer<CourierClient.CourierClient, Config.ConfigError, CourierClient.CourierClient> = internal.layer

/**
 * The per-call override: the policy fields set here win for the calls made
 * by `effect`.
 *
 * @since 0.1.0
 */
export const withPolicy: {
  (policy: Partial<Policy>): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Partial<Policy>): Effect.Effect<A, E, R>
} = internal.withPolicy

/**
 * Calls made by `effect` are not retried.
 *
 * @since 0.1.0
 */
export const disabled: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = internal.disabled

/**
 * The per-call override in force (`undefined`: the Layer's policy), a
 * `Context.Reference` that `withPolicy` provides.
 *
 * @since 0.1.0
 */
export const currentOverride: Context.Reference<Partial<Policy> | undefined> = internal.CurrentOverride

/**
 * A fresh `Idempotency-Key` header (a random UUID), to spread into a
 * request's headers so that a POST may be retried.
 *
 * @since 0.1.0
 */
export const idempotencyKey = (): { readonly "idempotency-key": string } => ({ "idempotency-key": crypto.randomUUID() })

/**
 * Whether the policy allows another attempt after `error` (ignoring the
 * attempt count, the budget and the deadline).
 *
 * @since 0.1.0
 */
export const isRetryable: (
  policy: Policy,
  request: CourierRequest.CourierRequest,
  error: CourierError.CourierError
) => boolean = internal.isRetryable

/**
 * The wait a `Retry-After` header asks for: delay-seconds or an HTTP date
 * (a past date means now). None when absent or unreadable.
 *
 * @since 0.1.0
 */
export const retryAfter: (headers: Readonly<Record<string, string>>, now: number) => Option.Option<Duration.Duration> =
  internal.retryAfter

/**
 * The backoff alone: exponential from `baseDelay` with full jitter, each
 * delay capped at `maxDelay`, `retries` times.
 *
 * @since 0.1.0
 */
export const backoff: (policy?: Partial<Policy>) => Schedule.Schedule<number> = internal.backoff

/**
 * The whole decision as a `Schedule` over the failures of one call:
 * retryable, under the count, the budget, `maxRetryAfter` and the deadline.
 *
 * @since 0.1.0
 */
export const schedule: (
  policy: Policy,
  request: CourierRequest.CourierRequest,
  budget: BudgetTracker | undefined
) => Schedule.Schedule<number, CourierError.CourierError> = internal.schedule

/**
 * A budget tracker, for using `schedule` outside the Layer.
 *
 * @since 0.1.0
 */
export const makeBudget: (budget: Budget) => BudgetTracker = internal.makeBudget
