/**
 * The recommended stack: every concern as a Layer, composed in the order
 * that makes each of them mean what it says. From the program inwards:
 *
 * ```text
 * program
 *   → Auth            one replay after a 401, single-flight refresh
 *   → Cache           (option) answers from the store, revalidation
 *   → Bulkhead        (option) calls in flight and queued per origin
 *   → Retry           transient failures, backoff, Retry-After, budget
 *   → CircuitBreaker  (option) fail fast while an origin keeps failing
 *   → RateLimiter     (option) token bucket, pauses learnt from 429 / RateLimit
 *   → Tracing         one client span per attempt (when a tracer is installed),
 *                     trace headers to the base origin
 *   → Logging         one line per attempt, with its attempt number
 *   → Metrics         requests, durations, 401s per attempt
 *   → AppHeaders      User-Agent and app identity on every attempt
 *   → Cookies         (option) the jar, read and written on every hop
 *   → core            redirects, phase timeouts, limits, transport
 * ```
 *
 * Why this order:
 * - Auth is outermost, so its replay after a 401 is itself retried, logged
 *   and traced (as the next attempt), and the refresh call (which goes
 *   through the client below Auth) is logged and measured like any request,
 *   but never refreshes itself. Retry sends the refresh POST again after
 *   what it retries for any POST (connection refused, DNS, connect timeout)
 *   and after a 408, 429 or 503 answer; not after a reset, a receive timeout,
 *   500, 502 or 504, which may follow a rotation of the refresh token. A
 *   refresh that still fails that way keeps the tokens (`Unauthorized` reason
 *   `RefreshUnavailable`); only a 400, 401 or 403 ends the session.
 * - The resilience Layers follow Polly's standard pipeline (rate limiter,
 *   total timeout, retry, circuit breaker, attempt timeout) where it fits.
 *   The bulkhead is outermost below Auth: a call holds its slot through all
 *   its attempts and backoff waits, so it bounds the calls the program
 *   made; Auth above it means no slot is held while a refresh is awaited,
 *   and the refresh call takes a slot like any call. The circuit breaker
 *   is inside Retry, so each attempt counts, and a `CircuitOpen` ends the
 *   retries at once (the default decision does not retry it). Unlike
 *   Polly, the rate limiter is inside Retry too, below the breaker: it
 *   stands for the server's limit on requests, which each attempt spends,
 *   and a retry must wait out a pause another call learnt; an open circuit
 *   fails before waiting for a token. `RateLimited` is not retried. The
 *   `total` timeout is the call's deadline, so every wait of these Layers
 *   (a queue place, a pause) stops at it, as Polly's total timeout does.
 * - Retry sits above the observability Layers, so logs, spans and metrics
 *   see each attempt (with `http.attempt`), not one blurred call: a retried
 *   503 shows as a 503 line and a 200 line.
 * - Cache, when the options ask for it, is below Auth and above the
 *   bulkhead and Retry (a hit takes no bulkhead slot). Below
 *   Auth, it sees the `Authorization` header, so a shared cache does not
 *   store what one user's token fetched (unless the answer says `public`),
 *   and a 401 on a revalidation is refreshed and replayed like any call.
 *   Above Retry, a hit sends nothing (no attempt, no retry budget spent),
 *   and `stale-if-error` serves the stored answer only once Retry gave up.
 *   The attempts it forwards are logged, traced and measured below it; a
 *   hit is logged by the cache itself.
 * - Tracing is above Logging, so each log line carries its span's trace id.
 * - AppHeaders is innermost, so every attempt and the refresh call carry
 *   them, and logs and spans show the headers as sent.
 * - Cookies sits below Auth so the refresh call uses the jar too, and above
 *   the cache, which then compares the cookies the jar will send for a
 *   `Vary: Cookie` answer. The jar works through a hop hook the core runs
 *   on each hop (redirects included) of each attempt, so every attempt
 *   sends the cookies current when it is sent; logs show the request
 *   before the jar's cookies are added.
 * - The `total` timeout is the request's deadline, enforced by every hop and
 *   every wait: it spans all attempts, the wait for a refresh, replays and
 *   the body read.
 *
 * For a client run as many processes, the state that must be shared is
 * given to the same options: `auth.coordinator` (one refresh for all the
 * processes), `circuitBreaker.store`, `rateLimit.store`, `cache.store`, and
 * the `TokenStore` provided below. Without them each is per process;
 * `@courier/redis` implements them over Redis (`RedisPreset.layer` wires
 * them all).
 *
 * @example
 * ```ts
 * import { Auth, Preset, TokenStore } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Preset.layer(
 *   { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
 *   { retry: { retries: 3 }, appHeaders: { appName: "notes", appVersion: "1.4.2" }, logging: { mode: "production" } }
 * ).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com", timeouts: { total: "20 seconds" } })),
 *   Layer.provide(TokenStore.layerMemory())
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as AppHeaders from "./AppHeaders.js"
import * as Auth from "./Auth.js"
import * as Cache from "./Cache.js"
import * as Cookies from "./Cookies.js"
import * as Bulkhead from "./Bulkhead.js"
import * as CircuitBreaker from "./CircuitBreaker.js"
import * as CourierClient from "./CourierClient.js"
import * as Logging from "./Logging.js"
import * as Metrics from "./Metrics.js"
import * as RateLimiter from "./RateLimiter.js"
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
   * and replays at Info, failures at Warning); `{ level: LogLevel.Info }`
   * shows every success.
   */
  readonly logging?: Logging.Options | false | undefined
  /** Default: spans with propagation to the base origin. */
  readonly tracing?: Tracing.Options | false | undefined
  /** Default: on. */
  readonly metrics?: boolean | undefined
  /** Default: none. */
  readonly appHeaders?: AppHeaders.Options | undefined
  /** Default: no cache. `{}` caches in memory, privately. */
  readonly cache?: Cache.Options | false | undefined
  /**
   * Default: off. `true` adds a jar in memory (`Cookies.layer()`), right
   * under Auth and above the cache. A jar kept in a file
   * (`Cookies.layerFile`) provided below the preset works on every hop too,
   * but the cache does not see its cookies (`Vary: Cookie`, guide page 17).
   */
  readonly cookies?: boolean | undefined
  /** Default: none; `{}` for the breaker's defaults. */
  readonly circuitBreaker?: CircuitBreaker.Options | false | undefined
  /** Default: none; `{}` learns pauses from the server without a bucket of its own. */
  readonly rateLimit?: RateLimiter.Options | false | undefined
  /** Default: none. */
  readonly bulkhead?: Bulkhead.Options | false | undefined
}

type Decorator = Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient>

const stack = (options: Options): ReadonlyArray<Decorator> => {
  const layers: Array<Decorator> = []
  // The jar above the cache: the cache then sees the `Cookie` each hop will
  // send (it runs the hop hooks for its `Vary` view), so `Vary: Cookie` holds.
  if (options.cookies === true) layers.push(Cookies.layer())
  if (options.cache !== undefined && options.cache !== false) layers.push(Cache.layer(options.cache))
  if (options.bulkhead !== undefined && options.bulkhead !== false) layers.push(Bulkhead.layer(options.bulkhead))
  if (options.retry !== false) layers.push(Retry.layer(options.retry ?? {}))
  if (options.circuitBreaker !== undefined && options.circuitBreaker !== false) {
    layers.push(CircuitBreaker.layer(options.circuitBreaker))
  }
  if (options.rateLimit !== undefined && options.rateLimit !== false) layers.push(RateLimiter.layer(options.rateLimit))
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
  let composed = layers[layers.length - 1]
  for (let i = layers.length - 2; i >= 0; i--) composed = Layer.provide(layers[i], composed)
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
): Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient | TokenStore.TokenStore> =>
  Layer.provide(Auth.layer(auth), layerWithoutAuth(options))
