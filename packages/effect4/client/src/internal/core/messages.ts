/**
 * The texts of the failures' messages, and the JSON they show: the safe
 * fields only, never a `cause` (a transport or schema error may quote what
 * was sent or received).
 */
import * as Duration from "effect/Duration"

/** @internal */
export const safeJson = (self: { readonly _tag: string; readonly message: string }, fields: ReadonlyArray<string>) => {
  const out: Record<string, unknown> = { _tag: self._tag, message: self.message }
  for (const field of fields) {
    const value = (self as unknown as Record<string, unknown>)[field]
    if (value !== undefined) out[field] = Duration.isDuration(value) ? Duration.format(value) : value
  }
  return out
}
