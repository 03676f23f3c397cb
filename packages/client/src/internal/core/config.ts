import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as CourierConfigNs from "../../CourierConfig.js"
import * as Config from "@courier/core/Config"

/**
 * The resolved configuration of a client.
 *
 * @since 0.1.0
 */
export class CourierConfig extends Context.Tag("@courier/client/CourierConfig")<CourierConfig, CourierConfigNs.ResolvedConfig>() {}

const defaultTimeouts: CourierConfigNs.Timeouts = {
  connect: Duration.seconds(10),
  send: Duration.seconds(30),
  receive: Duration.seconds(30),
  total: Duration.seconds(60)
}

/**
 * A duration from user input, or undefined when it is not one. Types stop
 * none of this at run time (JavaScript callers, options read from JSON), and
 * `Duration.decode` throws on a string it cannot read; a negative or NaN
 * number would silently become zero, a timeout that fires at once.
 *
 * @internal
 */
export const decodeDuration = (input: unknown): Duration.Duration | undefined => {
  if (typeof input === "number" && !(input >= 0)) return undefined
  if (typeof input === "bigint" && input < BigInt(0)) return undefined
  if (typeof input === "string" && input.trimStart().startsWith("-")) return undefined
  if (Array.isArray(input) && !input.every((n) => typeof n === "number" && n >= 0)) return undefined
  return Option.getOrUndefined(Duration.decodeUnknown(input))
}

/** The problem with a duration option, naming it, or undefined when it is valid. @internal */
export const durationProblem = (name: string, input: unknown): string | undefined =>
  input === undefined || decodeDuration(input) !== undefined
    ? undefined
    : `${name} is not a duration (a Duration, a number of milliseconds or a string like "10 seconds")`

/** The timeouts with the given ones over `base`, or the problem with one of them. @internal */
export const resolveTimeouts = (
  base: CourierConfigNs.Timeouts,
  input: CourierConfigNs.TimeoutsInput | undefined
): CourierConfigNs.Timeouts | string => {
  if (input === undefined) return base
  const out: { -readonly [K in keyof CourierConfigNs.Timeouts]: Duration.Duration } = { ...base }
  for (const key of ["connect", "send", "receive", "total"] as const) {
    const value: unknown = input[key]
    if (value === undefined) continue
    const decoded = decodeDuration(value)
    if (decoded === undefined) return durationProblem(`timeouts.${key}`, value)!
    out[key] = decoded
  }
  return out
}

/** @internal */
export const parseOrigin = Config.parseOrigin

const toEither = <A>(result: Config.Result<A>): Either.Either<A, string> =>
  result._tag === "Ok" ? Either.right(result.value) : Either.left(result.problem)

/**
 * The base URL, or a message that says what is wrong with it, worded so that
 * the caller can put the name of the setting in front (`baseUrl: ...`,
 * `COURIER_BASE_URL: ...`).
 *
 * @internal
 */
export const parseBaseUrl = (value: string | URL): Either.Either<URL, string> => toEither(Config.parseBaseUrl(value))

/**
 * `@courier/core`'s checks and defaults, and the timeouts, the one part
 * that is Effect's (`Duration`).
 *
 * @internal
 */
export const resolve = (options: CourierConfigNs.Options = {}): Either.Either<CourierConfigNs.ResolvedConfig, string> => {
  const resolved = Config.resolve(options)
  if (resolved._tag === "Problem") return Either.left(resolved.problem)
  const timeouts = resolveTimeouts(defaultTimeouts, options.timeouts)
  if (typeof timeouts === "string") return Either.left(timeouts)
  return Either.right({ ...resolved.value, timeouts })
}

/**
 * Parsers for the environment's text, each failing with a message the caller
 * prefixes with the variable's name. They accept what `Config.duration`,
 * `Config.integer` and `Config.boolean` accept, minus negative counts.
 *
 * @internal
 */
export const parseEnv = {
  baseUrl: (text: string): Either.Either<string, string> => Either.map(parseBaseUrl(text), () => text),
  duration: (text: string): Either.Either<Duration.Duration, string> =>
    Either.fromOption(
      Duration.decodeUnknown(text),
      () => `${JSON.stringify(text)} is not a duration such as "5 seconds" or "500 millis"`
    ),
  count: (text: string): Either.Either<number, string> => toEither(Config.parseCount(text)),
  boolean: (text: string): Either.Either<boolean, string> => toEither(Config.parseBoolean(text))
}

/** @internal */
export const fromEnvValues = (values: {
  readonly baseUrl: Option.Option<string>
  readonly connect: Option.Option<Duration.Duration>
  readonly send: Option.Option<Duration.Duration>
  readonly receive: Option.Option<Duration.Duration>
  readonly total: Option.Option<Duration.Duration>
  readonly maxRedirects: Option.Option<number>
  readonly maxResponseBytes: Option.Option<number>
  readonly allowInsecureRedirects: Option.Option<boolean>
}): CourierConfigNs.Options => {
  const timeouts: { -readonly [K in keyof CourierConfigNs.Timeouts]?: Duration.Duration } = {}
  for (const key of ["connect", "send", "receive", "total"] as const) {
    const value = values[key]
    if (Option.isSome(value)) timeouts[key] = value.value
  }
  return {
    baseUrl: Option.getOrUndefined(values.baseUrl),
    timeouts,
    maxRedirects: Option.getOrUndefined(values.maxRedirects),
    maxResponseBytes: Option.getOrUndefined(values.maxResponseBytes),
    allowInsecureRedirects: Option.getOrUndefined(values.allowInsecureRedirects)
  }
}

/** Options from code win over options from the environment, field by field. @internal */
export const mergeOptions: (base: CourierConfigNs.Options, overrides: CourierConfigNs.Options) => CourierConfigNs.Options =
  Config.mergeOptions
