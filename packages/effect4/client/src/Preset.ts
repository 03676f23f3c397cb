/**
 * The recommended stack: every concern as a Layer, composed in the order
 * that makes each of them mean what it says. From the program inwards:
 *
 * ```text
 * program
 *   → Auth        one replay after a 401, single-flight refresh
 *   → Retry       transient failures, backoff, Retry-After, budget
 *   → Tracing     one client span per attempt (when a tracer is installed),
 *                 trace headers to the base origin
 *   → Logging     one line per attempt, with its attempt number
 *   → Metrics     requests, durations, 401s per attempt
 *   → AppHeaders  User-Agent and app identity on every attempt
 *   → core        redirects, phase timeouts, limits, transport
 * ```
 *
 * Why this order:
 * - Auth is outermost, so its replay after a 401 is itself retried, logged
 *   and traced (as the next attempt), and the refresh call (which goes
 *   through the client below Auth) is retried, logged and measured like any
 *   request, but never refreshes itself. Retry sends the refresh POST again
 *   after what it retries for any POST (nothing was sent) and after a 408,
 *   429 or 503 answer.
 * - Retry sits above the observability Layers, so logs, spans and metrics
 *   see each attempt (with `http.attempt`): a retried 503 shows as a 503
 *   line and a 200 line.
 * - Tracing is above Logging, so with a tracer installed each attempt's log
 *   line is written inside that attempt's span.
 * - AppHeaders is innermost, so every attempt and the refresh call carry them.
 * - The `total` timeout is the call's deadline: it bounds every attempt,
 *   every backoff wait and the wait for a refresh.
 *
 * @example
 * ```ts
 * import { Auth, Preset, TokenStore } from "@courier/client-effect4"
 * import * as Layer from "effect/Layer"
 *
 * const Stack = Preset.layer(
 *   { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
 *   { retry: { retries: 3 }, appHeaders: { appName: "notes", appVersion: "1.4.2" } }
 * ).pipe(Layer.provide(TokenStore.layerMemory()))
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as AppHeaders from "./AppHeaders.js"
import * as Auth from "./Auth.js"
import * as CourierClient from "./CourierClient.js"
import * as Logging from "./Logging.js"
import * as Metrics from "./Metrics.js"
import * as Retry from "./Retry.js"
import type * as TokenStore from "./TokenStore.js"
import * as Tracing from "./Tracing.js"

/**
 * Each concern's options; `false` leaves a concern out.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Default: the default policy. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /**
   * Default: production mode, routine successes at Debug (retries, refreshes
   * and replays at Info, failures at Warn); `{ level: "Info" }` shows every
   * success.
   */
  readonly logging?: Logging.Options | false | undefined
  /** Default: spans with propagation to the base origin. */
  readonly tracing?: Tracing.Options | false | undefined
  /** Default: on. */
  readonly metrics?: boolean | undefined
  /** Default: none. */
  readonly appHeaders?: AppHeaders.Options | undefined
}

type Decorator = Layer.Layer<CourierClient.CourierClient, Config.ConfigError, CourierClient.CourierClient>

const stack = (options: Options): ReadonlyArray<Decorator> => {
  const layers: Array<Decorator> = []
  if (options.retry !== false) layers.push(Retry.layer(options.retry ?? {}))
  if (options.tracing !== false) layers.push(Tracing.layer(options.tracing ?? {}))
  if (options.logging !== false) layers.push(Logging.layer(options.logging ?? {}))
  if (options.metrics !== false) layers.push(Metrics.layer)
  if (options.appHeaders !== undefined) layers.push(AppHeaders.layer(options.appHeaders))
  return layers
}

const passThrough: Decorator = CourierClient.layerDecorate((execute) => Effect.succeed(execute))

/**
 * The recommended stack without auth, decorating the client below it.
 *
 * @since 0.1.0
 */
export const layerWithoutAuth = (options: Options = {}): Decorator => {
  const layers = stack(options)
  if (layers.length === 0) return passThrough
  let composed = layers[layers.length - 1]!
  for (let i = layers.length - 2; i >= 0; i--) composed = Layer.provide(layers[i]!, composed)
  return composed
}

/**
 * The recommended stack with bearer auth, decorating the client below it;
 * needs a `TokenStore`.
 *
 * @since 0.1.0
 */
export const layer = (
  auth: Auth.Options,
  options: Options = {}
): Layer.Layer<CourierClient.CourierClient, Config.ConfigError, CourierClient.CourierClient | TokenStore.TokenStore> =>
  Layer.provide(Auth.layer(auth), layerWithoutAuth(options))
