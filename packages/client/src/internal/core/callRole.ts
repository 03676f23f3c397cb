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

/** @internal */
export const lastAttempt: FiberRef.FiberRef<number> = globalValue(
  Symbol.for("@courier/client/internal/lastAttempt"),
  () => FiberRef.unsafeMake<number>(0)
)
