/**
 * The configuration of one client (Dio's `BaseOptions`): base URL, default
 * headers, timeouts, redirect and size limits, default decoding. Built once,
 * from code with `layer` or from the environment with `layerConfig`, and
 * normalised at construction so no request pays for it again.
 *
 * @example
 * ```ts
 * import { CourierConfig } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 *
 * // From code: what is left out keeps its safe default.
 * const FromCode = NodeTransport.layerClient({
 *   baseUrl: "https://api.example.com",
 *   headers: { "x-app": "notes" },
 *   timeouts: { connect: "5 seconds", total: "20 seconds" }
 * })
 *
 * // From COURIER_BASE_URL, COURIER_TIMEOUT_TOTAL, ..., with headers from code on top.
 * const FromEnv = NodeTransport.layerClientConfig({ headers: { "x-app": "notes" } })
 *
 * // Another prefix: NOTES_BASE_URL, NOTES_TIMEOUT_TOTAL, ...
 * const NotesConfig = CourierConfig.layerConfig(CourierConfig.config("NOTES"))
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as internal from "./internal/core/config.js"
import { CourierConfig } from "./internal/core/config.js"

/**
 * The four timeouts, each a `Duration`; `Duration.infinity` turns one off.
 *
 * @since 0.1.0
 */
export interface Timeouts {
  /** Socket (and TLS) established. Default 10 seconds. Per client: connections are pooled. */
  readonly connect: Duration.Duration
  /** Request body handed to the socket, from the first byte sent. Default 30 seconds. */
  readonly send: Duration.Duration
  /** Silence while waiting for the headers or between body chunks. Default 30 seconds. */
  readonly receive: Duration.Duration
  /**
   * Deadline over the whole call: every attempt, redirect and the body read,
   * and what the Layers wait for besides the server (a refresh, a bulkhead
   * slot, a rate-limit pause, a token, breaker, limiter or cache store
   * outside the process). Default 60 seconds.
   */
  readonly total: Duration.Duration
}

/**
 * Timeouts as users write them: any `DurationInput`, each optional.
 *
 * @since 0.1.0
 */
export type TimeoutsInput = { readonly [K in keyof Timeouts]?: Duration.DurationInput }

/**
 * The timeouts one call can override. `connect` is not among them: it
 * belongs to the connection pool, which the client's calls share.
 *
 * @since 0.1.0
 */
export type RequestTimeoutsInput = Omit<TimeoutsInput, "connect">

/**
 * How an array in the query is written: `repeat` gives `a=1&a=2` (default),
 * `csv` gives `a=1,2`, `brackets` gives `a[]=1&a[]=2`.
 *
 * @since 0.1.0
 */
export type ArrayFormat = "repeat" | "csv" | "brackets"

/**
 * How a response body is decoded when the request gives no `schema`.
 *
 * @since 0.1.0
 */
export type ResponseType = "json" | "text" | "bytes" | "none"

/**
 * The options of `layer`. Every field is optional; the defaults are the safe ones.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Requests name paths relative to it; an absolute URL to another origin is refused. No default. */
  readonly baseUrl?: string | URL | undefined
  /** Headers sent with every request. Default: `accept: application/json, text/plain, *\/*`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Default `{ connect: 10s, send: 30s, receive: 30s, total: 60s }`. */
  readonly timeouts?: TimeoutsInput | undefined
  /** Redirect hops followed before `LimitExceeded`; 0 returns the 3xx as a `BadResponse`. Default 10. */
  readonly maxRedirects?: number | undefined
  /** Follow an https to http redirect. Default false: `RequestRefused("InsecureRedirect")`. */
  readonly allowInsecureRedirects?: boolean | undefined
  /** Largest buffered response body, counted after decompression. Default 32 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Most content encodings a response may stack (`gzip, br`). Default 2. */
  readonly maxContentEncodings?: number | undefined
  /** Other origins absolute URLs may name when a base URL is set, as `https://host[:port]`. Default none. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /**
   * Extra secret header names: dropped when a redirect changes origin and
   * redacted wherever a request or failure is shown, like the secret headers
   * of `Redaction.defaults` (always included).
   */
  readonly credentialHeaders?: ReadonlyArray<string> | undefined
  /** Decoding when a request names neither `schema` nor `responseType`. Default `json`. */
  readonly responseType?: ResponseType | undefined
  /** Default `repeat`. */
  readonly arrayFormat?: ArrayFormat | undefined
  /** `user:pass@` in a URL: `refuse` (default) or turn it into a Basic `authorization` header. */
  readonly urlCredentials?: "refuse" | "basic" | undefined
}

