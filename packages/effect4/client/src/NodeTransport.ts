/**
 * The Node transport: a `Transport` on an undici 8 `Agent` the Layer owns
 * (pooled keep-alive connections per origin, closed when the Layer's scope
 * ends), with the client's `connect` timeout on its connector and TLS
 * verification on unless turned off explicitly.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@courier/client-effect4"
 *
 * // A client for a service with a private CA and a client certificate.
 * const Client = NodeTransport.layerClient(
 *   { baseUrl: "https://api.internal.example" },
 *   { ca: process.env["INTERNAL_CA"] ?? "", cert: "...", key: "..." }
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Agent } from "undici"
import * as CourierClient from "./CourierClient.js"
import * as CourierConfig from "./CourierConfig.js"
import * as Options_ from "./internal/transport/options.js"
import * as Undici from "./internal/transport/undici.js"
import * as Transport from "./Transport.js"

/**
 * TLS material: PEM text or bytes, in `Redacted` when it is a secret.
 *
 * @since 0.1.0
 */
export type TlsSource = string | Uint8Array | Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>

/**
 * The connection settings. Every field is optional.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Connections per origin. Default: no limit (undici's). */
  readonly connections?: number | undefined
  /** How long an idle kept-alive connection stays open. Default 4 seconds (undici's). */
  readonly keepAliveTimeout?: Duration.Input | undefined
  /** Trusted CAs instead of Node's bundle. */
  readonly ca?: TlsSource | ReadonlyArray<TlsSource> | undefined
  /** Client certificate (PEM). */
  readonly cert?: TlsSource | undefined
  /** Client certificate key (PEM). */
  readonly key?: TlsSource | undefined
  // No option turns certificate verification off, as on effect 3: a server
  // with its own CA (a test server's self-signed one, say) is trusted by
  // giving that CA as `ca`.
}

const reveal = (source: TlsSource): string | Buffer => {
  const value: string | Uint8Array = Redacted.isRedacted(source) ? Redacted.value(source as Redacted.Redacted<string | Uint8Array>) : source
  return typeof value === "string" ? value : Buffer.from(value)
}

/**
 * The undici `Agent` the transport sends through, configured from the
 * options and the client's `connect` timeout; closed with `scope`.
 *
 * @since 0.1.0
 */
export const agent = (
  options: Options,
  connectTimeout: Duration.Duration
): Effect.Effect<Agent, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const ca = options.ca === undefined
        ? undefined
        : (Array.isArray(options.ca) ? options.ca : [options.ca]).map(reveal)
      const keepAlive = options.keepAliveTimeout === undefined
        ? undefined
        : Duration.toMillis(Duration.fromInputUnsafe(options.keepAliveTimeout))
      return new Agent({
        ...(options.connections !== undefined ? { connections: options.connections } : {}),
        ...(keepAlive !== undefined ? { keepAliveTimeout: keepAlive } : {}),
        connect: {
          // undici takes 0 for "no connect timeout".
          timeout: Duration.isFinite(connectTimeout) ? Math.max(1, Duration.toMillis(connectTimeout)) : 0,
          rejectUnauthorized: true,
          ...(ca !== undefined ? { ca } : {}),
          ...(options.cert !== undefined ? { cert: reveal(options.cert) } : {}),
          ...(options.key !== undefined ? { key: reveal(options.key) } : {})
        }
      })
    }),
    (agent) => Effect.promise(() => agent.destroy().catch(() => undefined))
  )

/**
 * The transport, over the configuration's `connect` timeout.
 *
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<Transport.Transport, never, CourierConfig.CourierConfig> =>
  Layer.effect(
    Transport.Transport,
    Effect.flatMap(CourierConfig.CourierConfig, (config) =>
      Effect.map(agent(options, config.timeouts.connect), Undici.make))
  )

/**
 * A whole client on Node, configured from code: the usual way to build one.
 *
 * @since 0.1.0
 */
export const layerClient = (
  options?: CourierConfig.Options,
  transport?: Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, Config.ConfigError> =>
  CourierClient.layer.pipe(Layer.provide(layer(transport)), Layer.provideMerge(CourierConfig.layer(options)))

/**
 * The options read from `Config` (the environment by default), every name
 * under a prefix (`COURIER` by default): `TLS_CA`, `TLS_CERT` (PEM text),
 * `TLS_KEY` (PEM text, kept `Redacted`), `CONNECTIONS`, `KEEP_ALIVE_TIMEOUT` (a duration such as `10 seconds`).
 *
 * @since 0.1.0
 */
export const config: (prefix?: string) => Config.Config<Options> = Options_.config

/**
 * The transport configured from `source` (default {@link config}`()`), with
 * `overrides` from code on top, field by field.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  source: Config.Config<Options> = config(),
  overrides: Options = {}
): Layer.Layer<Transport.Transport, Config.ConfigError, CourierConfig.CourierConfig> =>
  Layer.unwrap(Effect.map(source, (read) => layer(Options_.merge(read, overrides))))

/**
 * A whole client on Node configured from `Config` (`COURIER_*`, the
 * client's variables and the transport's), with options from code on top.
 *
 * @since 0.1.0
 */
export const layerClientConfig = (
  overrides?: CourierConfig.Options,
  transport?: Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, Config.ConfigError> =>
  CourierClient.layer.pipe(
    Layer.provide(layerConfig(config(), transport)),
    Layer.provideMerge(CourierConfig.layerConfig(CourierConfig.config(), overrides))
  )
