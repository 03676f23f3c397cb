/**
 * The configuration checked and normalised once: the shared rules of
 * `@courier/core/Config`, plus the timeouts (durations are effect's).
 */
import * as CoreConfig from "@courier/core/Config"
import * as Config from "effect/Config"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as CourierConfig from "../../CourierConfig.js"

const defaultTimeouts: CourierConfig.Timeouts = {
  connect: Duration.seconds(10),
  send: Duration.seconds(30),
  receive: Duration.seconds(30),
  total: Duration.seconds(60)
}

/**
 * A timeout as given: any `Duration.Input` of zero or more; undefined keeps
 * `fallback`. A string is the problem.
 *
 * @internal
 */
export const timeout = (
  input: Duration.Input | undefined,
  fallback: Duration.Duration
): Duration.Duration | string => {
  if (input === undefined) return fallback
  const parsed = Duration.fromInput(input)
  if (Option.isNone(parsed) || Duration.toMillis(parsed.value) < 0) return `${String(input)} is not a duration`
  return parsed.value
}

/** @internal */
export const timeouts = (
  input: CourierConfig.TimeoutsInput | undefined,
  base: CourierConfig.Timeouts = defaultTimeouts
): CourierConfig.Timeouts | string => {
  const out: Record<string, Duration.Duration> = {}
  for (const phase of ["connect", "send", "receive", "total"] as const) {
    const value = timeout(input?.[phase], base[phase])
    if (typeof value === "string") return `timeouts.${phase}: ${value}`
    out[phase] = value
  }
  return out as unknown as CourierConfig.Timeouts
}

/** @internal */
export const resolve = (
  options: CourierConfig.Options = {}
): Result.Result<CourierConfig.ResolvedConfig, string> => {
  const resolved = CoreConfig.resolve(options)
  if (resolved._tag === "Problem") return Result.fail(resolved.problem)
  const t = timeouts(options.timeouts)
  if (typeof t === "string") return Result.fail(t)
  return Result.succeed({ ...resolved.value, timeouts: t })
}

const invalid = (message: string): Config.ConfigError =>
  new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.InvalidValue({ message })))

const fromResult = (result: Result.Result<CourierConfig.ResolvedConfig, string>) =>
  Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(invalid(result.failure))

/** @internal */
export const layer = (
  tag: Context.Key<CourierConfig.CourierConfig, CourierConfig.ResolvedConfig>,
  options: CourierConfig.Options = {}
): Layer.Layer<CourierConfig.CourierConfig, Config.ConfigError> => Layer.effect(tag, fromResult(resolve(options)))

/** @internal */
/**
 * An optional variable, checked where it is read, so that a problem names
 * the variable the user set (`COURIER_BASE_URL: ...`), not the option.
 *
 * @internal
 */
export const variable = <A>(prefix: string, name: string, parse: (text: string) => CoreConfig.Result<A>) =>
  Config.String(name).pipe(
    Config.option,
    Config.mapEffect((text) => {
      if (Option.isNone(text)) return Effect.succeed(undefined)
      const parsed = parse(text.value)
      return parsed._tag === "Ok"
        ? Effect.succeed(parsed.value)
        : Effect.fail(invalid(`${prefix}_${name}: ${parsed.problem}`))
    })
  )

/** A duration as the environment writes it (`5 seconds`). @internal */
export const parseDuration = (text: string): CoreConfig.Result<Duration.Duration> => {
  const value = timeout(text as Duration.Input, Duration.zero)
  return typeof value === "string" ? { _tag: "Problem", problem: value } : { _tag: "Ok", value }
}

/** @internal */
export const config = (prefix = "COURIER"): Config.Config<CourierConfig.Options> => {
  const duration = parseDuration
  return Config.all({
    baseUrl: variable(prefix, "BASE_URL", (text) => CoreConfig.parseBaseUrl(text)),
    connect: variable(prefix, "TIMEOUT_CONNECT", duration),
    send: variable(prefix, "TIMEOUT_SEND", duration),
    receive: variable(prefix, "TIMEOUT_RECEIVE", duration),
    total: variable(prefix, "TIMEOUT_TOTAL", duration),
    maxRedirects: variable(prefix, "MAX_REDIRECTS", CoreConfig.parseCount),
    maxResponseBytes: variable(prefix, "MAX_RESPONSE_BYTES", CoreConfig.parseCount),
    allowInsecureRedirects: variable(prefix, "ALLOW_INSECURE_REDIRECTS", CoreConfig.parseBoolean)
  }).pipe(
    Config.nested(prefix),
    Config.map(({ allowInsecureRedirects, baseUrl, connect, maxRedirects, maxResponseBytes, receive, send, total }) => {
      const options: { -readonly [K in keyof CourierConfig.Options]: CourierConfig.Options[K] } = {
        timeouts: { connect, send, receive, total }
      }
      if (baseUrl !== undefined) options.baseUrl = baseUrl
      if (maxRedirects !== undefined) options.maxRedirects = maxRedirects
      if (maxResponseBytes !== undefined) options.maxResponseBytes = maxResponseBytes
      if (allowInsecureRedirects !== undefined) options.allowInsecureRedirects = allowInsecureRedirects
      return options
    })
  )
}

/** @internal */
export const layerConfig = (
  tag: Context.Key<CourierConfig.CourierConfig, CourierConfig.ResolvedConfig>,
  source: Config.Config<CourierConfig.Options> = config(),
  overrides: CourierConfig.Options = {}
): Layer.Layer<CourierConfig.CourierConfig, Config.ConfigError> =>
  Layer.effect(
    tag,
    Effect.flatMap(source, (fromEnv: CourierConfig.Options) => fromResult(resolve(CoreConfig.mergeOptions<CourierConfig.Options>(fromEnv, overrides))))
  )
