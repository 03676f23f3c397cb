import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as RedisConnection from "../RedisConnection.js"

// Why not @effect/experimental's Redis RateLimiter or Persistence: the
// RateLimiter runs its own token bucket and fixed window in Lua, while the
// client's limiter and breaker keep their own state (pauses learnt from 429
// and RateLimit headers, a learnt policy, half-open probes) behind a pure
// `modify`; Persistence has get/set but no compare-and-set, and each of its
// layers opens its own connection closed with `Effect.promise(quit)`: with
// the offline queue off (needed for a command to fail fast) QUIT rejects
// while Redis is gone, a defect when the scope closes. One connection with
// fail-fast settings and a compare-and-set script serves all the stores here.

/** The `modify` contract of `CircuitBreaker.Store` and `RateLimiter.Store`. */
interface Keyed<S> {
  readonly modify: <A>(key: string, f: (state: Option.Option<S>) => readonly [A, S]) => Effect.Effect<A>
}

// Compare-and-set with a time to live: sets ARGV[2] only if the key still
// holds ARGV[1] ("" = absent), so a state computed from an old value is
// never written over a newer one.
const compareAndSet = `
local current = redis.call("GET", KEYS[1])
if (current == false and ARGV[1] == "") or current == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  return 1
end
return 0
`

// Enough for the few processes that hit one key at the same instant; past
// that the change is applied to this process's state alone, not lost.
const maxConflicts = 16

/**
 * Shared state under `<namespace>:<kind>:<key>`: GET, apply `f` (pure, so it
 * may run again), then compare-and-set; a conflicting write makes it start
 * again. The key expires after `ttl` without a write (an idle origin's state
 * is dropped; for both stores a missing state is the initial one). A value
 * that is not a state (`isState`) counts as missing, and the write replaces
 * it. While Redis is unavailable, `fallback` (this process's memory) serves.
 *
 * @internal
 */
export const make = <S>(
  connection: RedisConnection.Service,
  kind: string,
  fallback: Keyed<S>,
  ttl: Duration.Duration,
  isState: (u: unknown) => u is S
): Keyed<S> => {
  const ttlMillis = Math.max(1, Math.ceil(Duration.toMillis(ttl)))
  const parse = (raw: string | null): Option.Option<S> => {
    if (raw === null) return Option.none()
    try {
      const value: unknown = JSON.parse(raw)
      return isState(value) ? Option.some(value) : Option.none()
    } catch {
      return Option.none()
    }
  }
  return {
    modify: <A>(key: string, f: (state: Option.Option<S>) => readonly [A, S]): Effect.Effect<A> => {
      const redisKey = connection.key(kind, key)
      const attempt = (left: number): Effect.Effect<A, RedisConnection.RedisUnavailable> =>
        Effect.flatMap(connection.run(`${kind}.get`, (client) => client.get(redisKey)), (raw) => {
          const [result, next] = f(parse(raw))
          return Effect.flatMap(
            connection.run(`${kind}.set`, (client) => client.eval(compareAndSet, 1, redisKey, raw ?? "", JSON.stringify(next), ttlMillis)),
            (written) =>
              written === 1 ? Effect.succeed(result) : left > 0 ? attempt(left - 1) : fallback.modify(key, f)
          )
        })
      return Effect.catchTag(attempt(maxConflicts), "RedisUnavailable", () => fallback.modify(key, f))
    }
  }
}
