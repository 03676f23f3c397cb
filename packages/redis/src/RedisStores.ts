/**
 * Redis stores for the state of the resilience Layers and the HTTP cache,
 * shared by every replica of a client:
 *
 * - `circuitBreaker` and `rateLimiter`: `CircuitBreaker.Store` and
 *   `RateLimiter.Store` over `<namespace>:breaker:<key>` and
 *   `<namespace>:rate-limit:<key>` (the key is the origin by default). Each
 *   `modify` reads the state, applies the Layer's pure function and writes
 *   the result with a compare-and-set script, starting again after a
 *   conflicting write, so one process opening a circuit or learning a pause
 *   from a 429 is seen by all. A key not written for `ttl` (default 1 hour)
 *   expires: its state starts again from the initial one, as does a value
 *   that is not such a state (written by something else: the next write
 *   replaces it). While Redis is unavailable, the state of this process (in
 *   memory) serves.
 * - `cache`: a `Cache.Store` over `<namespace>:cache:<sha-256 of the key>`,
 *   one value per entry (policy and body), expiring after `ttl` (default 1
 *   day) besides whatever eviction Redis is configured with. While Redis is
 *   unavailable reads miss and writes are not done (the cache's own rule:
 *   a call never fails because of its store).
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@courier/client"
 * import { RedisStores } from "@courier/redis"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Breaker = Layer.unwrapEffect(
 *   Effect.map(RedisStores.circuitBreaker(), (store) => CircuitBreaker.layer({ store }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Cache, CircuitBreaker, RateLimiter } from "@courier/client"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as cacheStore from "./internal/cacheStore.js"
import * as keyedStore from "./internal/keyedStore.js"
import * as states from "./internal/states.js"
import { RedisConnection } from "./RedisConnection.js"

const defaultStateTtl = Duration.hours(1)

/**
 * A shared `CircuitBreaker.Store`. `ttl`: how long an unwritten state lives. Default 1 hour.
 *
 * @since 0.1.0
 */
export const circuitBreaker = (
  options: { readonly ttl?: Duration.DurationInput | undefined } = {}
): Effect.Effect<CircuitBreaker.Store, never, RedisConnection> =>
  Effect.zipWith(
    RedisConnection,
    CircuitBreaker.makeMemoryStore,
    (connection, fallback): CircuitBreaker.Store =>
      keyedStore.make(connection, "breaker", fallback, Duration.decode(options.ttl ?? defaultStateTtl), states.isBreakerState)
  )

/**
 * A shared `RateLimiter.Store`. `ttl`: how long an unwritten state lives. Default 1 hour.
 *
 * @since 0.1.0
 */
export const rateLimiter = (
  options: { readonly ttl?: Duration.DurationInput | undefined } = {}
): Effect.Effect<RateLimiter.Store, never, RedisConnection> =>
  Effect.zipWith(
    RedisConnection,
    RateLimiter.makeMemoryStore,
    (connection, fallback): RateLimiter.Store =>
      keyedStore.make(connection, "rate-limit", fallback, Duration.decode(options.ttl ?? defaultStateTtl), states.isLimiterState)
  )

/**
 * A shared `Cache.Store`. `ttl`: how long an entry lives in Redis. Default 1 day.
 *
 * @since 0.1.0
 */
export const cache = (
  options: { readonly ttl?: Duration.DurationInput | undefined } = {}
): Effect.Effect<Cache.Store, never, RedisConnection> =>
  Effect.map(RedisConnection, (connection) => cacheStore.make(connection, options))
