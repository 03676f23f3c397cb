import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as AppHeaders from "../../AppHeaders.js"
import type * as CourierClient from "../../CourierClient.js"
import * as Client from "../core/client.js"
import type * as CourierRequest from "../../CourierRequest.js"
import * as Rules from "@courier/core/AppHeaders"

/** The headers to add, in order, or the option that is wrong (the rules of `@courier/core`). @internal */
export const resolve = (
  options: AppHeaders.Options
): Either.Either<ReadonlyArray<readonly [string, string]>, ConfigError.ConfigError> => {
  const resolved = Rules.resolve(options)
  return resolved._tag === "Headers"
    ? Either.right(resolved.entries)
    : Either.left(ConfigError.InvalidData([...resolved.path], resolved.message))
}

const valueProblemText = "must be non-empty printable ASCII, at most 1024 characters, without leading or trailing spaces"

const validated = (name: string) =>
  Config.option(
    Config.string(name).pipe(
      Config.validate({ message: `${name} ${valueProblemText}`, validation: (value) => Rules.valueProblem(value) === undefined })
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
    // The request's own value (set per call or in the client's default
    // headers) wins: the app headers are defaults.
    const headers = Rules.addTo(request.headers, entries)
    return execute(headers === request.headers ? request : { ...request, headers })
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
