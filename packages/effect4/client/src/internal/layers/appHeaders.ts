import * as Rules from "@courier/core/AppHeaders"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as AppHeaders from "../../AppHeaders.js"
import * as CourierClient from "../../CourierClient.js"
import type * as CourierRequest from "../../CourierRequest.js"
import { invalidOption } from "./configError.js"

/** The headers to add, in order, or the option that is wrong (the rules of `@courier/core`). @internal */
export const resolve = (
  options: AppHeaders.Options
): Result.Result<ReadonlyArray<readonly [string, string]>, Config.ConfigError> => {
  const resolved = Rules.resolve(options)
  return resolved._tag === "Headers"
    ? Result.succeed(resolved.entries)
    : Result.fail(invalidOption(resolved.path, resolved.message))
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
    // The request's own value (set per call or in the client's default
    // headers) wins: the app headers are defaults.
    const headers = Rules.addTo(request.headers, entries)
    return execute(headers === request.headers ? request : { ...request, headers })
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
