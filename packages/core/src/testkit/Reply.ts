/**
 * What a test server's route answers: plain data saying what the fake peer
 * puts on the wire (a normal response, or a fault: stall, drip, close
 * mid-body, TCP reset, ...), its constructors, and how a request's reply is
 * picked through sequences, delays and `ignoreBody`. Durations are in
 * milliseconds; the Effect kits convert their duration inputs at the edge.
 */
import type * as Http from "node:http"
import * as Zlib from "node:zlib"

/** Response headers: one value, or several (sent as repeated header lines); names stored lowercased. */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string>>>

/** Status and extra headers of a reply; headers given here override the constructor's defaults. */
export interface Options {
  readonly status?: number | undefined
  readonly headers?: Headers | undefined
}

/** A complete response: status, headers and a body of known length. */
export interface Respond {
  readonly _tag: "Respond"
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

/** Read the request, then never answer. */
export interface Stall {
  readonly _tag: "Stall"
}

/** Send the status line and headers, then nothing. */
export interface StallAfterHeaders {
  readonly _tag: "StallAfterHeaders"
  readonly status: number
  readonly headers: Headers
}

/** Send headers, then `count` chunks spaced by `intervalMillis`, then end. */
export interface Drip {
  readonly _tag: "Drip"
  readonly status: number
  readonly headers: Headers
  readonly chunk: Uint8Array
  readonly intervalMillis: number
  readonly count: number
}

/** Declare `declaredLength` bytes, send `body` (fewer bytes), then close the connection. */
export interface CloseMidBody {
  readonly _tag: "CloseMidBody"
  readonly status: number
  readonly headers: Headers
  readonly declaredLength: number
  readonly body: Uint8Array
}

/** Abort the connection with a TCP RST as soon as the request head arrived. */
export interface Reset {
  readonly _tag: "Reset"
}

/** Leave the request body unread, then apply `reply`. */
export interface IgnoreBody {
  readonly _tag: "IgnoreBody"
  readonly reply: Reply
}

/** The n-th request on the route gets the n-th reply; the last one repeats. */
export interface Sequence {
  readonly _tag: "Sequence"
  readonly replies: ReadonlyArray<Reply>
}

/** Wait `millis` (from the arrival of the request head), then apply `reply`. */
export interface Delay {
  readonly _tag: "Delay"
  readonly millis: number
  readonly reply: Reply
}

/** Answer 200 with a JSON description of the request (an {@link EchoBody}). */
export interface Echo {
  readonly _tag: "Echo"
}

/** A hand-written node handler; it owns the request stream and the response. */
export interface Custom {
  readonly _tag: "Custom"
  readonly handler: Handler
}

/**
 * Called when the request head arrives; the body is left for it to read. A
 * throw becomes a 500 (or a destroyed socket if headers were already sent).
 */
export type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse) => void

/** What a test server route answers. */
export type Reply =
  | Respond
  | Stall
  | StallAfterHeaders
  | Drip
  | CloseMidBody
  | Reset
  | IgnoreBody
  | Sequence
  | Delay
  | Echo
  | Custom

/** The JSON body sent by {@link echo}. */
export interface EchoBody {
  readonly method: string
  /** Pathname, without the query string. */
  readonly path: string
  /** Query parameters; a repeated key gives an array. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly body: string
}

/** A content coding {@link encoded} can apply. */
export type Encoding = "gzip" | "deflate" | "br"

const encoder = new TextEncoder()

const toBytes = (body: string | Uint8Array): Uint8Array => typeof body === "string" ? encoder.encode(body) : body

const contentTypeOf = (body: string | Uint8Array): string =>
  typeof body === "string" ? "text/plain; charset=utf-8" : "application/octet-stream"

/** `defaults`, then `headers` over them, every name lowercased. */
export const mergeHeaders = (defaults: Readonly<Record<string, string>>, headers: Headers | undefined): Headers => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const [name, value] of Object.entries(defaults)) out[name.toLowerCase()] = value
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  }
  return out
}

const respond = (
  status: number,
  defaults: Readonly<Record<string, string>>,
  body: Uint8Array,
  options: Options | undefined
): Respond => ({
  _tag: "Respond",
  status: options?.status ?? status,
  headers: mergeHeaders({ ...defaults, "content-length": String(body.byteLength) }, options?.headers),
  body
})

/** JSON body, `content-type: application/json`, status 200 unless given. */
export const json = (body: unknown, options?: Options): Respond =>
  // JSON.stringify(undefined) is undefined; an absent value is sent as JSON null.
  respond(200, { "content-type": "application/json" }, encoder.encode(JSON.stringify(body) ?? "null"), options)

/** UTF-8 text body, `content-type: text/plain; charset=utf-8`, status 200 unless given. */
export const text = (body: string, options?: Options): Respond =>
  respond(200, { "content-type": "text/plain; charset=utf-8" }, encoder.encode(body), options)

/** Raw bytes, `content-type: application/octet-stream`, status 200 unless given. */
export const bytes = (body: Uint8Array, options?: Options): Respond =>
  respond(200, { "content-type": "application/octet-stream" }, body, options)

/** A status with an empty body (`content-length: 0`). */
export const status = (code: number, options?: Omit<Options, "status">): Respond =>
  respond(code, {}, new Uint8Array(0), options)

/** 204 No Content. */
export const empty: Respond = { _tag: "Respond", status: 204, headers: {}, body: new Uint8Array(0) }

/** A redirect to `location` with an empty body. */
export const redirect = (
  code: 301 | 302 | 303 | 307 | 308,
  location: string,
  options?: Omit<Options, "status">
): Respond => ({
  _tag: "Respond",
  status: code,
  headers: mergeHeaders({ location, "content-length": "0" }, options?.headers),
  body: new Uint8Array(0)
})

