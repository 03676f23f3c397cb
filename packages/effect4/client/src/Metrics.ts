/**
 * The client's metrics, as effect `Metric`s any exporter can read, and a
 * Layer that records the per-call ones.
 *
 * `layer` decorates `execute`: each call increments {@link requests} and
 * records {@link duration}, both with the attributes `method` (the standard
 * methods, or `_OTHER`), `status_class` (`2xx`..`5xx`, or `none` when no
 * status was received) and `outcome` (`ok`, the failure's tag such as
 * `Timeout` or `BadResponse`, `interrupted` or `defect`); a 401 also
 * increments {@link unauthorized}. Above the retry and auth Layers it counts
 * calls; below them (as in the preset), every attempt and replay.
 *
 * {@link retries}, {@link refreshes} and {@link refreshFailures} are
 * incremented by the retry and auth Layers.
 *
 * @example
 * ```ts
 * import { Metrics } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 * import * as Metric from "effect/Metric"
 *
 * const okGets = Effect.map(
 *   Metric.value(Metrics.requestsFor({ method: "GET", statusClass: "2xx", outcome: "ok" })),
 *   (state) => state.count
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/metrics.js"

/**
 * The attributes of {@link requests} and {@link duration}.
 *
 * @since 0.1.0
 */
export interface Labels {
  /** Upper-case standard method, or `_OTHER`. */
  readonly method: string
  /** `1xx`..`5xx`, or `none`. */
  readonly statusClass: string
  /** `ok`, a failure tag, `interrupted` or `defect`. */
  readonly outcome: string
}

/**
 * Calls through `execute` (`courier_http_client_requests`).
 *
 * @since 0.1.0
 */
export const requests: Metric.Counter<number> = internal.requests

/**
 * The boundaries of {@link duration}, in seconds: 5 ms to 60 s.
 *
 * @since 0.1.0
 */
export const durationBoundaries: ReadonlyArray<number> = internal.durationBoundaries

/**
 * Duration of each call in seconds (`courier_http_client_request_duration_seconds`).
 *
 * @since 0.1.0
 */
export const duration: Metric.Histogram<number> = internal.duration

/**
 * Requests sent again by the retry Layer (`courier_http_client_retries`).
 *
 * @since 0.1.0
 */
export const retries: Metric.Counter<number> = internal.retries

/**
 * Token refreshes started by the auth Layer (`courier_http_client_token_refreshes`).
 *
 * @since 0.1.0
 */
export const refreshes: Metric.Counter<number> = internal.refreshes

/**
 * Token refreshes that failed (`courier_http_client_token_refresh_failures`).
 *
 * @since 0.1.0
 */
export const refreshFailures: Metric.Counter<number> = internal.refreshFailures

/**
 * 401 answers seen by the metrics Layer (`courier_http_client_unauthorized`).
 *
 * @since 0.1.0
 */
export const unauthorized: Metric.Counter<number> = internal.unauthorized

/**
 * {@link requests} with the given attributes.
 *
 * @since 0.1.0
 */
export const requestsFor: (labels: Labels) => Metric.Metric<number, Metric.CounterState<number>> = internal.requestsFor

/**
 * {@link duration} with the given attributes.
 *
 * @since 0.1.0
 */
export const durationFor: (labels: Labels) => Metric.Metric<number, Metric.HistogramState> = internal.durationFor

/**
 * The metrics Layer, over the client below it.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<CourierClient.CourierClient, never, CourierClient.CourierClient> = internal.layer
