/**
 * What the Layers of one call tell each other through the context. Why a
 * call is made: the auth Layer marks its refresh call and the replay after a
 * refresh, so logging can show them above the routine successes it keeps
 * quiet. Which attempt was sent last: the retry Layer records each one, so a
 * replay above it takes the next number, not one already logged.
 */
import * as Context from "effect/Context"

/** @internal */
export type Role = "request" | "refresh" | "replay"

/** @internal */
export const CurrentRole: Context.Reference<Role> = Context.Reference<Role>(
  "@courier/client-effect4/internal/CurrentRole",
  { defaultValue: () => "request" }
)

/**
 * A mutable cell, one per call that asks for it (the auth Layer provides a
 * fresh one around the call it may replay); the retry Layer below writes the
 * number of each attempt it sends again. A first attempt writes nothing, so
 * a call that succeeds first time touches no cell.
 *
 * @internal
 */
export interface AttemptCell {
  last: number | undefined
}

/** @internal */
export const LastAttempt: Context.Reference<AttemptCell | undefined> = Context.Reference<AttemptCell | undefined>(
  "@courier/client-effect4/internal/LastAttempt",
  { defaultValue: () => undefined }
)
