/**
 * The configuration of one client: base URL, default headers, timeouts,
 * redirect and size limits, default decoding. Built once, from code with
 * `layer` or from effect's `Config` with `layerConfig`, and normalised at
 * construction so no request pays for it again.
 *
 * @example
 * ```ts
 * import { CourierConfig } from "@courier/client-effect4"
 *
 * // From code: what is left out keeps its safe default.
 * const FromCode = CourierConfig.layer({
 *   baseUrl: "https://api.example.com",
 *   timeouts: { connect: "5 seconds", total: "20 seconds" }
 * })
 *
 * // From COURIER_BASE_URL, COURIER_TIMEOUT_TOTAL, ..., with headers from code on top.
 * const FromEnv = CourierConfig.layerConfig(CourierConfig.config(), { headers: { "x-app": "notes" } })
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Layer from "effect/Layer"
import type * as Result from "effect/Result"
import * as internal from "./internal/core/config.js"

/**
 * The four timeouts, each a `Duration`; `Duration.infinity` turns one off.
 *
 * @since 0.1.0
 */
export interface Timeouts {
  /** Socket (and TLS) established. Default 10 seconds. Per client: connections are pooled. */
  readonly connect: Duration.Duration
  /** Request body handed to the socket. Default 30 seconds. */
  readonly send: Duration.Duration
  /** Silence while waiting for the headers or between body chunks. Default 30 seconds. */
  readonly receive: Duration.Duration
  /** Deadline over the whole call: every redirect, retry and the body read. Default 60 seconds. */
  readonly total: Duration.Duration
}

/**
 * Timeouts as users write them: any `Duration.Input`, each optional.
 *
 * @since 0.1.0
 */
export type TimeoutsInput = { readonly [K in keyof Timeouts]?: Duration.Input | undefined }

/**
 * The timeouts one call can override. `connect` belongs to the connection
 * pool, which the client's calls share.
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
  /** Largest response body read, counted after decompression. Default 32 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Most content encodings a response may stack (`gzip, br`). Default 2. */
  readonly maxContentEncodings?: number | undefined
  /** Other origins absolute URLs may name when a base URL is set, as `https://host[:port]`. Default none. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /** Extra secret header names: dropped when a redirect changes origin, and redacted. */
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
  /** Lower-cased; always includes the secret headers of the redaction defaults. */
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
export class CourierConfig extends Context.Service<CourierConfig, ResolvedConfig>()(
  "@courier/client-effect4/CourierConfig"
) {}

/**
 * Validates and normalises options: the configuration, or the first problem
 * (a base URL that is not an absolute http(s) URL, a bad header, a negative
 * limit, a timeout that is not a duration), prefixed with the option's name.
 *
 * @since 0.1.0
 */
export const make: (options?: Options) => Result.Result<ResolvedConfig, string> = internal.resolve

/**
 * The configuration built from code; an invalid option fails the Layer
 * with a `Config.ConfigError`.
 *
 * @since 0.1.0
 */
export const layer: (options?: Options) => Layer.Layer<CourierConfig, Config.ConfigError> = (options) =>
  internal.layer(CourierConfig, options)

/**
 * The options read from `Config` (the environment by default), every name
 * under a prefix (`COURIER` by default): `BASE_URL`, `TIMEOUT_CONNECT`,
 * `TIMEOUT_SEND`, `TIMEOUT_RECEIVE`, `TIMEOUT_TOTAL` (durations such as
 * `5 seconds`), `MAX_REDIRECTS`, `MAX_RESPONSE_BYTES`,
 * `ALLOW_INSECURE_REDIRECTS`. Each problem names the variable.
 *
 * @since 0.1.0
 */
export const config: (prefix?: string) => Config.Config<Options> = internal.config

/**
 * The configuration read from `source` (default {@link config}`()`), with
 * `overrides` from code applied on top.
 *
 * @since 0.1.0
 */
export const layerConfig: (
  source?: Config.Config<Options>,
  overrides?: Options
) => Layer.Layer<CourierConfig, Config.ConfigError> = (source, overrides) =>
  internal.layerConfig(CourierConfig, source, overrides)
