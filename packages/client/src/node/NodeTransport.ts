/**
 * The Node transport: a platform `HttpClient` written directly on undici's
 * `dispatch`, on a dispatcher Courier owns (so the `connect` timeout is
 * real), with zlib decoding of `gzip`, `deflate` and `br` bodies.
 *
 * It is a full `@effect/platform` `HttpClient` for code that wants one (no
 * platform spans: tracing is the `Tracing` Layer's job). Courier's core
 * takes its native path: one watchdog timer per request for the send,
 * receive and total timeouts, and the body read without an Effect `Stream`,
 * which is what makes Courier cost about what raw undici does. Wrapping it
 * (`HttpClient.mapRequest` and the like) keeps your wrapper in force and
 * moves Courier to the generic path over the platform interface.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Undici from "undici"
import { ContentDecoder } from "../ContentDecoder.js"
import * as CourierClient from "../CourierClient.js"
import * as CourierConfig from "../CourierConfig.js"
import { decodeDuration, durationProblem } from "../internal/config.js"
import * as Transport from "./internal/undici.js"
import { zlibDecoder } from "./internal/zlib.js"

/**
 * Options of the connection pool.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Connections per origin. Default: unlimited, as undici. */
  readonly connections?: number | undefined
  /** How long an idle keep-alive socket is kept. Default 4 seconds. A value that is not a duration fails the Layer with a `ConfigError`. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** Extra trusted CA certificates (PEM). Verification itself can not be turned off here. */
  readonly ca?: string | ReadonlyArray<string> | undefined
}

const millis = (d: Duration.Duration): number => (Duration.isFinite(d) ? Duration.toMillis(d) : 0)

/**
 * A scoped undici dispatcher honouring the configured connect timeout.
 * Closing the scope destroys its sockets.
 *
 * @since 0.1.0
 */
export const dispatcher = (options: Options = {}) =>
  Effect.flatMap(CourierConfig.CourierConfig, (config) => {
    const keepAlive = options.keepAliveTimeout === undefined ? Duration.seconds(4) : decodeDuration(options.keepAliveTimeout)
    if (keepAlive === undefined) {
      return Effect.fail(ConfigError.InvalidData(["keepAliveTimeout"], durationProblem("keepAliveTimeout", options.keepAliveTimeout)!))
    }
    return Effect.acquireRelease(
      Effect.sync(() =>
        new Undici.Agent({
          connect: {
            timeout: millis(config.timeouts.connect),
            ...(options.ca === undefined ? {} : { ca: options.ca as string | Array<string> })
          },
          ...(options.connections === undefined ? {} : { connections: options.connections }),
          keepAliveTimeout: Duration.toMillis(keepAlive)
        })
      ),
      (agent) => Effect.promise(() => agent.destroy())
    )
  })

/**
 * The transport alone: a platform `HttpClient` on Courier's dispatcher,
 * and zlib content decoding.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<HttpClient.HttpClient | ContentDecoder, ConfigError.ConfigError, CourierConfig.CourierConfig> =>
  Layer.merge(
    Layer.scoped(
      HttpClient.HttpClient,
      Effect.flatMap(CourierConfig.CourierConfig, (config) =>
        Effect.map(dispatcher(options), (agent) => Transport.make(agent, config.timeouts.connect)))
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
 * A whole client on Node, configured from the environment (`COURIER_*`),
 * with `overrides` from code on top.
 *
 * @since 0.1.0
 */
export const layerClientConfig = (
  overrides?: CourierConfig.Options,
  transport?: Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, ConfigError.ConfigError> =>
  CourierClient.layer.pipe(
    Layer.provide(layer(transport)),
    Layer.provideMerge(CourierConfig.layerConfig(CourierConfig.config(), overrides))
  )
