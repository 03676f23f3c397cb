import * as Engine from "@courier/core/testkit/Fault"
import * as Duration from "effect/Duration"
import type * as FaultServer from "../FaultServer.js"

// The faults without a duration are the engine's own values: the same shape as this kit's types.

/** @internal */
export const json: (value: unknown, options?: FaultServer.Options) => FaultServer.Respond = Engine.json
/** @internal */
export const text: (body: string, options?: FaultServer.Options) => FaultServer.Respond = Engine.text
/** @internal */
export const status: (code: number, options?: Omit<FaultServer.Options, "status">) => FaultServer.Respond = Engine.status
/** @internal */
export const retryAfter: (
  code: number,
  value: FaultServer.RetryAfter,
  options?: Omit<FaultServer.Options, "status">
) => FaultServer.Respond = Engine.retryAfter
/** @internal */
export const reset: FaultServer.Reset = Engine.reset
/** @internal */
export const stallHeaders: FaultServer.StallHeaders = Engine.stallHeaders
/** @internal */
export const stallBody: (options?: { readonly declared?: number; readonly sent?: number }) => FaultServer.StallBody =
  Engine.stallBody
/** @internal */
export const truncated: (options?: { readonly declared?: number; readonly sent?: number }) => FaultServer.Truncated =
  Engine.truncated
/** @internal */
export const chunkedCut: (chunks?: ReadonlyArray<string>) => FaultServer.ChunkedCut = Engine.chunkedCut
/** @internal */
export const badChunkSize: FaultServer.BadChunkSize = Engine.badChunkSize
/** @internal */
export const malformedStatusLine: (line?: string) => FaultServer.MalformedStatusLine = Engine.malformedStatusLine
/** @internal */
export const oversizedHeaders: (bytes?: number) => FaultServer.OversizedHeaders = Engine.oversizedHeaders
/** @internal */
export const keepAliveThenClose: (reply?: FaultServer.Respond) => FaultServer.KeepAliveThenClose =
  Engine.keepAliveThenClose

/** @internal */
export const drip = (interval: Duration.DurationInput, body?: string): FaultServer.Drip => {
  const { intervalMillis: _, ...drip } = Engine.drip(0, body)
  return { ...drip, interval: Duration.decode(interval) }
}

/** @internal */
export const endlessHeaders = (options?: {
  readonly interval?: Duration.DurationInput
  readonly maxLines?: number
}): FaultServer.EndlessHeaders => {
  const { intervalMillis, ...endless } = Engine.endlessHeaders(
    options?.maxLines === undefined ? undefined : { maxLines: options.maxLines }
  )
  return { ...endless, interval: Duration.decode(options?.interval ?? Duration.millis(intervalMillis)) }
}

/** @internal */
export const answerEarly = (
  code: number,
  options?: { readonly linger?: Duration.DurationInput }
): FaultServer.AnswerEarly => {
  const { lingerMillis, ...early } = Engine.answerEarly(code)
  return { ...early, linger: Duration.decode(options?.linger ?? Duration.millis(lingerMillis)) }
}

/** @internal */
export const sequence = (faults: ReadonlyArray<FaultServer.Fault>): FaultServer.Sequence => ({ _tag: "Sequence", faults })

/** @internal */
export const dynamic = (decide: (request: FaultServer.JournalEntry) => FaultServer.Fault): FaultServer.Dynamic => ({
  _tag: "Dynamic",
  decide
})

/**
 * The engine's fault for one of this kit's: durations in milliseconds. Done
 * once per route registration (a sequence reached twice stays one sequence),
 * and for what a `dynamic` decides, each time it decides.
 *
 * @internal
 */
export const toEngine = (
  fault: FaultServer.Fault,
  seen = new Map<FaultServer.Sequence, Engine.Sequence>()
): Engine.Fault => {
  switch (fault._tag) {
    case "Drip": {
      const { interval, ...rest } = fault
      return { ...rest, intervalMillis: Duration.toMillis(interval) }
    }
    case "EndlessHeaders": {
      const { interval, ...rest } = fault
      return { ...rest, intervalMillis: Duration.toMillis(interval) }
    }
    case "AnswerEarly": {
      const { linger, ...rest } = fault
      return { ...rest, lingerMillis: Duration.toMillis(linger) }
    }
    case "Dynamic":
      return Engine.dynamic((request) => toEngine(fault.decide(request)))
    case "Sequence": {
      const known = seen.get(fault)
      if (known !== undefined) return known
      // Registered before its steps are converted, so a sequence nested in itself ends.
      const faults: Array<Engine.Fault> = []
      const sequence: Engine.Sequence = { _tag: "Sequence", faults }
      seen.set(fault, sequence)
      for (const step of fault.faults) faults.push(toEngine(step, seen))
      return sequence
    }
    default:
      return fault
  }
}
