/**
 * What the Layers of one call tell each other through the fiber. Why a call
 * is made: the auth Layer marks its refresh call and the replay after a
 * refresh, so logging can show them above the routine successes (which it
 * keeps quiet). Which attempt was sent last: the retry Layer records each
 * one, so a replay above it takes the next number, not one already logged.
 */
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/** @internal */
export type Role = "request" | "refresh" | "replay"

/** @internal */
export const currentRole: FiberRef.FiberRef<Role> = globalValue(
  Symbol.for("@courier/client/internal/callRole"),
  () => FiberRef.unsafeMake<Role>("request")
)

/**
 * The last attempt the retry Layer sent again, as a new object each time, so
 * a reader that kept the value it saw before a call can tell whether a retry
 * happened during the call (identity), whatever earlier calls on the fiber
 * left there. A first attempt is not recorded: a call that succeeds first
 * time updates no fiber ref.
 *
 * @internal
 */
export interface AttemptMark {
  readonly attempt: number
}

/** @internal */
export const lastAttempt: FiberRef.FiberRef<AttemptMark | undefined> = globalValue(
  Symbol.for("@courier/client/internal/lastAttempt"),
  () => FiberRef.unsafeMake<AttemptMark | undefined>(undefined)
)
