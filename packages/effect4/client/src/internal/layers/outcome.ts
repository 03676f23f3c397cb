/**
 * How one `execute` call ended, in the terms logs, metrics and spans share.
 * Only the failure's tag and its closed `reason` / `phase` / status leave
 * here: never its message, body excerpt or headers.
 */
import * as Telemetry from "@courier/core/Telemetry"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import type * as CourierError from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"

/** @internal */
export type Outcome =
  | { readonly _tag: "Success"; readonly response: CourierResponse.CourierResponse }
  | { readonly _tag: "Failure"; readonly error: CourierError.CourierError }
  | { readonly _tag: "Interrupted" }
  | { readonly _tag: "Defect"; readonly name: string }

/** @internal */
export const of = (exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>): Outcome => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", response: exit.value }
  const cause = exit.cause
  for (const reason of cause.reasons) {
    if (Cause.isFailReason(reason)) return { _tag: "Failure", error: reason.error }
  }
  for (const reason of cause.reasons) {
    if (Cause.isDieReason(reason)) {
      return { _tag: "Defect", name: reason.defect instanceof Error ? reason.defect.name : "Defect" }
    }
  }
  return { _tag: "Interrupted" }
}

/** The status the failure carries, if the server answered. @internal */
export const statusOf = (error: CourierError.CourierError): number | undefined =>
  "status" in error && typeof error.status === "number" ? error.status : undefined

/** The failure's closed `reason`, if it has one. @internal */
export const reasonOf = (error: CourierError.CourierError): string | undefined =>
  "reason" in error && typeof error.reason === "string" ? error.reason : undefined

/** The timed-out phase of a `Timeout`. @internal */
export const phaseOf = (error: CourierError.CourierError): string | undefined =>
  error._tag === "Timeout" ? error.phase : undefined

/** `2xx`..`5xx`, or `none` when no status was received. @internal */
export const statusClass: (status: number | undefined) => string = Telemetry.statusClass

/** The method, or `_OTHER` for a custom one, so labels stay a bounded set. @internal */
export const methodLabel: (method: string) => string = Telemetry.methodLabel
