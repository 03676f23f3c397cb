import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Cluster, Redis } from "ioredis"
import type { ClusterOptions, RedisOptions } from "ioredis"
import type * as Scope from "effect/Scope"
import type * as RedisConnection from "../RedisConnection.js"
import { RedisConnection as Tag, RedisUnavailable } from "../RedisConnection.js"

const defaultCommandTimeout = Duration.seconds(1)
const defaultConnectTimeout = Duration.seconds(2)

/**
 * A command must fail at once while Redis is unreachable, never wait in
 * ioredis's offline queue nor be retried across reconnections: the caller
 * falls back to local state instead. Reconnection itself goes on forever,
 * at most a second apart, so the shared state comes back with Redis.
 */
const failFast = (commandTimeout: number) => ({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout,
  retryStrategy: (times: number) => Math.min(times * 100, 1000)
})

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

/**
 * ioredis's error replies keep the command on the error (`command.args`):
 * the serialised tokens of a SET, a flag store's evaluation context. A
 * failure is logged where it lands (the flags service logs its store's), so
 * only Redis's reason and the error's name go on.
 */
const scrub = (cause: unknown): Error => {
  const error = new Error(describe(cause))
  if (cause instanceof Error) error.name = cause.name
  return error
}

/**
 * ioredis could not parse the URL. Its own error (Node's `ERR_INVALID_URL`)
 * keeps the whole URL in its `input` field, password included, and would
 * print it wherever the failure is logged: this one names no part of it.
 */
class InvalidUrl extends Data.TaggedError("InvalidUrl")<{ readonly reason: string }> {}

const connect = (options: RedisConnection.Options) =>
  Effect.gen(function*() {
    const commandTimeout = Duration.decode(options.commandTimeout ?? defaultCommandTimeout)
    const connectTimeout = Duration.decode(options.connectTimeout ?? defaultConnectTimeout)
    const fast = failFast(Duration.toMillis(commandTimeout))
    const base = `${options.prefix ?? "courier:"}${options.namespace}:`

    const client = yield* Effect.acquireRelease(
      Effect.suspend(() => {
        if (options.cluster !== undefined) {
          const clusterOptions: ClusterOptions = {
            enableOfflineQueue: false,
            clusterRetryStrategy: fast.retryStrategy,
            ...options.cluster.options,
            redisOptions: { ...fast, ...options.cluster.options?.redisOptions }
          }
          return Effect.succeed<Redis | Cluster>(new Cluster([...options.cluster.nodes], clusterOptions))
        }
        const redisOptions: RedisOptions = { ...fast, ...options.redis }
        const url = options.url === undefined ? undefined : Redacted.value(options.url)
        if (url === undefined) return Effect.succeed<Redis | Cluster>(new Redis(redisOptions))
        try {
          return Effect.succeed<Redis | Cluster>(new Redis(url, redisOptions))
        } catch (cause) {
          const code = typeof cause === "object" && cause !== null && "code" in cause ? ` (${String(cause.code)})` : ""
          return Effect.fail(new InvalidUrl({ reason: `not a URL ioredis can parse${code}; its value is not shown, it may hold a password` }))
        }
      }),
      // `disconnect`, not `quit`: quitting sends a command, which waits or
      // fails when Redis is gone; closing the socket cannot.
      (client) => Effect.sync(() => client.disconnect())
    )

    let healthy = true
    // ioredis reports connection errors as events; without a listener it
    // prints them. The first command that fails says so, once per outage.
    client.on("error", () => {})

    const run = <A>(operation: string, command: (client: Redis | Cluster) => Promise<A>) =>
      Effect.tryPromise({
        try: () => command(client),
        catch: (cause) => new RedisUnavailable({ operation, cause: scrub(cause) })
      }).pipe(
        Effect.timeoutFail({
          duration: commandTimeout,
          onTimeout: () => new RedisUnavailable({ operation, cause: `no answer within ${Duration.format(commandTimeout)}` })
        }),
        Effect.tapBoth({
          onFailure: (error) =>
            Effect.suspend(() => {
              if (!healthy) return Effect.void
              healthy = false
              return Effect.logWarning(
                `Redis is unavailable (${operation}: ${describe(error.cause)}): this process falls back to local state until it is back`
              ).pipe(Effect.annotateLogs("redis.namespace", options.namespace))
            }),
          onSuccess: () =>
            Effect.suspend(() => {
              if (healthy) return Effect.void
              healthy = true
              return Effect.logInfo("Redis is back: state is shared again").pipe(
                Effect.annotateLogs("redis.namespace", options.namespace)
              )
            })
        })
      )

    // Wait a little for the first connection, so the first calls share
    // state; Redis being down at start is not an error (local fallback).
    if (client.status !== "ready") {
      yield* Effect.async<void>((resume) => {
        const ready = () => resume(Effect.void)
        client.once("ready", ready)
        return Effect.sync(() => client.off("ready", ready))
      }).pipe(Effect.timeoutOption(connectTimeout))
    }

    const service: RedisConnection.Service = {
      client,
      namespace: options.namespace,
      key: (...parts) => base + parts.join(":"),
      run,
      isAvailable: Effect.sync(() => healthy && client.status === "ready")
    }
    return service
  })

/** @internal */
export const make = (options: RedisConnection.Options): Effect.Effect<RedisConnection.Service, never, Scope.Scope> =>
  Effect.catchTag(connect(options), "InvalidUrl", (error) => Effect.dieMessage(`RedisConnection: the url is ${error.reason}`))

/** @internal */
export const layer = (options: RedisConnection.Options) => Layer.scoped(Tag, make(options))

/** @internal */
export const layerConfig = (options: Omit<RedisConnection.Options, "url">) =>
  Layer.scoped(
    Tag,
    Effect.flatMap(Config.redacted("COURIER_REDIS_URL"), (url) =>
      Effect.catchTag(
        connect({ ...options, url }),
        "InvalidUrl",
        (error) => Effect.fail(ConfigError.InvalidData(["COURIER_REDIS_URL"], `COURIER_REDIS_URL is ${error.reason}`))
      ))
  )
