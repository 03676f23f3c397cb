/**
 * The refresh across processes that share a token store: the one in-flight
 * refresh of an auth Layer first takes the coordinator's lock, so of all the
 * processes meeting the same expired token only one calls the token
 * endpoint; the others wait for the lock to go and use what it stored.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../../../Auth.js"
import type * as TokenStore from "../../../TokenStore.js"

type Token = Redacted.Redacted<string> | undefined

const differs = (tokens: Option.Option<TokenStore.Tokens>, replacing: Token): boolean => {
  if (Option.isNone(tokens)) return true
  return replacing === undefined || Redacted.value(tokens.value.accessToken) !== Redacted.value(replacing)
}

/** @internal */
export interface Coordinated {
  readonly coordinator: Auth.RefreshCoordinator
  /** The Layer's `refreshTimeout`: it bounds the refresh call made holding the lock. */
  readonly refreshTimeout: Duration.Duration
  readonly readTokens: Effect.Effect<Option.Option<TokenStore.Tokens>>
  /** The access token this refresh replaces: a stored one that differs was stored by someone else. */
  readonly replacing: Token
  /** Refreshes (this process holds the lock meanwhile). */
  readonly refresh: Effect.Effect<void>
  /** Uses what another process stored instead (none: it ended the session). */
  readonly adopt: (tokens: Option.Option<TokenStore.Tokens>) => Effect.Effect<void>
  /** The lock stayed held by others past the bound. */
  readonly unavailable: (cause: string) => Effect.Effect<void>
}

/**
 * The lock outlives the refresh call by this much, for the store write that
 * follows it: a lock lapsing while its holder still works would let a second
 * process refresh.
 *
 * @internal
 */
export const lockMargin = Duration.seconds(2)

/**
 * Takes the lock (for `refreshTimeout` plus `lockMargin`); holding it, reads
 * the store again (a refresh another process finished meanwhile is not
 * repeated) and refreshes only if the token is still the one to replace; the
 * lock is released once the tokens are stored. When another process holds
 * it, waits for it to go, reads the store and tries again, for at most twice
 * the lock's time to live: one dead holder's lock running out, then one
 * refresh by whoever takes it next.
 *
 * @internal
 */
export const run = (options: Coordinated): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (start) => {
    const ttl = Duration.sum(options.refreshTimeout, lockMargin)
    const deadline = start + 2 * Duration.toMillis(ttl)
    const attempt: Effect.Effect<boolean> = Effect.acquireUseRelease(
      options.coordinator.acquire(ttl),
      (lease) =>
        Effect.flatMap(
          lease._tag === "Acquired"
            ? options.readTokens
            : Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.andThen(
                options.coordinator.awaitRelease(Duration.millis(Math.max(0, deadline - now))),
                options.readTokens
              )),
          (tokens) => {
            if (differs(tokens, options.replacing)) return Effect.as(options.adopt(tokens), true)
            return lease._tag === "Acquired" ? Effect.as(options.refresh, true) : Effect.succeed(false)
          }
        ),
      (lease) => lease._tag === "Acquired" ? lease.release : Effect.void
    )
    const loop: Effect.Effect<void> = Effect.flatMap(attempt, (done) =>
      done ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        now < deadline
          ? loop
          : options.unavailable(
            `another process held the refresh lock for more than ${Duration.format(Duration.millis(deadline - start))}`
          )))
    return loop
  })
