import * as Headers from "@courier/core/Headers"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as AppHeaders from "../../AppHeaders.js"
import * as CourierClient from "../../CourierClient.js"
import type * as CourierRequest from "../../CourierRequest.js"
import { invalidOption } from "./configError.js"

// Visible ASCII with inner spaces: a value every transport sends as is. No
// CR, LF or NUL, so no header injection.
const valuePattern = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/
const maxValueLength = 1024

// Framing and hop-by-hop headers belong to the transport, the body's own
// headers to the body, credentials to the auth Layer (these headers go to
// every origin the client calls).
const refusedNames: ReadonlySet<string> = new Set([
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
): Result.Result<ReadonlyArray<readonly [string, string]>, Config.ConfigError> => {
  const out = new Map<string, string>()
  if (options.extra !== undefined) {
    for (const name of Object.keys(options.extra)) {
      if (!Headers.isToken(name)) return Result.fail(invalidOption(["extra"], "a header name is not a valid token"))
      const lower = name.toLowerCase()
      if (isRefused(lower)) {
        return Result.fail(
          invalidOption(["extra", lower], `${lower} cannot be an app header (use the auth Layer for credentials)`)
        )
      }
      const value = options.extra[name]
      const problem = valueProblem(value)
      if (problem !== undefined) return Result.fail(invalidOption(["extra", lower], `the value ${problem}`))
      out.set(lower, value!)
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
    if (problem !== undefined) return Result.fail(invalidOption([field], `${field} ${problem}`))
    out.set(header, value)
  }
  return Result.succeed(Array.from(out))
}

/** @internal */
export const config: Config.Config<AppHeaders.Options> = Config.map(
  Config.all({
    appName: Config.option(Config.String("APP_NAME")),
    appVersion: Config.option(Config.String("APP_VERSION")),
    platform: Config.option(Config.String("APP_PLATFORM")),
    userAgent: Config.option(Config.String("APP_USER_AGENT"))
  }),
  (values): AppHeaders.Options => {
    const out: { -readonly [K in keyof AppHeaders.Options]: AppHeaders.Options[K] } = {}
    for (const key of ["appName", "appVersion", "platform", "userAgent"] as const) {
      const value = Option.getOrUndefined(values[key])
      if (value !== undefined) out[key] = value
    }
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

const decorateWith = (options: AppHeaders.Options, execute: CourierClient.Execute) =>
  Result.match(resolve(options), {
    onFailure: (error) => Effect.fail(error),
    onSuccess: (entries) => Effect.succeed(withHeaders(entries, execute))
  })

/** @internal */
export const layer = (options: AppHeaders.Options) =>
  CourierClient.layerDecorate((execute) => decorateWith(options, execute))

/** @internal */
export const layerConfig = (source: Config.Config<AppHeaders.Options> = config) =>
  CourierClient.layerDecorate((execute) => Effect.flatMap(source, (options) => decorateWith(options, execute)))