const compress = (body: Uint8Array, encoding: Encoding): Uint8Array => {
  switch (encoding) {
    case "gzip":
      return Zlib.gzipSync(body)
    // HTTP "deflate" is the zlib format (RFC 9110 8.4.1.2), which deflateSync produces.
    case "deflate":
      return Zlib.deflateSync(body)
    case "br":
      return Zlib.brotliCompressSync(body)
  }
}

/** A body compressed with each coding in turn, labelled with `content-encoding` in that order. */
export const encoded = (body: string | Uint8Array, encodings: ReadonlyArray<Encoding>, options?: Options): Respond => {
  let compressed = toBytes(body)
  for (const encoding of encodings) compressed = compress(compressed, encoding)
  const defaults: Record<string, string> = { "content-type": contentTypeOf(body) }
  if (encodings.length > 0) defaults["content-encoding"] = encodings.join(", ")
  return respond(200, defaults, compressed, options)
}

/** `encoded(body, ["gzip"], options)`. */
export const gzip = (body: string | Uint8Array, options?: Options): Respond => encoded(body, ["gzip"], options)

/** Read the request, never answer. */
export const stall: Stall = { _tag: "Stall" }

/** The head (200 unless given), then nothing; chunked unless `declaredLength` declares a length. */
export const stallAfterHeaders = (
  options?: Options & { readonly declaredLength?: number | undefined }
): StallAfterHeaders => ({
  _tag: "StallAfterHeaders",
  status: options?.status ?? 200,
  headers: mergeHeaders(
    options?.declaredLength === undefined ? {} : { "content-length": String(options.declaredLength) },
    options?.headers
  )
})

/** Headers, then one `chunk` every `intervalMillis` (the first after one interval), ending after `count`. */
export const drip = (
  options: Options & {
    readonly chunk: string | Uint8Array
    readonly intervalMillis: number
    readonly count: number
  }
): Drip => ({
  _tag: "Drip",
  status: options.status ?? 200,
  headers: mergeHeaders({ "content-type": contentTypeOf(options.chunk) }, options.headers),
  chunk: toBytes(options.chunk),
  intervalMillis: options.intervalMillis,
  count: Math.max(0, Math.floor(options.count))
})

/** Declare `declaredLength`, send `body` (cut to `declaredLength - 1` bytes if longer), then close. */
export const closeMidBody = (
  options: Options & {
    readonly declaredLength: number
    readonly body: string | Uint8Array
  }
): CloseMidBody => {
  const declaredLength = Math.max(1, Math.floor(options.declaredLength))
  const body = toBytes(options.body)
  return {
    _tag: "CloseMidBody",
    status: options.status ?? 200,
    headers: mergeHeaders(
      { "content-type": contentTypeOf(options.body), "content-length": String(declaredLength) },
      options.headers
    ),
    declaredLength,
    body: body.byteLength < declaredLength ? body : body.subarray(0, declaredLength - 1)
  }
}

/** A TCP RST once the request head arrived. */
export const reset: Reset = { _tag: "Reset" }

/** Never read the request body, and apply `reply` without waiting for it. */
export const ignoreBody = (reply: Reply): IgnoreBody => ({ _tag: "IgnoreBody", reply })

/** `ignoreBody(stall)`. */
export const stallReadingBody: IgnoreBody = ignoreBody(stall)

/** The n-th request on the route gets the n-th reply; the last one repeats; an empty sequence answers 500. */
export const sequence = (replies: ReadonlyArray<Reply>): Sequence => ({ _tag: "Sequence", replies: [...replies] })

/** Wait `millis` after the request head arrived, then apply `reply`; an infinite delay never answers. */
export const delay = (millis: number, reply: Reply): Delay => ({ _tag: "Delay", millis, reply })

/** 200 with a JSON {@link EchoBody} describing the request. */
export const echo: Echo = { _tag: "Echo" }

/** A node request handler, called when the request head arrives. */
export const custom = (handler: Handler): Custom => ({ _tag: "Custom", handler })

/** A reply once `Sequence`, `Delay` and `IgnoreBody` are gone: what acts on the wire. */
export type Terminal = Exclude<Reply, Sequence | Delay | IgnoreBody>

/** What a request gets, decided when its head arrives: how long to wait, whether to read the body, and the act. */
export interface Resolved {
  readonly delayMillis: number
  readonly readBody: boolean
  readonly terminal: Terminal
}

const emptySequence = json({ error: "empty sequence" }, { status: 500 })

/** Sequences nested in themselves deeper than this are a test's mistake, answered as an empty sequence. */
const maxDepth = 64

/**
 * Advances through `Sequence`, `Delay` and `IgnoreBody` wrappers to the reply
 * that acts, moving each sequence passed through (`counters`, fresh per route
 * registration) one step on.
 */
export const resolve = (reply: Reply, counters: Map<Sequence, number>): Resolved => {
  let delayMillis = 0
  let readBody = true
  let current: Reply = reply
  for (let depth = 0; depth < maxDepth; depth++) {
    switch (current._tag) {
      case "Sequence": {
        if (current.replies.length === 0) return { delayMillis, readBody, terminal: emptySequence }
        const index = counters.get(current) ?? 0
        counters.set(current, index + 1)
        current = current.replies[Math.min(index, current.replies.length - 1)]!
        break
      }
      case "Delay": {
        delayMillis += current.millis
        current = current.reply
        break
      }
      case "IgnoreBody": {
        readBody = false
        current = current.reply
        break
      }
      default:
        return { delayMillis, readBody, terminal: current }
    }
  }
  return { delayMillis, readBody, terminal: emptySequence }
}
