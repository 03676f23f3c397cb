/**
 * The options' durations, read once when the service is made: a value that
 * is not a duration (a typo in a string from JavaScript or a config file) is
 * a `ConfigError` naming the option, never a defect in a background fiber.
 */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as FeatureFlags from "../FeatureFlags.js"

/** Polling faster than this would hammer the flag server: refused. */
const minPollInterval = Duration.seconds(1)

const read = (
  name: string,
  input: Duration.DurationInput | undefined,
  fallback: Duration.Duration
): Effect.Effect<Duration.Duration, ConfigError.ConfigError> => {
  if (input === undefined) return Effect.succeed(fallback)
  return Option.match(Duration.decodeUnknown(input), {
    onNone: () => Effect.fail(ConfigError.InvalidData([name], `${name}: ${JSON.stringify(input)} is not a duration`)),
    onSome: (duration) => Effect.succeed(duration)
  })
}

/** @internal */
export interface Durations {
  readonly pollInterval: Duration.Duration
  readonly startupTimeout: Duration.Duration
  readonly minDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly idleTimeout: Duration.Duration
}

/** @internal */
export const resolve = (options: FeatureFlags.Options): Effect.Effect<Durations, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const pollInterval = yield* read("pollInterval", options.pollInterval, Duration.minutes(1))
    if (Duration.lessThan(pollInterval, minPollInterval)) {
      return yield* Effect.fail(ConfigError.InvalidData(["pollInterval"], "pollInterval: must be at least 1 second"))
    }
    return {
      pollInterval,
      startupTimeout: yield* read("startupTimeout", options.startupTimeout, Duration.seconds(5)),
      minDelay: yield* read("events.minDelay", options.events?.minDelay, Duration.seconds(1)),
      maxDelay: yield* read("events.maxDelay", options.events?.maxDelay, Duration.seconds(30)),
      idleTimeout: yield* read("events.idleTimeout", options.events?.idleTimeout, Duration.minutes(1))
    }
  })
