/**
 * Headers that describe the application (`user-agent`, `x-app-name`,
 * `x-app-version`, `x-platform` and any extras), added to every request that
 * does not set them itself, as a Layer over the client.
 *
 * Values are checked when the Layer is built: a value that is not printable
 * ASCII (CR, LF, control characters) fails the Layer with a `ConfigError`
 * and is never sent. The failure names the option, never the value.
 *
 * These headers go to every origin the client calls, so they are not the
 * place for credentials: `authorization`, `cookie` and the framing headers
 * (`host`, `content-length`...) are refused as extras.
 *
 * @example
 * ```ts
 * import { AppHeaders } from "@courier/client-effect4"
 *
 * const Identity = AppHeaders.layer({ userAgent: "notes/1.4.2", appName: "notes", appVersion: "1.4.2", platform: "ios" })
 * // Or from APP_NAME, APP_VERSION, APP_PLATFORM, APP_USER_AGENT:
 * const FromEnv = AppHeaders.layerConfig()
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as Layer from "effect/Layer"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/appHeaders.js"

/**
 * Each header is added only when given. Values must be non-empty printable
 * ASCII of at most 1024 characters, without leading or trailing spaces.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Sent as `user-agent`. */
  readonly userAgent?: string | undefined
  /** Sent as `x-app-name`. */
  readonly appName?: string | undefined
  /** Sent as `x-app-version`. */
  readonly appVersion?: string | undefined
  /** Sent as `x-platform`. */
  readonly platform?: string | undefined
  /** More headers; the named options above win over an extra of the same name. */
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/**
 * The options read from `Config` (the environment by default): `APP_NAME`,
 * `APP_VERSION`, `APP_PLATFORM`, `APP_USER_AGENT`, each optional and
 * validated like the options when the Layer is built.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = internal.config

/**
 * The Layer with headers given in code.
 *
 * @since 0.1.0
 */
export const layer: (
  options: Options
) => Layer.Layer<CourierClient.CourierClient, Config.ConfigError, CourierClient.CourierClient> = internal.layer

/**
 * The Layer with headers read from `Config` (default {@link config}).
 *
 * @since 0.1.0
 */
export const layerConfig: (
  config?: Config.Config<Options>
) => Layer.Layer<CourierClient.CourierClient, Config.ConfigError, CourierClient.CourierClient> = internal.layerConfig