/**
 * The normalised configuration every request reads.
 *
 * @since 0.1.0
 */
export interface ResolvedConfig {
  readonly baseUrl: URL | undefined
  /** The base URL's path without a trailing slash (`""` for the root). */
  readonly basePath: string
  /** Lower-cased names, validated values. */
  readonly headers: Readonly<Record<string, string>>
  readonly timeouts: Timeouts
  readonly maxRedirects: number
  readonly allowInsecureRedirects: boolean
  readonly maxResponseBytes: number
  readonly maxContentEncodings: number
  readonly allowedOrigins: ReadonlySet<string>
  /** Lower-cased; always includes the secret headers of `Redaction.defaults`. */
  readonly credentialHeaders: ReadonlySet<string>
  readonly responseType: ResponseType
  readonly arrayFormat: ArrayFormat
  readonly urlCredentials: "refuse" | "basic"
}

/**
 * The configuration service.
 *
 * @since 0.1.0
 */
export { CourierConfig }

/**
 * Validates and normalises options. Fails on a base URL that is not an
 * absolute http(s) URL, a bad header or a negative limit.
 *
 * @since 0.1.0
 */
export const make: (options?: Options) => Either.Either<ResolvedConfig, string> = internal.resolve

/**
 * A Layer of the configuration built from code.
 *
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<CourierConfig, ConfigError.ConfigError> =>
  Layer.effect(
    CourierConfig,
    Either.match(make(options), {
      onLeft: (message) => Effect.fail(ConfigError.InvalidData([], message)),
      onRight: Effect.succeed
    })
  )

/**
 * The configuration read from the environment, every name under a prefix
 * (`COURIER_` for `fromEnv`): `BASE_URL`, `TIMEOUT_CONNECT`, `TIMEOUT_SEND`,
 * `TIMEOUT_RECEIVE`, `TIMEOUT_TOTAL` (durations such as `5 seconds`),
 * `MAX_REDIRECTS`, `MAX_RESPONSE_BYTES`, `ALLOW_INSECURE_REDIRECTS`.
 *
 * @since 0.1.0
 */
export const config = (prefix = "COURIER"): Config.Config<Options> => {
  // Each value is checked where it is read, so that the message names the
  // variable the user set (`COURIER_BASE_URL: "x" is not an absolute URL`)
  // rather than the option it becomes.
  const variable = <A>(name: string, parse: (text: string) => Either.Either<A, string>) =>
    Config.option(Config.mapOrFail(Config.string(name), (text) =>
      Either.mapLeft(parse(text), (problem) => ConfigError.InvalidData([], `${prefix}_${name}: ${problem}`))))
  return Config.nested(
    Config.all({
      baseUrl: variable("BASE_URL", internal.parseEnv.baseUrl),
      connect: variable("TIMEOUT_CONNECT", internal.parseEnv.duration),
      send: variable("TIMEOUT_SEND", internal.parseEnv.duration),
      receive: variable("TIMEOUT_RECEIVE", internal.parseEnv.duration),
      total: variable("TIMEOUT_TOTAL", internal.parseEnv.duration),
      maxRedirects: variable("MAX_REDIRECTS", internal.parseEnv.count),
      maxResponseBytes: variable("MAX_RESPONSE_BYTES", internal.parseEnv.count),
      allowInsecureRedirects: variable("ALLOW_INSECURE_REDIRECTS", internal.parseEnv.boolean)
    }),
    prefix
  ).pipe(Config.map(internal.fromEnvValues))
}

/**
 * A Layer of the configuration read from `Config` (the environment by
 * default), with `overrides` from code applied on top.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  source: Config.Config<Options> = config(),
  overrides: Options = {}
): Layer.Layer<CourierConfig, ConfigError.ConfigError> =>
  Layer.effect(
    CourierConfig,
    Effect.flatMap(source, (fromEnv) =>
      Either.match(make(internal.mergeOptions(fromEnv, overrides)), {
        onLeft: (message) => Effect.fail(ConfigError.InvalidData([], message)),
        onRight: Effect.succeed
      }))
  )
