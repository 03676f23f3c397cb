import * as Engine from "@courier/core/testkit/Fault"
import * as Duration from "effect/Duration"
import type * as FaultServer from "../FaultServer.js"

/** @internal */
export const json = Engine.json
/** @internal */
export const text = Engine.text
/** @internal */
export const status = Engine.status
/** @internal */
export const retryAfter = Engine.retryAfter
/** @internal */
export const reset = Engine.reset
/** @internal */
export const stallHeaders = Engine.stallHeaders
/** @internal */
export const stallBody = Engine.stallBody
/** @internal */
export const truncated = Engine.truncated
/** @internal */
export const chunkedCut = Engine.chunkedCut
/** @internal */
export const badChunkSize = Engine.badChunkSize
/** @internal */
export const malformedStatusLine = Engine.malformedStatusLine
/** @internal */
export const oversizedHeaders = Engine.oversizedHeaders
/** @internal */
export const keepAliveThenClose = Engine.keepAliveThenClose
/** @internal */
export const sequence = Engine.sequence
/** @internal */
export const dynamic = Engine.dynamic

/** @internal */
export const drip = (interval: Duration.Input, body?: string): FaultServer.Drip =>
  Engine.drip(Duration.toMillis(interval), body)

/** @internal */
export const endlessHeaders = (options?: {
  readonly interval?: Duration.Input | undefined
  readonly maxLines?: number | undefined
}): FaultServer.EndlessHeaders =>
  Engine.endlessHeaders({
    ...(options?.interval === undefined ? {} : { intervalMillis: Duration.toMillis(options.interval) }),
    ...(options?.maxLines === undefined ? {} : { maxLines: options.maxLines })
  })

/** @internal */
export const answerEarly = (
  code: number,
  options?: { readonly linger?: Duration.Input | undefined }
): FaultServer.AnswerEarly =>
  Engine.answerEarly(code, options?.linger === undefined ? undefined : { lingerMillis: Duration.toMillis(options.linger) })
