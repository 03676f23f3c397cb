import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as CourierClient from "../../CourierClient.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Metrics from "../../Metrics.js"
import * as Outcome from "./outcome.js"

/** @internal */
export const requests: Metric.Counter<number> = Metric.counter("courier_http_client_requests", {
  description: "HTTP calls through the client's execute, by method, status class and outcome",
  incremental: true
})

/** OpenTelemetry's recommended boundaries for `http.client.request.duration`, in seconds. @internal */
export const durationBoundaries: ReadonlyArray<number> = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60
]

/** @internal */
export const duration: Metric.Histogram<number> = Metric.histogram("courier_http_client_request_duration_seconds", {
  description: "Duration of HTTP calls through the client's execute, in seconds, by method, status class and outcome",
  boundaries: durationBoundaries
})

/** @internal */
export const retries: Metric.Counter<number> = Metric.counter("courier_http_client_retries", {
  description: "Requests sent again by the retry Layer",
  incremental: true
})

/** @internal */
export const refreshes: Metric.Counter<number> = Metric.counter("courier_http_client_token_refreshes", {
  description: "Token refreshes started by the auth Layer",
  incremental: true
})

/** @internal */
export const refreshFailures: Metric.Counter<number> = Metric.counter("courier_http_client_token_refresh_failures", {
  description: "Token refreshes that failed",
  incremental: true
})

/** @internal */
export const unauthorized: Metric.Counter<number> = Metric.counter("courier_http_client_unauthorized", {
  description: "401 answers seen by the metrics Layer",
  incremental: true
})

const attributesOf = (labels: Metrics.Labels): Metric.Metric.AttributeSet => ({
  method: labels.method,
  status_class: labels.statusClass,
  outcome: labels.outcome
})

/** @internal */
export const requestsFor = (labels: Metrics.Labels): Metric.Metric<number, Metric.CounterState<number>> =>
  Metric.withAttributes(requests, attributesOf(labels))

/** @internal */
export const durationFor = (labels: Metrics.Labels): Metric.Metric<number, Metric.HistogramState> =>
  Metric.withAttributes(duration, attributesOf(labels))

interface Pair {
  readonly requests: Metric.Metric<number, Metric.CounterState<number>>
  readonly duration: Metric.Metric<number, Metric.HistogramState>
}

const labelsOf = (
  request: CourierRequest.CourierRequest,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>
): { readonly method: string; readonly status: number | undefined; readonly outcome: string } => {
  const method = Outcome.methodLabel(request.method)
  const outcome = Outcome.of(exit)
  switch (outcome._tag) {
    case "Success":
      return { method, status: outcome.response.status, outcome: "ok" }
    case "Failure":
      return { method, status: Outcome.statusOf(outcome.error), outcome: outcome.error._tag }
    case "Interrupted":
      return { method, status: undefined, outcome: "interrupted" }
    case "Defect":
      return { method, status: undefined, outcome: "defect" }
  }
}

/** @internal */
export const layer = CourierClient.layerDecorate((execute) =>
  Effect.sync(() => {
    // Labels form a small closed set (methods x classes x outcomes): the
    // attributed metrics are made once per combination, not once per call.
    const pairs = new Map<string, Pair>()
    const pairFor = (method: string, statusClass: string, outcome: string): Pair => {
      const key = `${method} ${statusClass} ${outcome}`
      let pair = pairs.get(key)
      if (pair === undefined) {
        pair = {
          requests: requestsFor({ method, statusClass, outcome }),
          duration: durationFor({ method, statusClass, outcome })
        }
        pairs.set(key, pair)
      }
      return pair
    }
    return (request: CourierRequest.CourierRequest) =>
      Effect.withFiber((fiber) => {
        const clock = fiber.getRef(Clock.Clock)
        const start = clock.currentTimeNanosUnsafe()
        // Recorded where the call ends, on this fiber, as `Metric.update`
        // would (same context: registry and attributes), without more effects.
        return Effect.onExit(execute(request), (exit) => {
          const seconds = Number(clock.currentTimeNanosUnsafe() - start) / 1e9
          const labels = labelsOf(request, exit)
          const pair = pairFor(labels.method, Outcome.statusClass(labels.status), labels.outcome)
          pair.requests.updateUnsafe(1, fiber.context)
          pair.duration.updateUnsafe(seconds, fiber.context)
          if (labels.status === 401) unauthorized.updateUnsafe(1, fiber.context)
          return Effect.void
        })
      })
  })
)
