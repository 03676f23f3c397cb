/**
 * A `FlagStore` for `@courier/flags` in Redis: the last values the flag
 * server sent, under `<namespace>:flags:<name>` (JSON), so a replica starting
 * while the flag server is down serves what another replica last saw. A
 * failure (Redis unavailable) is a `FlagStoreError`, which the flags service
 * logs and never passes to program code. Imported from
 * `@courier/redis/RedisFlagStore` (not the package index), so programs
 * without `@courier/flags` do not load it.
 *
 * @example
 * ```ts
 * import * as RedisFlagStore from "@courier/redis/RedisFlagStore"
 *
 * const store = RedisFlagStore.make("default") // needs a RedisConnection
 * ```
 *
 * @since 0.1.0
 */
import type { FlagStore } from "@courier/flags"
import * as Effect from "effect/Effect"
import * as internal from "./internal/flagStore.js"
import { RedisConnection } from "./RedisConnection.js"

/**
 * The store named `name` (one per flags service). Default name `default`.
 *
 * @since 0.1.0
 */
export const make = (name = "default"): Effect.Effect<FlagStore.FlagStore, never, RedisConnection> =>
  Effect.map(RedisConnection, (connection) => internal.make(connection, name))
