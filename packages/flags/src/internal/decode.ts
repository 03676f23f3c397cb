import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as FeatureFlags from "../FeatureFlags.js"
import * as Ofrep from "../Ofrep.js"

/**
 * @internal
 * Logs a problem the first time it is seen. A flag that stays malformed
 * would otherwise log at every poll.
 */
export const makeWarnOnce = () => {
  const seen = new Set<string>()
  return (key: string, problem: string): Effect.Effect<void> =>
    Effect.suspend(() => {
      const id = `${key}\u0000${problem}`
      if (seen.has(id)) return Effect.void
      seen.add(id)
      return Effect.logWarning(`feature flag ${key}: ${problem}; serving its default`).pipe(
        Effect.annotateLogs({ flag: key })
      )
    })
}

/** @internal */
export type WarnOnce = ReturnType<typeof makeWarnOnce>

const decodeEntry = Schema.decodeUnknownEither(Ofrep.Entry)
const decodeEnvelope = Schema.decodeUnknownEither(Ofrep.BulkResponse)

/**
 * @internal
 * The entries of a bulk response, each decoded on its own: a bad entry is
 * dropped (and logged), the others kept; `undefined` when the
 * envelope itself is wrong.
 */
export const entries = (
  body: unknown,
  warn: WarnOnce
): Effect.Effect<ReadonlyArray<Ofrep.Entry> | undefined> =>
  Effect.gen(function*() {
    const envelope = decodeEnvelope(body)
    if (Either.isLeft(envelope)) {
      yield* warn("(response)", "the evaluation response is not { flags: [...] }")
      return undefined
    }
    const out: Array<Ofrep.Entry> = []
    for (const raw of envelope.right.flags) {
      const entry = decodeEntry(raw)
      if (Either.isRight(entry)) {
        out.push(entry.right)
        continue
      }
      const key = typeof raw === "object" && raw !== null && "key" in raw && typeof raw.key === "string"
        ? raw.key
        : "(entry without a key)"
      yield* warn(key, "the server sent a malformed entry")
    }
    return out
  })

/** @internal Parses text as JSON, `undefined` when it is not. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * @internal
 * The typed values: each declared flag's entry decoded by its Schema, or
 * its default.
 */
export const values = <D extends FeatureFlags.Definitions>(
  definitions: D,
  evaluations: ReadonlyMap<string, Ofrep.Entry>,
  warn: WarnOnce,
  heard: boolean
): Effect.Effect<FeatureFlags.Values<D>> =>
  Effect.gen(function*() {
    const out: Record<string, unknown> = {}
    for (const [key, definition] of Object.entries(definitions)) {
      out[key] = definition.default
      const entry = evaluations.get(key)
      if (entry === undefined) {
        if (heard) yield* warn(key, "the server did not send it")
        continue
      }
      if (Ofrep.isFailed(entry)) {
        yield* warn(key, `the server could not evaluate it (${entry.errorCode})`)
        continue
      }
      const decoded = Schema.decodeUnknownEither(definition.schema)(entry.value)
      if (Either.isLeft(decoded)) {
        yield* warn(key, `its value does not match the declared schema: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`)
        continue
      }
      out[key] = decoded.right
    }
    return out as FeatureFlags.Values<D>
  })
