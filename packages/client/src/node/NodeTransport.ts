/**
 * The Node transport: a `Transport` written directly on undici's
 * `dispatch`, on a dispatcher Courier owns (so the `connect` timeout is
 * real), with zlib decoding of `gzip`, `deflate` and `br` bodies.
 *
 * One watchdog timer per request keeps the send, receive and total
 * timeouts, and the body is read without an Effect `Stream`, which is what
 * makes Courier cost about what raw undici does. The Layer also provides a
 * platform `HttpClient` over the same transport (`Transport.toHttpClient`;
 * no platform spans: tracing is the `Tracing` Layer's job) for code that
 * wants one. To put a wrapped platform client under Courier (a
 * `HttpClient.mapRequest`), give it explicitly to
 * `Transport.layerFromHttpClient`: your wrapper applies to every hop, on the
 * slower path over the platform interface.
 *
 * The connection is configured by {@link Options}: proxies (undici's
 * `ProxyAgent`, every request a `CONNECT` tunnel), client certificates,
 * opt-in HTTP/2, and DNS and socket settings; from code, or from the
 * environment with {@link config}.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@courier/client/node"
 * import * as Redacted from "effect/Redacted"
 *
 * // Behind the corporate proxy, with a client certificate, offering HTTP/2.
 * const Client = NodeTransport.layerClient({ baseUrl: "https://api.internal.example" }, {
 *   env: true, // https_proxy and no_proxy, as curl reads them
 *   cert: { file: "/etc/courier/client.pem" },
 *   key: { file: "/etc/courier/client.key" },
 *   passphrase: Redacted.make(process.env["KEY_PASSPHRASE"] ?? ""),
 *   http2: true
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Net from "node:net"
import type * as UndiciTypes from "undici"
import { ContentDecoder } from "../ContentDecoder.js"
import * as CourierClient from "../CourierClient.js"
import * as CourierConfig from "../CourierConfig.js"
import * as Agent from "./internal/agent.js"
import * as internal from "./internal/options.js"
import * as Transport from "../Transport.js"
import * as Undici from "./internal/transport.js"
import { zlibDecoder } from "./internal/zlib.js"

/**
 * TLS material (a certificate, a key, a CA, a PKCS#12 bundle): PEM text or
 * bytes, wrapped in `Redacted` when it is a secret, or `{ file }` to read it
 * from disk when the Layer is built (a file that can not be read fails the
 * Layer with a `ConfigError` naming the option and the path).
 *
 * @since 0.1.0
 */
export type TlsSource =
  | string
  | Uint8Array
  | Redacted.Redacted<string>
  | Redacted.Redacted<Uint8Array>
  | { readonly file: string }

/**
 * An environment to read the proxy variables from.
 *
 * @since 0.1.0
 */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * Options of the transport: the connection pool, TLS, proxies, HTTP/2 and
 * sockets. Each is read and checked once, when the Layer is built; a value
 * that is wrong fails the Layer with a `ConfigError` that names the option
 * and never shows a secret.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Connections per origin (a positive whole number). Default: unlimited, as undici. */
  readonly connections?: number | undefined
  /** How long an idle keep-alive socket is kept. Default 4 seconds. A value that is not a duration fails the Layer with a `ConfigError`. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** The longest keep-alive a server's `Keep-Alive: timeout=` hint can ask for. Default: undici's (10 minutes). */
  readonly keepAliveMaxTimeout?: Duration.DurationInput | undefined
  /** Extra trusted CA certificates (PEM), added to Node's. Verification itself can not be turned off here. */
  readonly ca?: TlsSource | ReadonlyArray<TlsSource> | undefined
  /** The client certificate (PEM) for servers that ask for one (mutual TLS); needs `key`. */
  readonly cert?: TlsSource | undefined
  /** The client certificate's private key (PEM); needs `cert`. */
  readonly key?: TlsSource | undefined
  /** The client certificate and key as one PKCS#12 bundle, instead of `cert` and `key`. */
  readonly pfx?: TlsSource | undefined
  /** The passphrase of an encrypted `key` or of `pfx`. */
  readonly passphrase?: string | Redacted.Redacted<string> | undefined
  /**
   * The proxy every request goes through, `http://host:port` or
   * `https://host:port`, with credentials as user info
   * (`http://user:password@host:port`): pass it `Redacted` when it has them.
   * Requests are tunnelled with `CONNECT` (https and http targets alike);
   * the credentials go to the proxy alone, in `Proxy-Authorization`, and no
   * message or failure shows them. Wins over the environment's proxies.
   */
  readonly proxy?: string | URL | Redacted.Redacted<string> | undefined
  /**
   * Hosts that bypass the proxy, as curl's `NO_PROXY`: comma-separated host
   * names (each matching its subdomains too), IP addresses, ranges such as
   * `10.0.0.0/8`, or `*` for all. Wins over the environment's `no_proxy`.
   */
  readonly noProxy?: string | undefined
  /**
   * Read the proxy from the environment, as curl does: `http_proxy` for
   * http targets, `https_proxy` for https ones, `all_proxy` for both when
   * those are unset, `no_proxy` for the exceptions; each in lower case
   * first, then upper case. `true` reads `process.env`; a record is read
   * instead of it. Default `false`: a library does not pick up a proxy
   * its program did not ask for.
   */
  readonly env?: boolean | Environment | undefined
  /**
   * Offer HTTP/2 to https servers (ALPN); a server that does not take it is
   * spoken to in HTTP/1.1. Timeouts, limits, redirects, cancellation and
   * failures are the same either way. Default `false`.
   */
  readonly http2?: boolean | undefined
  /** Resolves host names instead of `dns.lookup` (same signature); its errors become `Network` failures (`ENOTFOUND`: `DnsLookup`). */
  readonly lookup?: Net.LookupFunction | undefined
  /** Connect over IPv4 only (`4`) or IPv6 only (`6`). Default: whatever the lookup returns. */
  readonly family?: 4 | 6 | undefined
  /** Try a host's IPv6 and IPv4 addresses in turn ("happy eyeballs"). Default: Node's. */
  readonly autoSelectFamily?: boolean | undefined
  /** The local IP address sockets are bound to (to the proxy, when there is one). */
  readonly localAddress?: string | undefined
}

