/**
 * Tokens shared by every replica of a client, and the lock that makes their
 * refresh single-flight across processes.
 *
 * - The store keeps the tokens in one Redis string
 *   (`<prefix><namespace>:tokens`, JSON; the secrets are readable by anyone
 *   who can read that key: protect Redis with ACLs and TLS as you would the
 *   token file). A copy stays in the process: while Redis is unavailable
 *   reads serve it and writes change it, and none of them fails. Back, the
 *   first read writes back what changed meanwhile, unless another process
 *   stored newer tokens (compare-and-set), or puts it back when Redis lost
 *   the key. A clear (a rejected refresh, a sign-out) leaves a marker with
 *   no tokens in the key rather than deleting it, so that a replica's copy
 *   never puts an ended session back.
 * - The coordinator is the auth Layer's `Auth.Options.coordinator`: a refresh
 *   takes `SET <namespace>:refresh-lock <owner> NX PX <ttl>` (the Layer's
 *   `refreshTimeout` plus 2 seconds; at least 1 second, at most a day), reads
 *   the store again, refreshes only if no one did meanwhile, stores the
 *   tokens and releases the lock with a compare-and-delete script. While it
 *   works it renews the time to live every third of it (for at most one
 *   more time to live), so a slow Redis does not let the lock lapse under
 *   it. The other processes poll the lock (every `pollInterval`) and use the
 *   stored tokens once it goes. A holder that dies stops renewing and frees
 *   it when its time to live passes.
 *   While Redis is unavailable the lock counts as taken: each process
 *   refreshes once, on its own.
 *
 * `RedisPreset.layer` wires both; by hand:
 *
 * @example
 * ```ts
 * import { Auth, Preset } from "@courier/client"
 * import { RedisConnection, RedisTokenStore } from "@courier/redis"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Layer.unwrapEffect(
 *   Effect.map(RedisTokenStore.makeCoordinator(), (coordinator) =>
 *     Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }), coordinator }))
 * ).pipe(Layer.provide(RedisTokenStore.layer))
 * // ... then provide the transport and RedisConnection.layerConfig({ namespace: "notes-api" })
 * ```
 *
 * @since 0.1.0
 */
import type { Auth, TokenStore } from "@courier/client"
import { TokenStore as TokenStoreTag } from "@courier/client"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as refreshLock from "./internal/refreshLock.js"
import * as tokenStore from "./internal/tokenStore.js"
import { RedisConnection } from "./RedisConnection.js"

/**
 * The token store of the connection's namespace.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<TokenStore.Service, never, RedisConnection> = Effect.map(RedisConnection, tokenStore.make)

/**
 * The token store as a `TokenStore` Layer.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<TokenStore.TokenStore, never, RedisConnection> = Layer.effect(TokenStoreTag.TokenStore, make)

/**
 * The refresh lock of the connection's namespace, for `Auth.Options.coordinator`.
 * `pollInterval`: how often a waiting process checks the lock. Default 25 milliseconds.
 *
 * @since 0.1.0
 */
export const makeCoordinator = (
  options: { readonly pollInterval?: Duration.DurationInput | undefined } = {}
): Effect.Effect<Auth.RefreshCoordinator, never, RedisConnection> =>
  Effect.map(RedisConnection, (connection) => refreshLock.make(connection, options))
