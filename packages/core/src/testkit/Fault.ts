/**
 * What the fault server does with one request, below HTTP: plain data
 * (resets, stalls, drips, cut bodies, broken framing and headers, stale
 * keep-alive sockets, early answers), its constructors, and how a request's
 * fault is picked through sequences. Durations are in milliseconds.
 */
import type { JournalEntry } from "../Journal.js"
import * as Script from "../Script.js"

/** Response headers, written in this order, one line each. */
export type Headers = Readonly<Record<string, string>>

/**
 * A `Retry-After` value: sent as is (seconds, or any text), or an HTTP date
 * `inMillis` from the moment the response is written (negative: in the past).
 */
export type RetryAfter = string | { readonly inMillis: number }

/** A well-formed response with a `Content-Length`; the connection is kept alive unless `close` is set. */
export interface Respond {
  readonly _tag: "Respond"
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
  readonly retryAfter: RetryAfter | undefined
  readonly close: boolean
}

/** A TCP reset (RST) once the whole request arrived, before any response byte. */
export interface Reset {
  readonly _tag: "Reset"
}

/** Read the request, then never answer. */
export interface StallHeaders {
  readonly _tag: "StallHeaders"
}

/** Send the headers (declaring `declared` bytes) and `sent` bytes of the body, then nothing. */
export interface StallBody {
  readonly _tag: "StallBody"
  readonly declared: number
  readonly sent: number
}

/** Send the headers, then the body one byte every `intervalMillis`. */
export interface Drip {
  readonly _tag: "Drip"
  readonly intervalMillis: number
  readonly body: Uint8Array
}

/** Declare `declared` bytes with `Content-Length`, send `sent`, then close (FIN). */
export interface Truncated {
  readonly _tag: "Truncated"
  readonly declared: number
  readonly sent: number
}

/** A chunked body that stops after some chunks, without the last (zero) chunk: the connection closes. */
export interface ChunkedCut {
  readonly _tag: "ChunkedCut"
  readonly chunks: ReadonlyArray<string>
}

/** A chunked body whose chunk-size line is not hexadecimal. */
export interface BadChunkSize {
  readonly _tag: "BadChunkSize"
}

/** `line` instead of a status line, then headers and a body; the connection closes. */
export interface MalformedStatusLine {
  readonly _tag: "MalformedStatusLine"
  readonly line: string
}

/** A 200 with one header line of `bytes` bytes, then a small body; the connection closes. */
export interface OversizedHeaders {
  readonly _tag: "OversizedHeaders"
  readonly bytes: number
}

/**
 * A status line, then a header line every `intervalMillis`, never the blank
 * line that ends the head; stops after `maxLines` lines (closing the
 * connection), or when the client goes away.
 */
export interface EndlessHeaders {
  readonly _tag: "EndlessHeaders"
  readonly intervalMillis: number
  readonly maxLines: number
}

/** Answer `reply` with `Connection: keep-alive`, then destroy the socket once the answer is flushed. */
export interface KeepAliveThenClose {
  readonly _tag: "KeepAliveThenClose"
  readonly reply: Respond
}

/**
 * Answer `reply` as soon as the request head arrived, without reading the
 * body, then close: FIN after the answer, the rest of the upload read and
 * dropped, the socket destroyed once the client closes or after `lingerMillis`.
 */
export interface AnswerEarly {
  readonly _tag: "AnswerEarly"
  readonly reply: Respond
  readonly lingerMillis: number
}

/** The n-th request on the route gets the n-th fault; the last one repeats. */
export interface Sequence {
  readonly _tag: "Sequence"
  readonly faults: ReadonlyArray<Fault>
}

/**
 * A fault chosen per request, once its body has arrived: `decide` sees the
 * request as the journal records it. A sequence it returns starts afresh
 * each time; an early answer is played after the body was read.
 */
export interface Dynamic {
  readonly _tag: "Dynamic"
  readonly decide: (request: JournalEntry) => Fault
}

/** What the fault server does with one request. */
export type Fault =
  | Respond
  | Reset
  | StallHeaders
  | StallBody
  | Drip
  | Truncated
  | ChunkedCut
  | BadChunkSize
  | MalformedStatusLine
  | OversizedHeaders
  | EndlessHeaders
  | KeepAliveThenClose
  | AnswerEarly
  | Sequence
  | Dynamic

/** Options of the response constructors. */
export interface Options {
  readonly status?: number | undefined
  /** Extra headers, over the constructor's (names are lowercased). */
  readonly headers?: Headers | undefined
  /** Close the connection after this response. Default false. */
  readonly close?: boolean | undefined
}

const encoder = new TextEncoder()