/**
 * A scoped undici dispatcher honouring the configured connect timeout and
 * the options above. Closing the scope destroys its sockets.
 *
 * @since 0.1.0
 */
export const dispatcher = (
  options: Options = {}
): Effect.Effect<UndiciTypes.Dispatcher, ConfigError.ConfigError, CourierConfig.CourierConfig | Scope.Scope> =>
  Effect.flatMap(CourierConfig.CourierConfig, (config) =>
    Effect.flatMap(internal.resolve(options, config), (settings) =>
      Effect.acquireRelease(
        Effect.sync(() => Agent.make(settings)),
        (agent) => Effect.promise(() => agent.destroy())
      )))

/**
 * The transport's options from `Config` (the environment by default), every
 * name under `prefix`: `PROXY` (read as a secret), `NO_PROXY`,
 * `PROXY_FROM_ENV` (read `http_proxy` and the rest too), `CA_FILE`,
 * `CERT_FILE`, `KEY_FILE`, `PFX_FILE`, `KEY_PASSPHRASE` (a secret),
 * `HTTP2`, `CONNECTIONS`, `KEEP_ALIVE_TIMEOUT`, `FAMILY` (4 or 6),
 * `AUTO_SELECT_FAMILY`, `LOCAL_ADDRESS`. A value that does not read fails
 * with a message naming the variable.
 *
 * @since 0.1.0
 */
export const config = (prefix = "COURIER"): Config.Config<Options> => internal.config(prefix)

/**
 * The transport alone: the `Transport` on Courier's dispatcher, a platform
 * `HttpClient` over it, and zlib content decoding.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  Transport.Transport | HttpClient.HttpClient | ContentDecoder,
  ConfigError.ConfigError,
  CourierConfig.CourierConfig
> =>
  Layer.merge(
    Layer.provideMerge(
      Layer.effect(HttpClient.HttpClient, Effect.map(Transport.Transport, Transport.toHttpClient)),
      Layer.scoped(
        Transport.Transport,
        Effect.flatMap(CourierConfig.CourierConfig, (config) =>
          Effect.map(dispatcher(options), (agent) => Undici.make(agent, config.timeouts.connect)))
      )
    ),
    Layer.succeed(ContentDecoder, zlibDecoder)
  )

/**
 * A whole client on Node, configured from code: the usual way to build one.
 *
 * @since 0.1.0
 */
export const layerClient = (
  options?: CourierConfig.Options,
  transport?: Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, ConfigError.ConfigError> =>
  CourierClient.layer.pipe(Layer.provide(layer(transport)), Layer.provideMerge(CourierConfig.layer(options)))

/**
 * The transport configured from `Config` (see {@link config}), with
 * `overrides` from code on top, field by field.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  source: Config.Config<Options> = config(),
  overrides: Options = {}
): Layer.Layer<
  Transport.Transport | HttpClient.HttpClient | ContentDecoder,
  ConfigError.ConfigError,
  CourierConfig.CourierConfig
> =>
  Layer.unwrapEffect(Effect.map(source, (fromConfig) => layer(internal.merge(fromConfig, overrides))))

/**
 * A whole client on Node, configured from the environment (`COURIER_*`,
 * both the client's variables and the transport's), with `overrides` and
 * `transport` options from code on top.
 *
 * @since 0.1.0
 */
export const layerClientConfig = (
  overrides?: CourierConfig.Options,
  transport?: Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, ConfigError.ConfigError> =>
  CourierClient.layer.pipe(
    Layer.provide(layerConfig(config(), transport)),
    Layer.provideMerge(CourierConfig.layerConfig(CourierConfig.config(), overrides))
  )
