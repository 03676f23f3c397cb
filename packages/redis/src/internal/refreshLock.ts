import type { Auth } from "@courier/client"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as RedisConnection from "../RedisConnection.js"

// Deletes the lock only if this holder still owns it: after its time to live
// another process may hold it, and that lock is not ours to release.
const compareAndDelete = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`

// Gives the lock a whole time to live again, only if this holder still owns it.
const compareAndExtend = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
`

const maxTtl = 24 * 60 * 60 * 1000

/**
 * The refresh lock: `SET key owner NX PX ttl`, renewed while its holder
 * works (see `keepAlive`), released by a compare-and-delete script; a holder
 * that dies frees it when `ttl` passes. While Redis
 * is unavailable the lock counts as taken (each process refreshes once, on
 * its own) and nobody waits for it. That lease still releases: a SET that
 * timed out here may have reached a slow Redis and taken the lock after all,
 * and left there it would hold the other processes for its whole `ttl`.
 *
 * @internal
 */
export const make = (
  connection: RedisConnection.Service,
  options: { readonly pollInterval?: Duration.DurationInput | undefined } = {}
): Auth.RefreshCoordinator => {
  const key = connection.key("refresh-lock")
  const poll = Duration.decode(options.pollInterval ?? Duration.millis(25))
  return {
    acquire: (ttl) =>
      Effect.suspend(() => {
        const owner = crypto.randomUUID()
        // At least a second: a lock that lapses before the refresh call is even
        // sent would let a second process in. At most a day: Redis refuses an
        // infinite time to live, and a lock must expire if its holder dies.
        const millis = Math.min(maxTtl, Math.max(1000, Math.ceil(Duration.toMillis(ttl))))
        const release = Effect.ignore(
          connection.run("refresh-lock.release", (client) => client.eval(compareAndDelete, 1, key, owner))
        )
        // The time to live covers the refresh call and a margin for the store's
        // commands; a slow Redis can take longer than the margin, and a lock
        // lapsing while its holder still works lets a second process refresh
        // the same token. So while the holder lives the lock is renewed every
        // third of its time to live, for at most one more time to live (a
        // holder stuck past that loses it); a holder that dies stops renewing
        // and its lock expires as before.
        const third = Duration.millis(Math.max(1, Math.floor(millis / 3)))
        const keepAlive = connection.run("refresh-lock.extend", (client) => client.eval(compareAndExtend, 1, key, owner, millis)).pipe(
          Effect.repeat({ schedule: Schedule.spaced(third), while: (extended) => extended === 1 }),
          Effect.delay(third),
          Effect.timeoutOption(Duration.millis(millis)),
          Effect.ignore
        )
        return connection.run("refresh-lock.acquire", (client) => client.set(key, owner, "PX", millis, "NX")).pipe(
          Effect.flatMap((answer): Effect.Effect<Auth.RefreshLease> =>
            answer === "OK"
              // Interruptible: `acquire` runs uninterruptibly (acquireUseRelease),
              // and the renewal must stop at `release` and at its own bound.
              ? Effect.map(Effect.forkDaemon(Effect.interruptible(keepAlive)), (renewing) => ({
                _tag: "Acquired",
                release: Effect.zipRight(Fiber.interrupt(renewing), release)
              }))
              : Effect.succeed({ _tag: "Held" })
          ),
          // Counts as taken, not renewed: this process may not hold it at all.
          Effect.orElseSucceed((): Auth.RefreshLease => ({ _tag: "Acquired", release }))
        )
      }),
    // Polls rather than subscribes: the lock's expiry sends no message, and a
    // poll every `pollInterval` costs one EXISTS per waiting process (one
    // refresh fiber per process waits, not each request).
    awaitRelease: (max) =>
      connection.run("refresh-lock.wait", (client) => client.exists(key)).pipe(
        Effect.repeat({
          schedule: Schedule.spaced(poll),
          while: (held) => held === 1
        }),
        Effect.timeoutOption(max),
        Effect.ignore
      )
  }
}
