import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Bulkhead from "../../../Bulkhead.js"
import * as Client from "../../core/client.js"
import * as Deadline from "../../core/deadline.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import * as Metrics from "../metrics.js"
import { originKey } from "./breaker.js"

interface Compartment {
  readonly slots: Effect.Semaphore
  /** Calls holding a slot or queued for one. */
  admitted: number
}

const wholeAtLeast = (value: number, least: number) => Number.isInteger(value) && value >= least

/** @internal */
export const layer = (options: Bulkhead.Options) =>
  Client.layerDecorate((execute) => {
    const maxConcurrent = options.maxConcurrent
    const maxQueue = options.maxQueue ?? 0
    if (!wholeAtLeast(maxConcurrent, 1)) {
      return Effect.fail(ConfigError.InvalidData(["bulkhead"], "maxConcurrent must be a whole number of at least 1"))
    }
    if (!wholeAtLeast(maxQueue, 0)) {
      return Effect.fail(ConfigError.InvalidData(["bulkhead"], "maxQueue must be a whole number of at least 0"))
    }
    const key = options.key ?? originKey
    return Effect.sync(() => {
      // Slots are held by fibers of this process: the bulkhead protects this
      // process's resources, so its state is local by nature (no store).
      const compartments = new Map<string, Compartment>()
      const compartmentFor = (name: string): Compartment => {
        let compartment = compartments.get(name)
        if (compartment === undefined) {
          compartment = { slots: Effect.unsafeMakeSemaphore(maxConcurrent), admitted: 0 }
          compartments.set(name, compartment)
        }
        return compartment
      }

      /** A slot, waited for no longer than the call's deadline. */
      const slot = (compartment: Compartment, request: CourierRequest.CourierRequest) => {
        return Deadline.within(request, compartment.slots.take(1))
      }

      return (request: CourierRequest.CourierRequest) =>
        Effect.suspend(() => {
          const name = key(request)
          const compartment = compartmentFor(name)
          if (compartment.admitted >= maxConcurrent + maxQueue) {
            return Effect.zipRight(
              Metric.increment(Metrics.bulkheadRejections),
              Effect.fail(new CourierError.BulkheadFull({ request: request.info, key: name, maxConcurrent, maxQueue }))
            )
          }
          compartment.admitted += 1
          const run = Effect.uninterruptibleMask((restore) =>
            Effect.zipRight(
              restore(slot(compartment, request)),
              Effect.ensuring(
                Effect.zipRight(Metric.increment(Metrics.bulkheadInFlight), restore(execute(request))),
                Effect.zipRight(compartment.slots.release(1), Metric.incrementBy(Metrics.bulkheadInFlight, -1))
              )
            )
          )
          return Effect.ensuring(run, Effect.sync(() => {
            compartment.admitted -= 1
          }))
        })
    })
  })