const lower = (headers: Headers | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  if (headers !== undefined) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

const respond = (
  status: number,
  contentType: string,
  body: Uint8Array,
  options: Options | undefined,
  retryAfter: RetryAfter | undefined = undefined
): Respond => ({
  _tag: "Respond",
  status: options?.status ?? status,
  headers: { "content-type": contentType, ...lower(options?.headers) },
  body,
  retryAfter,
  close: options?.close ?? false
})

/** A JSON response, 200 unless told otherwise. */
export const json = (value: unknown, options?: Options): Respond =>
  respond(200, "application/json", encoder.encode(JSON.stringify(value) ?? "null"), options)

/** A text response (`text/plain` unless the headers say otherwise), 200 unless told otherwise. */
export const text = (body: string, options?: Options): Respond =>
  respond(200, "text/plain; charset=utf-8", encoder.encode(body), options)

/** A response with status `code` and a small JSON body naming it. */
export const status = (code: number, options?: Omit<Options, "status">): Respond =>
  respond(code, "application/json", encoder.encode(JSON.stringify({ error: `status ${code}` })), options)

/** A response with status `code` and a `Retry-After`. */
export const retryAfter = (
  code: number,
  value: RetryAfter,
  options?: Omit<Options, "status">
): Respond =>
  respond(code, "application/json", encoder.encode(JSON.stringify({ error: `status ${code}` })), options, value)

/** A TCP RST once the request arrived. */
export const reset: Reset = { _tag: "Reset" }

/** Read the request, never answer. */
export const stallHeaders: StallHeaders = { _tag: "StallHeaders" }

/** Headers declaring `declared` bytes (default 64), `sent` of them (default 8), then silence. */
export const stallBody = (options?: { readonly declared?: number; readonly sent?: number }): StallBody => ({
  _tag: "StallBody",
  declared: options?.declared ?? 64,
  sent: options?.sent ?? 8
})

/** A JSON body (default `{"ok":true}`) dripped one byte every `intervalMillis`. */
export const drip = (intervalMillis: number, body = "{\"ok\":true}"): Drip => ({
  _tag: "Drip",
  intervalMillis,
  body: encoder.encode(body)
})

/** `Content-Length: declared` (default 64), `sent` bytes (default 10), then a close. */
export const truncated = (options?: { readonly declared?: number; readonly sent?: number }): Truncated => ({
  _tag: "Truncated",
  declared: options?.declared ?? 64,
  sent: options?.sent ?? 10
})

/** A chunked body cut after `chunks` (default one chunk of an unfinished JSON value). */
export const chunkedCut = (chunks: ReadonlyArray<string> = ["{\"ok\":"]): ChunkedCut => ({
  _tag: "ChunkedCut",
  chunks
})

/** A chunk-size line that is not hexadecimal. */
export const badChunkSize: BadChunkSize = { _tag: "BadChunkSize" }

/** `line` (default `HTTP/1.1 2OO OK`, letters O) as the status line. */
export const malformedStatusLine = (line = "HTTP/1.1 2OO OK"): MalformedStatusLine => ({
  _tag: "MalformedStatusLine",
  line
})

/** One header line of `bytes` bytes (default 64 KiB, over node's 16 KiB limit). */
export const oversizedHeaders = (bytes = 64 * 1024): OversizedHeaders => ({
  _tag: "OversizedHeaders",
  bytes
})

/** A header line every `intervalMillis` (default 20), at most `maxLines` (default 10,000). */
export const endlessHeaders = (options?: {
  readonly intervalMillis?: number
  readonly maxLines?: number
}): EndlessHeaders => ({
  _tag: "EndlessHeaders",
  intervalMillis: options?.intervalMillis ?? 20,
  maxLines: options?.maxLines ?? 10_000
})

/** Answer `reply` (default `{"ok":true}`) kept alive, then destroy the socket. */
export const keepAliveThenClose = (reply: Respond = json({ ok: true })): KeepAliveThenClose => ({
  _tag: "KeepAliveThenClose",
  reply
})

/** Answer `code` before reading the body, then close, lingering at most `lingerMillis` (default 2 s). */
export const answerEarly = (code: number, options?: { readonly lingerMillis?: number }): AnswerEarly => ({
  _tag: "AnswerEarly",
  reply: status(code, { close: true }),
  lingerMillis: options?.lingerMillis ?? 2_000
})

/** The n-th request gets the n-th fault; the last one repeats. */
export const sequence = (faults: ReadonlyArray<Fault>): Sequence => ({ _tag: "Sequence", faults })

/** The fault `decide` picks for each request, once its body arrived. */
export const dynamic = (decide: (request: JournalEntry) => Fault): Dynamic => ({
  _tag: "Dynamic",
  decide
})

/**
 * The fault a request gets, advancing the sequences it goes through. A
 * `Dynamic` is returned as is: it is decided once the body arrived.
 */
export const resolve = (
  fault: Fault,
  counters: Map<Sequence, number>
): Exclude<Fault, Sequence> =>
  Script.next(
    fault,
    (f): f is Sequence => f._tag === "Sequence",
    (sequence) => sequence.faults,
    counters,
    () => status(500)
  )
