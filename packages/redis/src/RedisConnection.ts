/**
 * One connection to Redis (a server, a Sentinel group or a Cluster, through
 * ioredis), the keys of one client under a prefix and namespace, and the
 * rule every Redis store of this package follows: a command that cannot be
 * done now fails at once with `RedisUnavailable` (no offline queue, no retry
 * across reconnections, `commandTimeout` for a Redis that does not answer),
 * and the store falls back to state in this process. The first failure of an
 * outage is logged once at Warning, the first success after it at Info;
 * ioredis reconnects in the background (at most a second apart).
 *
 * Keys are `<prefix><namespace>:<kind>[:<key>]`, `prefix` defaulting to
 * `courier:`: `tokens`, `refresh-lock`, `breaker:<origin>`,
 * `rate-limit:<origin>`, `cache:<sha-256 of the cache key>`, `flags:<name>`.
 * Give each client (each API, each set of credentials) its own namespace.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@courier/redis"
 *
 * // From COURIER_REDIS_URL (redis://, rediss://):
 * const FromEnv = RedisConnection.layerConfig({ namespace: "notes-api" })
 * // A Sentinel group, through ioredis's options:
 * const Sentinel = RedisConnection.layer({
 *   namespace: "notes-api",
 *   redis: { sentinels: [{ host: "10.0.0.5", port: 26379 }], name: "mymaster" }
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from "ioredis"
import * as internal from "./internal/connection.js"

/**
 * @since 0.1.0
 */
export interface Options {
  /** Names this client's keys: `<prefix><namespace>:...`. */
  readonly namespace: string
  /** Default `courier:`. */
  readonly prefix?: string | undefined
  /** `redis://` or `rediss://` URL (it may hold a password, hence `Redacted`). Default: ioredis's `127.0.0.1:6379`. */
  readonly url?: Redacted.Redacted<string> | undefined
  /**
   * ioredis options: host, port, TLS, credentials, Sentinel (`sentinels`,
   * `name`). They override the fail-fast settings (`enableOfflineQueue:
   * false`, `maxRetriesPerRequest: 0`, `commandTimeout`, a reconnection at
   * most a second apart); a command still fails after `commandTimeout`.
   */
  readonly redis?: RedisOptions | undefined
  /** A Redis Cluster instead of one server: its seed nodes and ioredis's cluster options. */
  readonly cluster?: { readonly nodes: ReadonlyArray<ClusterNode>; readonly options?: ClusterOptions | undefined } | undefined
  /** The longest a command may take before it counts as Redis unavailable. Default 1 second. */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** How long building the connection waits for Redis before going on without it. Default 2 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * A Redis command failed or timed out. The stores of this package never let
 * it reach a call: they fall back to local state. `cause` holds Redis's
 * reason (an `Error` with its message and name), never the command's
 * arguments (tokens, cached bodies, flag contexts).
 *
 * @since 0.1.0
 */
export class RedisUnavailable extends Data.TaggedError("RedisUnavailable")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Redis is unavailable (${this.operation})`
  }
}

/**
 * @since 0.1.0
 */
export interface Service {
  readonly client: Redis | Cluster
  readonly namespace: string
  /** A key of this client: `<prefix><namespace>:<parts joined by ":">`. */
  readonly key: (...parts: ReadonlyArray<string>) => string
  /** Runs a command: fails at once, or after `commandTimeout`, with `RedisUnavailable`; logs an outage once. */
  readonly run: <A>(operation: string, command: (client: Redis | Cluster) => Promise<A>) => Effect.Effect<A, RedisUnavailable>
  /** Whether the connection is up and no command failed since it last succeeded. */
  readonly isAvailable: Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 */
export class RedisConnection extends Context.Tag("@courier/redis/RedisConnection")<RedisConnection, Service>() {}

/**
 * Connects (waiting at most `connectTimeout` for Redis; it may be down) and
 * disconnects when the scope closes. A `url` ioredis cannot parse is a
 * defect whose message does not show the URL (it may hold a password).
 *
 * @since 0.1.0
 */
export const make: (options: Options) => Effect.Effect<Service, never, Scope.Scope> = internal.make

/**
 * The connection as a Layer.
 *
 * @since 0.1.0
 */
export const layer: (options: Options) => Layer.Layer<RedisConnection> = internal.layer

/**
 * The connection to the URL in `COURIER_REDIS_URL` (read through effect's
 * `Config`, as a `Redacted` value); fails with a `ConfigError` when it is not
 * set or is not a URL ioredis can parse (the error does not show the value).
 *
 * @since 0.1.0
 */
export const layerConfig: (options: Omit<Options, "url">) => Layer.Layer<RedisConnection, ConfigError.ConfigError> =
  internal.layerConfig
