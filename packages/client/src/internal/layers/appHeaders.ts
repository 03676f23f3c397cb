import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as AppHeaders from "../../AppHeaders.js"
import type * as CourierClient from "../../CourierClient.js"
import * as Client from "../core/client.js"
import type * as CourierRequest from "../../CourierRequest.js"
import * as Headers from "@courier/core/Headers"

// Visible ASCII with inner spaces: a value every transport sends as is (fetch
// rejects characters above U+00FF, and obs-text is read differently by
// different servers). No CR, LF or NUL, so no header injection.
const valuePattern = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/
const maxValueLength = 1024

// Framing and hop-by-hop headers belong to the transport (the rule every
// header source shares, in headers.ts); the body's own headers to the body;
// credentials to the auth Layer (these headers go to every origin the client calls).
const refusedNames = new Set([
  "host",
  "content-length",
  "content-type",
  "authorization",
  "proxy-authorization",
  "cookie"
])

const isRefused = (lower: string): boolean => refusedNames.has(lower) || Headers.isTransportOwned(lower)

/** Why a value is refused; never the value itself, which may be anything. */
const valueProblem = (value: unknown): string | undefined => {
  if (typeof value !== "string") return "must be a string"
  if (value.length > maxValueLength) return `must be at most ${maxValueLength} characters`
  if (!valuePattern.test(value)) {
    return "must be non-empty printable ASCII without leading or trailing spaces (no CR, LF or control characters)"
  }
  return undefined
}

/** The headers to add, in order, or the option that is wrong. @internal */
export const resolve = (
  options: AppHeaders.Options
): Either.Either<ReadonlyArray<readonly [string, string]>, ConfigError.ConfigError> => {
  const out = new Map<string, string>()
  if (options.extra !== undefined) {
    for (const name of Object.keys(options.extra)) {
      if (!Headers.isToken(name)) {
        return Either.left(ConfigError.InvalidData(["extra"], "a header name is not a valid token"))
      }
      const lower = name.toLowerCase()
      if (isRefused(lower)) {
        return Either.left(
          ConfigError.InvalidData(["extra", lower], `${lower} cannot be an app header (use the auth Layer for credentials)`)
        )
      }
      const problem = valueProblem(options.extra[name])
      if (problem !== undefined) return Either.left(ConfigError.InvalidData(["extra", lower], `the value ${problem}`))
      out.set(lower, options.extra[name])
    }
  }
  const named: ReadonlyArray<readonly ["userAgent" | "appName" | "appVersion" | "platform", string]> = [
    ["userAgent", "user-agent"],
    ["appName", "x-app-name"],
    ["appVersion", "x-app-version"],
    ["platform", "x-platform"]
  ]
  for (const [field, header] of named) {
    const value = options[field]
    if (value === undefined) continue
    const problem = valueProblem(value)
    if (problem !== undefined) return Either.left(ConfigError.InvalidData([field], `${field} ${problem}`))
    out.set(header, value)
  }
  return Either.right(Array.from(out))
}

const valueProblemText = "must be non-empty printable ASCII, at most 1024 characters, without leading or trailing spaces"

const validated = (name: string) =>
  Config.option(
    Config.string(name).pipe(
      Config.validate({ message: `${name} ${valueProblemText}`, validation: (value) => valueProblem(value) === undefined })
    )
  )

const orUndefined = (option: Option.Option<string>): string | undefined => Option.getOrUndefined(option)

/** @internal */
export const config: Config.Config<AppHeaders.Options> = Config.map(
  Config.all({
    appName: validated("APP_NAME"),
    appVersion: validated("APP_VERSION"),
    platform: validated("APP_PLATFORM"),
    userAgent: validated("APP_USER_AGENT")
  }),
  (values): AppHeaders.Options => {
    const out: { -readonly [K in keyof AppHeaders.Options]: AppHeaders.Options[K] } = {}
    const appName = orUndefined(values.appName)
    const appVersion = orUndefined(values.appVersion)
    const platform = orUndefined(values.platform)
    const userAgent = orUndefined(values.userAgent)
    if (appName !== undefined) out.appName = appName
    if (appVersion !== undefined) out.appVersion = appVersion
    if (platform !== undefined) out.platform = platform
    if (userAgent !== undefined) out.userAgent = userAgent
    return out
  }
)

const withHeaders = (
  entries: ReadonlyArray<readonly [string, string]>,
  execute: CourierClient.Execute
): CourierClient.Execute => {
  if (entries.length === 0) return execute
  return (request: CourierRequest.CourierRequest) => {
    let headers: Record<string, string> | undefined
    for (const [name, value] of entries) {
      // The request's own value (set per call or in the client's default
      // headers) wins: the app headers are defaults.
      if (request.headers[name] !== undefined) continue
      if (headers === undefined) headers = { ...request.headers }
      headers[name] = value
    }
    return execute(headers === undefined ? request : { ...request, headers })
  }
}

/** @internal */
export const layer = (options: AppHeaders.Options) =>
  Client.layerDecorate((execute) =>
    Either.match(resolve(options), {
      onLeft: (error) => Effect.fail(error),
      onRight: (entries) => Effect.succeed(withHeaders(entries, execute))
    })
  )

/** @internal */
export const layerConfig = (source: Config.Config<AppHeaders.Options> = config) =>
  Client.layerDecorate((execute) =>
    Effect.flatMap(source, (options) =>
      Either.match(resolve(options), {
        onLeft: (error) => Effect.fail(error),
        onRight: (entries) => Effect.succeed(withHeaders(entries, execute))
      }))
  )
