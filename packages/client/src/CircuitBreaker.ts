/**
 * A circuit breaker per origin (or per key), as a Layer over the client.
 * When a downstream keeps failing, calls to it fail at once with
 * `CircuitOpen` instead of adding to its load; after `breakDuration` a
 * bounded number of probes go through, and their outcome closes the circuit
 * or opens it again.
 *
 * - Closed: every call goes. The circuit opens after `consecutiveFailures`
 *   failures in a row (default 5), or, with `failureRate`, when at least
 *   `minimumCalls` calls in the sliding `window` ended and the share that
 *   failed reaches `threshold`.
 * - Open: every call fails with `CircuitOpen` (nothing is sent) until
 *   `breakDuration` (default 5 seconds) has passed.
 * - Half-open: the next `halfOpenProbes` calls (default 1) go; more fail with
 *   `CircuitOpen`. When all of them succeed, the circuit closes; when one
 *   fails, it opens again for `breakDuration`.
 *
 * What counts as a failure: the transient ones, `Network`, `Timeout`, and a
 * `BadResponse` with a 5xx or 429 status. Any other answer (a 404, a 401, a
 * body that does not parse) shows the downstream is up and counts as a
 * success. Failures produced before anything was sent (`RequestRefused`,
 * `CircuitOpen`, `RateLimited`, `BulkheadFull`), an interrupted call and a
 * defect do not count at all. `isFailure` overrides the decision. After a
 * redirect to another origin, the outcome counts for the origin that gave
 * it and the redirecting origin counts a success (with a custom `key`, the
 * call's key counts the outcome).
 *
 * Below the Retry Layer (as in `Preset`), each attempt counts, and a
 * `CircuitOpen` ends the retries: the default retry decision does not retry it.
 *
 * State changes are logged (Warning when a circuit opens, Info when it goes
 * half-open or closes, annotated with `circuit.key`) and measured:
 * `courier_http_client_circuit_transitions` (tag `state`),
 * `courier_http_client_circuit_rejections` and the gauge
 * `courier_http_client_circuits_open`.
 *
 * The state lives in a `Store`: by default one in memory per Layer, for one
 * process. A store shared by several replicas implements the same `modify`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CourierClient } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Duration from "effect/Duration"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Client = CircuitBreaker.layer({ consecutiveFailures: 3, breakDuration: "30 seconds" }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 *
 * const report = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/report")).pipe(
 *   Effect.catchTag("CircuitOpen", (e) => Effect.succeed(`unavailable, try again in ${Duration.format(e.retryAfter)}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Option from "effect/Option"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as Metrics from "./internal/layers/metrics.js"
import * as internal from "./internal/layers/resilience/breaker.js"
import * as store from "./internal/layers/resilience/store.js"

/**
 * @since 0.1.0
 */
export interface Options {
  /** The circuit a request belongs to. Default: its origin (`https://api.example.com:8443`). */
  readonly key?: ((request: CourierRequest.CourierRequest) => string) | undefined
  /** Failures in a row that open the circuit, or false for none. Default 5. */
  readonly consecutiveFailures?: number | false | undefined
  /** The failure-rate rule, or false for none. Default: none. */
  readonly failureRate?: FailureRate | false | undefined
  /** How long an open circuit fails calls before letting probes through. Default 5 seconds. */
  readonly breakDuration?: Duration.DurationInput | undefined
  /** Probes a half-open circuit lets through; all must succeed to close it. Default 1. */
  readonly halfOpenProbes?: number | undefined
  /** Overrides which failures count; gets the default decision. */
  readonly isFailure?: ((error: CourierError.CourierError, byDefault: boolean) => boolean) | undefined
  /** Where the state lives. Default: a new in-memory store for this Layer. */
  readonly store?: Store | undefined
}

/**
 * Open the circuit when at least `minimumCalls` calls (default 10) ended in
 * the last `window` (default 30 seconds, counted in ten buckets) and the
 * share that failed is `threshold` (in (0, 1]) or more.
 *
 * @since 0.1.0
 */
export interface FailureRate {
  readonly threshold: number
  readonly window?: Duration.DurationInput | undefined
  readonly minimumCalls?: number | undefined
}

/**
 * The state of one circuit: plain data, so a shared store can serialise it.
 * `until` is epoch milliseconds (from the `Clock`); `window` holds
 * `[bucket, successes, failures]` of the failure-rate rule.
 *
 * @since 0.1.0
 */
export type State =
  | {
    readonly _tag: "Closed"
    readonly consecutiveFailures: number
    readonly window: ReadonlyArray<readonly [bucket: number, successes: number, failures: number]>
  }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen"; readonly probesOut: number; readonly succeeded: number }

/**
 * Where circuits keep their state, by key. `modify` must apply `f` to the
 * current state (none for a new key) and store what it returns, atomically;
 * `f` is pure, so a shared store may run it again after a conflicting write.
 *
 * @since 0.1.0
 */
export interface Store {
  readonly modify: <A>(key: string, f: (state: Option.Option<State>) => readonly [A, State]) => Effect.Effect<A>
}

/**
 * A store in this process's memory.
 *
 * @since 0.1.0
 */
export const makeMemoryStore: Effect.Effect<Store> = store.makeMemory<State>()

/**
 * The circuit breaker Layer, decorating the client below it. An option out
 * of range fails the Layer with a `ConfigError`.
 *
 * @since 0.1.0
 */
export const layer: (
  options?: Options
) => Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient> = internal.layer

/**
 * The default decision: whether a failure counts against the circuit
 * (`Network`, `Timeout`, a 5xx or 429 `BadResponse`).
 *
 * @since 0.1.0
 */
export const isTransient: (error: CourierError.CourierError) => boolean = internal.isTransient

/**
 * State changes (`courier_http_client_circuit_transitions`), tagged `state`:
 * `open`, `half_open` or `closed`.
 *
 * @since 0.1.0
 */
export const transitions: Metric.Metric.Counter<number> = Metrics.circuitTransitions

/**
 * Calls failed with `CircuitOpen` (`courier_http_client_circuit_rejections`).
 *
 * @since 0.1.0
 */
export const rejections: Metric.Metric.Counter<number> = Metrics.circuitRejections

/**
 * Circuits open or half-open now, over every breaker of the process
 * (`courier_http_client_circuits_open`).
 *
 * @since 0.1.0
 */
export const circuitsOpen: Metric.Metric.Gauge<number> = Metrics.circuitsOpen
