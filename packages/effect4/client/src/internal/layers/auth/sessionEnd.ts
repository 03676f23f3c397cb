/**
 * `onSessionExpired`, once per ended session. A session is known by its
 * access token: the Layer ends it when a refresh is rejected, or finds it
 * ended by another writer of a shared store (its requests meet an empty
 * store); the program hears of it once, not once per waiting request.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

type Token = Redacted.Redacted<string> | undefined

/** @internal */
export const makeAnnouncer = (
  hook: ((cause: unknown) => Effect.Effect<void>) | undefined,
  scope: Scope.Scope
) => {
  // The access token of the last session announced; none yet.
  let announced: string | undefined
  return (ended: Token, cause: unknown): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (hook === undefined) return Effect.void
      const token = ended === undefined ? undefined : Redacted.value(ended)
      if (token !== undefined && token === announced) return Effect.void
      announced = token
      // Forked in the Layer's scope, so a slow hook holds no request; a defect
      // in it must not replace why the session ended.
      return Effect.asVoid(Effect.forkIn(Effect.catchCause(hook(cause), () => Effect.void), scope))
    })
}
