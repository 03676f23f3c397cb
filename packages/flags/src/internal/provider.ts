import {
  ErrorCode,
  type EvaluationContext,
  type FlagMetadata,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons
} from "@openfeature/server-sdk"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as FeatureFlags from "../FeatureFlags.js"
import * as Ofrep from "../Ofrep.js"

type Kind = "boolean" | "string" | "number" | "object"

const kindOf = (value: unknown): Kind | "other" => {
  const type = typeof value
  return type === "boolean" || type === "string" || type === "number" || type === "object" ? type : "other"
}

const metadataOf = (entry: Ofrep.Entry | undefined): FlagMetadata | undefined => {
  if (entry === undefined || Ofrep.isFailed(entry) || entry.metadata === undefined) return undefined
  // OpenFeature metadata holds primitives only.
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(entry.metadata)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value
  }
  return out
}

/** @internal The resolution of one flag from a snapshot; never throws. */
export const resolve = <T>(
  snapshot: FeatureFlags.Snapshot<FeatureFlags.Definitions>,
  declared: boolean,
  key: string,
  defaultValue: T,
  kind: Kind
): ResolutionDetails<T> => {
  const entry = snapshot.evaluations.get(key)
  const fail = (errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> => ({
    value: defaultValue,
    reason: StandardResolutionReasons.ERROR,
    errorCode,
    errorMessage
  })
  let value: unknown
  let reason: string
  let variant: string | undefined
  if (declared) {
    value = snapshot.values[key]
    const usable = entry !== undefined && !Ofrep.isFailed(entry) && entry.value !== undefined
    // A declared flag served from its default says so, whatever the server sent.
    const fromServer = usable && JSON.stringify(entry.value) === JSON.stringify(value)
    reason = fromServer ? entry.reason ?? StandardResolutionReasons.UNKNOWN : StandardResolutionReasons.DEFAULT
    variant = fromServer ? entry.variant : undefined
    if (fromServer && snapshot.source === "stored") reason = StandardResolutionReasons.CACHED
  } else {
    if (entry === undefined) return fail(ErrorCode.FLAG_NOT_FOUND, `flag ${key} was not sent by the server`)
    if (Ofrep.isFailed(entry)) {
      const code = Object.values(ErrorCode).find((c) => c === entry.errorCode) ?? ErrorCode.GENERAL
      return fail(code, entry.errorDetails ?? entry.errorCode)
    }
    value = entry.value
    reason = snapshot.source === "stored" ? StandardResolutionReasons.CACHED : entry.reason ?? StandardResolutionReasons.UNKNOWN
    variant = entry.variant
  }
  if (kindOf(value) !== kind || value === null && kind === "object") {
    return fail(ErrorCode.TYPE_MISMATCH, `flag ${key} is not a ${kind}`)
  }
  const flagMetadata = metadataOf(entry)
  return {
    value: value as T,
    reason,
    ...(variant === undefined ? {} : { variant }),
    ...(flagMetadata === undefined ? {} : { flagMetadata })
  }
}

/** @internal */
export const makeProvider = <D extends FeatureFlags.Definitions>(
  service: FeatureFlags.Service<D>
): Effect.Effect<Provider, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const read = Runtime.runSync(runtime)
    const events = new OpenFeatureEventEmitter()
    const declared = new Set(Object.keys(service.definitions))
    const evaluate = <T>(key: string, defaultValue: T, kind: Kind): ResolutionDetails<T> =>
      resolve(read(service.snapshot), declared.has(key), key, defaultValue, kind)

    let previous = yield* service.snapshot
    yield* service.changes.pipe(
      Stream.drop(1),
      Stream.runForEach((next) =>
        Effect.sync(() => {
          const keys = new Set([...previous.evaluations.keys(), ...next.evaluations.keys()])
          const flagsChanged = [...keys].filter((key) =>
            JSON.stringify(previous.evaluations.get(key)) !== JSON.stringify(next.evaluations.get(key))
          )
          previous = next
          events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged })
        })
      ),
      Effect.forkScoped
    )

    const provider: Provider = {
      metadata: { name: "courier-flags" },
      runsOn: "server",
      events,
      resolveBooleanEvaluation: (key: string, defaultValue: boolean, _context: EvaluationContext) =>
        Promise.resolve(evaluate(key, defaultValue, "boolean")),
      resolveStringEvaluation: (key: string, defaultValue: string, _context: EvaluationContext) =>
        Promise.resolve(evaluate(key, defaultValue, "string")),
      resolveNumberEvaluation: (key: string, defaultValue: number, _context: EvaluationContext) =>
        Promise.resolve(evaluate(key, defaultValue, "number")),
      resolveObjectEvaluation: <T extends JsonValue>(key: string, defaultValue: T, _context: EvaluationContext) =>
        Promise.resolve(evaluate(key, defaultValue, "object"))
    }
    return provider
  })
