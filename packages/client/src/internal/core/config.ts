import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as CourierConfigNs from "../../CourierConfig.js"
import * as Headers from "@courier/core/Headers"
import { secretHeaders } from "../redaction/rules.js"

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

/** The secret headers of the redaction defaults are always credentials: dropped on an origin change. */
const alwaysCredentialHeaders = secretHeaders

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

const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** @internal */
export const parseOrigin = (origin: string): string | undefined => {
  try {
    const url = new URL(origin)
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined
  } catch {
    return undefined
  }
}

// A value is echoed in a message only when it cannot carry a secret: a URL
// that does not parse may still hold `user:password@`.
const quote = (text: string): string => text.includes("@") ? "(value not shown)" : JSON.stringify(text)

/**
 * The base URL, or a message that says what is wrong with it, worded so that
 * the caller can put the name of the setting in front (`baseUrl: ...`,
 * `COURIER_BASE_URL: ...`).
 *
 * @internal
 */
export const parseBaseUrl = (value: string | URL): Either.Either<URL, string> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return Either.left(`${quote(String(value))} is not an absolute URL`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`${quote(url.href)} must use http or https, not ${url.protocol}`)
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left("must not embed credentials; send them with a header or the auth Layer")
  }
  return Either.right(url)
}

/** @internal */
export const resolve = (options: CourierConfigNs.Options = {}): Either.Either<CourierConfigNs.ResolvedConfig, string> => {
  let baseUrl: URL | undefined
  if (options.baseUrl !== undefined) {
    const parsed = parseBaseUrl(options.baseUrl)
    if (Either.isLeft(parsed)) return Either.left(`baseUrl: ${parsed.left}`)
    baseUrl = parsed.right
  }
  const headers: Record<string, string> = { accept: "application/json, text/plain, */*" }
  const problem = Headers.normalize(headers, options.headers ?? {})
  if (problem !== undefined) {
    return Either.left(`default header ${problem.name}: ${problem.problem}`)
  }
  const maxRedirects = options.maxRedirects ?? 10
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024
  const maxContentEncodings = options.maxContentEncodings ?? 2
  for (const [name, value] of [["maxRedirects", maxRedirects], ["maxResponseBytes", maxResponseBytes], [
    "maxContentEncodings",
    maxContentEncodings
  ]] as const) {
    if (!isCount(value)) return Either.left(`${name}: ${value} is not a whole number of at least 0`)
  }
  const allowedOrigins = new Set<string>()
  for (const origin of options.allowedOrigins ?? []) {
    const parsed = parseOrigin(origin)
    if (parsed === undefined) return Either.left(`allowedOrigins: ${origin} is not an http(s) origin`)
    allowedOrigins.add(parsed)
  }
  const credentialHeaders = new Set(alwaysCredentialHeaders)
  for (const name of options.credentialHeaders ?? []) {
    if (!Headers.isToken(name)) return Either.left(`credentialHeaders: ${name} is not a header name`)
    credentialHeaders.add(name.toLowerCase())
  }
  const timeouts = resolveTimeouts(defaultTimeouts, options.timeouts)
  if (typeof timeouts === "string") return Either.left(timeouts)
  const basePath = baseUrl === undefined ? "" : baseUrl.pathname.replace(/\/+$/, "")
  return Either.right({
    baseUrl,
    basePath,
    headers,
    timeouts,
    maxRedirects,
    allowInsecureRedirects: options.allowInsecureRedirects ?? false,
    maxResponseBytes,
    maxContentEncodings,
    allowedOrigins,
    credentialHeaders,
    responseType: options.responseType ?? "json",
    arrayFormat: options.arrayFormat ?? "repeat",
    urlCredentials: options.urlCredentials ?? "refuse"
  })
}

const booleans: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  "1": true,
  false: false,
  no: false,
  off: false,
  "0": false
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
  count: (text: string): Either.Either<number, string> => {
    const value = Number(text)
    return text.trim() !== "" && isCount(value)
      ? Either.right(value)
      : Either.left(`${JSON.stringify(text)} is not a whole number of at least 0`)
  },
  boolean: (text: string): Either.Either<boolean, string> => {
    const value = Object.hasOwn(booleans, text) ? booleans[text] : undefined
    return value === undefined
      ? Either.left(`${JSON.stringify(text)} is not one of true, false, yes, no, on, off, 1, 0`)
      : Either.right(value)
  }
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
export const mergeOptions = (
  base: CourierConfigNs.Options,
  overrides: CourierConfigNs.Options
): CourierConfigNs.Options => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value
  }
  merged.timeouts = { ...base.timeouts, ...overrides.timeouts }
  merged.headers = { ...base.headers, ...overrides.headers }
  return merged as CourierConfigNs.Options
}
