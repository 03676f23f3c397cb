/**
 * `Preset.layer` for a client run as many replicas: the same stack, with the
 * state that must be shared kept in Redis (the connection's namespace):
 *
 * - the tokens (`RedisTokenStore.layer`, provided by this Layer) and the
 *   refresh lock (`Auth.Options.coordinator`, unless `auth` has one): of all
 *   the replicas meeting an expired token, one refreshes;
 * - the circuit breaker's and the rate limiter's state, when `options` turns
 *   them on without a store of their own (`RedisStores`);
 * - the cache's entries, when `options.cache` is on without a store.
 *
 * The bulkhead, the retry budget and everything else stay per process.
 * When Redis is unavailable every call still works on each process's own
 * state, and the shared state comes back with Redis (`RedisConnection`).
 *
 * @example
 * ```ts
 * import { Auth } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import { RedisConnection, RedisPreset } from "@courier/redis"
 * import * as Layer from "effect/Layer"
 *
 * const Client = RedisPreset.layer(
 *   { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
 *   { circuitBreaker: {}, rateLimit: { limit: { requests: 50, per: "1 second" } } }
 * ).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" })),
 *   Layer.provide(RedisConnection.layerConfig({ namespace: "notes-api" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { Auth, CourierClient } from "@courier/client"
import { Preset } from "@courier/client"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { RedisConnection } from "./RedisConnection.js"
import * as RedisStores from "./RedisStores.js"
import * as RedisTokenStore from "./RedisTokenStore.js"

/**
 * @since 0.1.0
 */
export interface SharedOptions {
  /** How often a replica waiting for another's refresh checks the lock. Default 25 milliseconds. */
  readonly pollInterval?: Duration.DurationInput | undefined
}

/**
 * The recommended stack with bearer auth, its shared state in Redis; needs
 * a `RedisConnection` and the client below it.
 *
 * @since 0.1.0
 */
export const layer = (
  auth: Auth.Options,
  options: Preset.Options = {},
  shared: SharedOptions = {}
): Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient | RedisConnection> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const coordinator = auth.coordinator ?? (yield* RedisTokenStore.makeCoordinator(shared))
    const breaker = options.circuitBreaker
    const limiter = options.rateLimit
    const cache = options.cache
    const stack: Preset.Options = {
      ...options,
      ...(breaker === undefined || breaker === false || breaker.store !== undefined
        ? {}
        : { circuitBreaker: { ...breaker, store: yield* RedisStores.circuitBreaker() } }),
      ...(limiter === undefined || limiter === false || limiter.store !== undefined
        ? {}
        : { rateLimit: { ...limiter, store: yield* RedisStores.rateLimiter() } }),
      ...(cache === undefined || cache === false || cache.store !== undefined
        ? {}
        : { cache: { ...cache, store: yield* RedisStores.cache() } })
    }
    return Preset.layer({ ...auth, coordinator }, stack).pipe(Layer.provide(RedisTokenStore.layer))
  }))
