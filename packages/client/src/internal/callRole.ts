/**
 * Why a call is made, for the Layers below the one that makes it: the auth
 * Layer marks its refresh call and the replay after a refresh, so logging
 * can show them above the routine successes (which it keeps quiet).
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
