/**
 * A client-side rate limiter per origin (or per key), as a Layer over the
 * client. It holds calls back before sending them, for two reasons:
 *
 * - `limit`: a token bucket of `requests` per `per` (a burst of `requests`,
 *   then one every `per / requests`). Default: none; then, once an answer
 *   carries a `RateLimit-Policy` header (`100;w=60`, or
 *   `"default";q=100;w=60`), a bucket of that quota per window (the lowest
 *   rate when it announces several), starting full less the call that
 *   brought it.
 * - What the server said. A `429` pauses every call to that origin (the
 *   one that answered, after a redirect too; with a custom `key`, the
 *   call's key), not only the one that got it: for its `Retry-After` (seconds or an HTTP
 *   date), or else the reset of its `RateLimit` headers, or else
 *   `pauseWithoutRetryAfter` (default 1 second). Any answer whose `RateLimit`
 *   headers say a quota is used up (`remaining=0`) pauses them for its
 *   reset. The forms read are those of the IETF draft
 *   httpapi-ratelimit-headers: `RateLimit: limit=100, remaining=0, reset=30`,
 *   `RateLimit: "default";r=0;t=30`, and `RateLimit-Remaining` with
 *   `RateLimit-Reset`; `X-RateLimit-*` is not read (its reset is an epoch
 *   time for some servers, seconds for others).
 *
 * A wait that would reach the call's `total` deadline, or last longer than
 * `maxWait` (default 30 seconds), is not started: the call fails at once with
 * `RateLimited`, whose `retryAt` / `retryAfter` say when it could have gone.
 * The call that got the 429 still fails with its `BadResponse`; the Retry
 * Layer above (as in `Preset`) sends it again after its `Retry-After`,
 * through this limiter. `RateLimited` itself is not retried.
 *
 * Pauses are logged at Info (annotated with `ratelimit.key`) and counted:
 * `courier_http_client_rate_limit_pauses`, `..._rate_limit_waits` (calls held
 * back, then sent) and `..._rate_limit_rejections`.
 *
 * The state lives in a `Store`: by default one in memory per Layer, for one
 * process. A store shared by several replicas implements the same `modify`.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Layer from "effect/Layer"
 *
 * // 10 requests a second, and whatever the server asks for on top.
 * const Client = RateLimiter.layer({ limit: { requests: 10, per: "1 second" } }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Option from "effect/Option"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as Metrics from "./internal/layers/metrics.js"
import * as headers from "@courier/core/RateLimitHeaders"
import * as internal from "./internal/layers/resilience/rateLimiter.js"
import * as store from "./internal/layers/resilience/store.js"

/**
 * @since 0.1.0
 */
export interface Options {
  /** The limiter a request belongs to. Default: its origin. */
  readonly key?: ((request: CourierRequest.CourierRequest) => string) | undefined
  /** A token bucket: `requests` per `per`. Default: the server's `RateLimit-Policy`, once announced. */
  readonly limit?: { readonly requests: number; readonly per: Duration.DurationInput } | undefined
  /** The longest wait before sending; a longer one fails with `RateLimited`. Default 30 seconds. */
  readonly maxWait?: Duration.DurationInput | undefined
  /** The pause after a 429 that says nothing about how long. Default 1 second. */
  readonly pauseWithoutRetryAfter?: Duration.DurationInput | undefined
  /** Where the state lives. Default: a new in-memory store for this Layer. */
  readonly store?: Store | undefined
}

/**
 * The state of one limiter: plain data, so a shared store can serialise it.
 * Times are epoch milliseconds from the `Clock`; `tokens` goes below zero
 * while calls wait for tokens they have taken.
 *
 * @since 0.1.0
 */
export interface State {
  readonly tokens: number
  readonly updatedAt: number
  readonly pausedUntil: number
  /** The quota a `RateLimit-Policy` header announced, used when the Layer has no `limit`. */
  readonly learnt?: { readonly requests: number; readonly windowMillis: number } | undefined
}

/**
 * Where limiters keep their state, by key: the same contract as
 * `CircuitBreaker.Store` (atomic, `f` pure).
 *
 * @since 0.1.0
 */
export interface Store {
  readonly modify: <A>(key: string, f: (state: Option.Option<State>) => readonly [A, State]) => Effect.Effect<A>
}

/**
 * A store in this process's memory.
 *
 * @since 0.1.0
 */
export const makeMemoryStore: Effect.Effect<Store> = store.makeMemory<State>()

/**
 * The rate limiter Layer, decorating the client below it. An option out of
 * range fails the Layer with a `ConfigError`.
 *
 * @since 0.1.0
 */
export const layer: (
  options?: Options
) => Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient> = internal.layer

/**
 * How long `RateLimit` headers say no request will be accepted (a quota with
 * nothing remaining: its reset, the longest when several are), in
 * milliseconds; undefined when none is used up.
 *
 * @since 0.1.0
 */
export const exhaustedFor: (headers: Readonly<Record<string, string>>) => number | undefined = headers.exhaustedFor

/**
 * Pauses learnt from the server (`courier_http_client_rate_limit_pauses`).
 *
 * @since 0.1.0
 */
export const pauses: Metric.Metric.Counter<number> = Metrics.rateLimitPauses

/**
 * Calls held back, then sent (`courier_http_client_rate_limit_waits`).
 *
 * @since 0.1.0
 */
export const waits: Metric.Metric.Counter<number> = Metrics.rateLimitWaits

/**
 * Calls failed with `RateLimited` (`courier_http_client_rate_limit_rejections`).
 *
 * @since 0.1.0
 */
export const rejections: Metric.Metric.Counter<number> = Metrics.rateLimitRejections
