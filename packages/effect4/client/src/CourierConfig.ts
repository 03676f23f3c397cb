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
import type * as CoreConfig from "@courier/core/Config"
import type * as Url from "@courier/core/Url"
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
export type ArrayFormat = Url.ArrayFormat

/**
 * How a response body is decoded when the request gives no `schema`.
 *
 * @since 0.1.0
 */
export type ResponseType = CoreConfig.ResponseType

/**
 * The options of `layer`. Every field is optional; the defaults are the safe ones.
 *
 * @since 0.1.0
 */
export interface Options extends CoreConfig.Options {
  /** Default `{ connect: 10s, send: 30s, receive: 30s, total: 60s }`. */
  readonly timeouts?: TimeoutsInput | undefined
}

/**
 * The normalised configuration every request reads: the options as
 * `@courier/core` resolves them (defaults filled in, header names
 * lower-cased, origins parsed), and the timeouts.
 *
 * @since 0.1.0
 */
export interface ResolvedConfig extends CoreConfig.Resolved {
  readonly timeouts: Timeouts
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
