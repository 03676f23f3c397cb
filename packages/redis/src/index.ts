/**
 * Redis-backed state for Courier clients run as many replicas. The flag
 * store is at `@courier/redis/RedisFlagStore`, apart, so that this index
 * does not load `@courier/flags`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as RedisConnection from "./RedisConnection.js"
/** @since 0.1.0 */
export * as RedisPreset from "./RedisPreset.js"
/** @since 0.1.0 */
export * as RedisStores from "./RedisStores.js"
/** @since 0.1.0 */
export * as RedisTokenStore from "./RedisTokenStore.js"
