import * as Script from "@courier/core/Script"
import * as Duration from "effect/Duration"
import type * as FaultServer from "../FaultServer.js"

const encoder = new TextEncoder()

const lower = (headers: FaultServer.Headers | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  if (headers !== undefined) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

const respond = (
  status: number,
  contentType: string,
  body: Uint8Array,
  options: FaultServer.Options | undefined,
  retryAfter: FaultServer.RetryAfter | undefined = undefined
): FaultServer.Respond => ({
  _tag: "Respond",
  status: options?.status ?? status,
  headers: { "content-type": contentType, ...lower(options?.headers) },
  body,
  retryAfter,
  close: options?.close ?? false
})

/** @internal */
export const json = (value: unknown, options?: FaultServer.Options): FaultServer.Respond =>
  respond(200, "application/json", encoder.encode(JSON.stringify(value) ?? "null"), options)

/** @internal */
export const text = (body: string, options?: FaultServer.Options): FaultServer.Respond =>
  respond(200, "text/plain; charset=utf-8", encoder.encode(body), options)

/** @internal */
export const status = (code: number, options?: Omit<FaultServer.Options, "status">): FaultServer.Respond =>
  respond(code, "application/json", encoder.encode(JSON.stringify({ error: `status ${code}` })), options)

/** @internal */
export const retryAfter = (
  code: number,
  value: FaultServer.RetryAfter,
  options?: Omit<FaultServer.Options, "status">
): FaultServer.Respond =>
  respond(code, "application/json", encoder.encode(JSON.stringify({ error: `status ${code}` })), options, value)

/** @internal */
export const reset: FaultServer.Reset = { _tag: "Reset" }

/** @internal */
export const stallHeaders: FaultServer.StallHeaders = { _tag: "StallHeaders" }

/** @internal */
export const stallBody = (options?: { readonly declared?: number; readonly sent?: number }): FaultServer.StallBody => ({
  _tag: "StallBody",
  declared: options?.declared ?? 64,
  sent: options?.sent ?? 8
})

/** @internal */
export const drip = (interval: Duration.DurationInput, body = "{\"ok\":true}"): FaultServer.Drip => ({
  _tag: "Drip",
  interval: Duration.decode(interval),
  body: encoder.encode(body)
})

/** @internal */
export const truncated = (options?: { readonly declared?: number; readonly sent?: number }): FaultServer.Truncated => ({
  _tag: "Truncated",
  declared: options?.declared ?? 64,
  sent: options?.sent ?? 10
})

/** @internal */
export const chunkedCut = (chunks: ReadonlyArray<string> = ["{\"ok\":"]): FaultServer.ChunkedCut => ({
  _tag: "ChunkedCut",
  chunks
})

/** @internal */
export const badChunkSize: FaultServer.BadChunkSize = { _tag: "BadChunkSize" }

/** @internal */
export const malformedStatusLine = (line = "HTTP/1.1 2OO OK"): FaultServer.MalformedStatusLine => ({
  _tag: "MalformedStatusLine",
  line
})

/** @internal */
export const oversizedHeaders = (bytes = 64 * 1024): FaultServer.OversizedHeaders => ({
  _tag: "OversizedHeaders",
  bytes
})

/** @internal */
export const endlessHeaders = (options?: {
  readonly interval?: Duration.DurationInput
  readonly maxLines?: number
}): FaultServer.EndlessHeaders => ({
  _tag: "EndlessHeaders",
  interval: Duration.decode(options?.interval ?? Duration.millis(20)),
  maxLines: options?.maxLines ?? 10_000
})

/** @internal */
export const keepAliveThenClose = (reply: FaultServer.Respond = json({ ok: true })): FaultServer.KeepAliveThenClose => ({
  _tag: "KeepAliveThenClose",
  reply
})

/** @internal */
export const answerEarly = (code: number, options?: { readonly linger?: Duration.DurationInput }): FaultServer.AnswerEarly => ({
  _tag: "AnswerEarly",
  reply: status(code, { close: true }),
  linger: Duration.decode(options?.linger ?? Duration.seconds(2))
})

/** @internal */
export const sequence = (faults: ReadonlyArray<FaultServer.Fault>): FaultServer.Sequence => ({ _tag: "Sequence", faults })

/** @internal */
export const dynamic = (decide: (request: FaultServer.JournalEntry) => FaultServer.Fault): FaultServer.Dynamic => ({
  _tag: "Dynamic",
  decide
})

/**
 * The fault a request gets, advancing the sequences it goes through. A
 * `Dynamic` is returned as is: it is decided once the body arrived.
 *
 * @internal
 */
export const resolve = (
  fault: FaultServer.Fault,
  counters: Map<FaultServer.Sequence, number>
): Exclude<FaultServer.Fault, FaultServer.Sequence> =>
  Script.next(
    fault,
    (f): f is FaultServer.Sequence => f._tag === "Sequence",
    (sequence) => sequence.faults,
    counters,
    () => status(500)
  )
