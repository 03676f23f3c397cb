import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import * as Client from "../core/client.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Metrics from "../../Metrics.js"
import * as Outcome from "../core/outcome.js"

const requestsKey = MetricKey.counter("courier_http_client_requests", {
  description: "HTTP calls through the client's execute, by method, status class and outcome",
  incremental: true
})

/** @internal */
export const requests: Metric.Metric.Counter<number> = Metric.fromMetricKey(requestsKey)

/** OpenTelemetry's recommended boundaries for `http.client.request.duration`, in seconds. @internal */
export const durationBoundaries = MetricBoundaries.fromIterable([
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
  30,
  60
])

const durationKey = MetricKey.histogram(
  "courier_http_client_request_duration_seconds",
  durationBoundaries,
  "Duration of HTTP calls through the client's execute, in seconds, by method, status class and outcome"
)

/** @internal */
export const duration: Metric.Metric.Histogram<number> = Metric.fromMetricKey(durationKey)

/** @internal */
export const retries = Metric.counter("courier_http_client_retries", {
  description: "Requests sent again by the retry Layer",
  incremental: true
})

/** @internal */
export const refreshes = Metric.counter("courier_http_client_token_refreshes", {
  description: "Token refreshes started by the auth Layer",
  incremental: true
})

/** @internal */
export const refreshFailures = Metric.counter("courier_http_client_token_refresh_failures", {
  description: "Token refreshes that failed (the session ended)",
  incremental: true
})

/** @internal */
export const unauthorized = Metric.counter("courier_http_client_unauthorized", {
  description: "401 answers seen by the metrics Layer",
  incremental: true
})

// The tag order is part of a metric's identity, so it is fixed here and
// every reader goes through `requestsFor` / `durationFor`. The tags go into
// the metric's key rather than through `Metric.tagged`, which merges the
// tag arrays and looks the metric up in the registry on every update.
const labelsOf = (labels: Metrics.Labels) => [
  MetricLabel.make("method", labels.method),
  MetricLabel.make("status_class", labels.statusClass),
  MetricLabel.make("outcome", labels.outcome)
]

/** @internal */
export const requestsFor = (labels: Metrics.Labels): Metric.Metric.Counter<number> =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(requestsKey, labelsOf(labels)))

/** @internal */
export const durationFor = (labels: Metrics.Labels): Metric.Metric.Histogram<number> =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(durationKey, labelsOf(labels)))

interface Pair {
  readonly requests: Metric.Metric.Counter<number>
  readonly duration: Metric.Metric.Histogram<number>
}

const statusClasses = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"]

/** @internal */
export const layer = Client.layerDecorate((execute) =>
  Effect.sync(() => {
    // Labels form a small closed set (methods x classes x outcomes), so the
    // tagged metrics are made once per combination, not once per request;
    // successes, the common case, are found without building a key.
    const cache = new Map<string, Pair>()
    const pairFor = (method: string, statusClass: string, outcome: string): Pair => {
      const key = `${method} ${statusClass} ${outcome}`
      let pair = cache.get(key)
      if (pair === undefined) {
        pair = { requests: requestsFor({ method, statusClass, outcome }), duration: durationFor({ method, statusClass, outcome }) }
        cache.set(key, pair)
      }
      return pair
    }
    const successes = new Map<string, Array<Pair | undefined>>()
    const successPair = (method: string, status: number): Pair => {
      const index = status < 100 || status > 599 ? 0 : Math.floor(status / 100)
      let byClass = successes.get(method)
      if (byClass === undefined) {
        byClass = []
        successes.set(method, byClass)
      }
      return byClass[index] ??= pairFor(method, statusClasses[index], "ok")
    }

    /**
     * Updates the metrics as `Metric.increment` / `Metric.update` would (with
     * the fiber's metric labels), synchronously where the call ends rather
     * than as two or three more effects.
     */
    const record = (
      fiber: Fiber.RuntimeFiber<unknown, unknown>,
      request: CourierRequest.CourierRequest,
      exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>,
      clock: Clock.Clock,
      start: bigint
    ): void => {
      const seconds = Number(clock.unsafeCurrentTimeNanos() - start) / 1e9
      const method = Outcome.methodLabel(request.method)
      let status: number | undefined
      let pair: Pair
      if (exit._tag === "Success") {
        status = exit.value.status
        pair = successPair(method, status)
      } else {
        const outcome = Outcome.of(exit)
        let label: string
        switch (outcome._tag) {
          case "Success":
            status = outcome.response.status
            label = "ok"
            break
          case "Failure":
            status = Outcome.statusOf(outcome.error)
            label = outcome.error._tag
            break
          case "Interrupted":
            label = "interrupted"
            break
          case "Defect":
            label = "defect"
            break
        }
        pair = pairFor(method, Outcome.statusClass(status), label)
      }
      const tags = fiber.getFiberRef(FiberRef.currentMetricLabels)
      pair.requests.unsafeUpdate(1, tags)
      pair.duration.unsafeUpdate(seconds, tags)
      if (status === 401) unauthorized.unsafeUpdate(1, tags)
    }

    return (request: CourierRequest.CourierRequest) =>
      Effect.withFiberRuntime((fiber) => {
        const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
        const start = clock.unsafeCurrentTimeNanos()
        // The handler runs on this fiber, when the call has ended.
        return Effect.onExit(execute(request), (exit) => {
          record(fiber, request, exit, clock, start)
          return Effect.void
        })
      })
  })
)

/** @internal */
export const circuitTransitions = Metric.counter("courier_http_client_circuit_transitions", {
  description: "Circuit breaker state changes, by the state entered (open, half_open, closed)",
  incremental: true
})

/** @internal */
export const circuitRejections = Metric.counter("courier_http_client_circuit_rejections", {
  description: "Calls failed with CircuitOpen without being sent",
  incremental: true
})

/** @internal */
export const circuitsOpen = Metric.gauge("courier_http_client_circuits_open", {
  description: "Circuits currently open or half-open, over every circuit breaker Layer of the process"
})

/** @internal */
export const rateLimitWaits = Metric.counter("courier_http_client_rate_limit_waits", {
  description: "Calls the rate limiter held back before sending them",
  incremental: true
})

/** @internal */
export const rateLimitPauses = Metric.counter("courier_http_client_rate_limit_pauses", {
  description: "Pauses the rate limiter learnt from a 429 or from RateLimit headers",
  incremental: true
})

/** @internal */
export const rateLimitRejections = Metric.counter("courier_http_client_rate_limit_rejections", {
  description: "Calls failed with RateLimited without being sent",
  incremental: true
})

/** @internal */
export const bulkheadRejections = Metric.counter("courier_http_client_bulkhead_rejections", {
  description: "Calls failed with BulkheadFull without being sent",
  incremental: true
})

/** @internal */
export const bulkheadInFlight = Metric.gauge("courier_http_client_bulkhead_in_flight", {
  description: "Calls holding a bulkhead slot, over every bulkhead Layer of the process"
})
