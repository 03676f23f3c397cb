/**
 * A bulkhead per origin (or per key), as a Layer over the client: at most
 * `maxConcurrent` calls in flight, at most `maxQueue` more waiting for a
 * slot; a call beyond that fails at once with
 * `BulkheadFull`, without being sent. A slow downstream then ties up a
 * bounded share of the process (sockets, memory, fibers), not all of it.
 *
 * A queued call waits no longer than its `total` deadline: when the deadline
 * passes first, it fails with `Timeout` (phase `total`), as any wait of the
 * call does. Interrupting a queued call leaves the queue.
 *
 * Above the Retry Layer (as in `Preset`) a call holds its slot for all its
 * attempts and the waits between them, so `maxConcurrent` bounds the calls
 * the program made, not the requests on the wire at one instant.
 *
 * Slots are held by fibers of this process, so the bulkhead's state is local
 * by nature: it bounds this process's share, whatever other replicas do.
 * Measured by `courier_http_client_bulkhead_rejections` and the gauge
 * `courier_http_client_bulkhead_in_flight`.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Bulkhead.layer({ maxConcurrent: 8, maxQueue: 32 }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as Metrics from "./internal/layers/metrics.js"
import * as internal from "./internal/layers/resilience/bulkhead.js"

/**
 * @since 0.1.0
 */
export interface Options {
  /** Calls in flight at once, per key. */
  readonly maxConcurrent: number
  /** Calls waiting for a slot, per key. Default 0: no queue. */
  readonly maxQueue?: number | undefined
  /** The compartment a request belongs to. Default: its origin. */
  readonly key?: ((request: CourierRequest.CourierRequest) => string) | undefined
}

/**
 * The bulkhead Layer, decorating the client below it. A limit that is not a
 * whole number (at least 1 call, at least 0 queued) fails the Layer with a
 * `ConfigError`.
 *
 * @since 0.1.0
 */
export const layer: (
  options: Options
) => Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient> = internal.layer

/**
 * Calls failed with `BulkheadFull` (`courier_http_client_bulkhead_rejections`).
 *
 * @since 0.1.0
 */
export const rejections: Metric.Metric.Counter<number> = Metrics.bulkheadRejections

/**
 * Calls holding a slot now, over every bulkhead of the process
 * (`courier_http_client_bulkhead_in_flight`).
 *
 * @since 0.1.0
 */
export const inFlight: Metric.Metric.Gauge<number> = Metrics.bulkheadInFlight
