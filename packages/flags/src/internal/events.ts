import type * as CourierClient from "@courier/client/CourierClient"
import * as ServerSentEvents from "@courier/client/ServerSentEvents"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as FeatureFlags from "../FeatureFlags.js"

type EventsOptions = NonNullable<FeatureFlags.Options["events"]>

/**
 * @internal
 * Keeps a server-sent event stream open for as long as the fiber runs;
 * every event triggers `onEvent` (an evaluation). The stream is only a
 * signal: values always come from the evaluation, which carries the
 * context, so an event the client missed costs one evaluation, not a value.
 */
export const listen = (
  client: CourierClient.Service,
  options: EventsOptions,
  onEvent: Effect.Effect<void>
): Effect.Effect<never> =>
  Effect.gen(function*() {
    const minDelay = Duration.decode(options.minDelay ?? Duration.seconds(1))
    const maxDelay = Duration.decode(options.maxDelay ?? Duration.seconds(30))
    const idle = Duration.decode(options.idleTimeout ?? Duration.minutes(1))
    let lastEventId: string | undefined
    let serverRetry: Duration.Duration | undefined
    // Consecutive connections that ended without delivering an event.
    let fruitless = 0
    while (true) {
      let delivered = false
      const connection = ServerSentEvents.stream(client, options.path, {
        headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
        timeouts: { total: Duration.infinity, receive: idle }
      }).pipe(
        Stream.runForEach((event) =>
          Effect.suspend(() => {
            delivered = true
            if (event.id !== undefined) lastEventId = event.id
            if (event.retry !== undefined) serverRetry = Duration.millis(event.retry)
            return onEvent
          })
        )
      )
      yield* connection.pipe(
        Effect.catchAll((error) => Effect.logDebug(`feature flags: the event stream failed (${error.message})`))
      )
      fruitless = delivered ? 0 : fruitless + 1
      const base = serverRetry ?? minDelay
      const wait = Duration.min(maxDelay, Duration.times(base, 2 ** Math.min(fruitless, 30)))
      yield* Effect.sleep(wait)
    }
  })
