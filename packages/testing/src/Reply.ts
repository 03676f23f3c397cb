/**
 * Declarative responses for a {@link TestServer}. A `Reply` is plain data that
 * says what the fake peer puts on the wire: a normal response, or a fault
 * (stall, drip, close mid-body, TCP reset, ...).
 *
 * Every reply except {@link ignoreBody} / {@link stallReadingBody} /
 * {@link custom} first reads the request body in full, so the journal sees it.
 *
 * @example
 * ```ts
 * import * as Reply from "@courier/testing/Reply"
 *
 * const flaky = Reply.sequence([Reply.status(503), Reply.json({ ok: true })])
 * const slow = Reply.delay("200 millis", Reply.text("late"))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Http from "node:http"
import * as internal from "./internal/reply.js"

/**
 * Response headers: one value, or several (sent as repeated header lines).
 * Names are case-insensitive; constructors store them lowercased.
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string>>>

/**
 * Status and extra headers of a reply. Headers given here override the
 * defaults a constructor picks (`content-type`, `content-length`, ...).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Status code; each constructor documents its default (usually 200). */
  readonly status?: number | undefined
  /** Extra headers, merged over the constructor's defaults. */
  readonly headers?: Headers | undefined
}

/**
 * A complete response: status, headers and a body of known length.
 *
 * @since 0.1.0
 * @category models
 */
export interface Respond {
  readonly _tag: "Respond"
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

/**
 * Read the request, then never answer; the socket stays open until the client
 * goes away or the server shuts down.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stall {
  readonly _tag: "Stall"
}

/**
 * Send the status line and headers, then nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface StallAfterHeaders {
  readonly _tag: "StallAfterHeaders"
  readonly status: number
  readonly headers: Headers
}

/**
 * Send headers, then `count` chunks spaced by `interval`, then end.
 *
 * @since 0.1.0
 * @category models
 */
export interface Drip {
  readonly _tag: "Drip"
  readonly status: number
  readonly headers: Headers
  readonly chunk: Uint8Array
  readonly interval: Duration.Duration
  readonly count: number
}

/**
 * Declare `declaredLength` bytes, send `body` (fewer bytes), then close the
 * connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface CloseMidBody {
  readonly _tag: "CloseMidBody"
  readonly status: number
  readonly headers: Headers
  readonly declaredLength: number
  readonly body: Uint8Array
}

/**
 * Abort the connection with a TCP RST as soon as the request head arrived.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reset {
  readonly _tag: "Reset"
}

/**
 * Leave the request body unread, then apply `reply`.
 *
 * @since 0.1.0
 * @category models
 */
export interface IgnoreBody {
  readonly _tag: "IgnoreBody"
  readonly reply: Reply
}

/**
 * The n-th request on the route gets the n-th reply; the last one repeats.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sequence {
  readonly _tag: "Sequence"
  readonly replies: ReadonlyArray<Reply>
}

/**
 * Wait `duration` (counted from the arrival of the request head), then apply
 * `reply`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delay {
  readonly _tag: "Delay"
  readonly duration: Duration.Duration
  readonly reply: Reply
}

/**
 * Answer 200 with a JSON description of the request (see {@link EchoBody}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Echo {
  readonly _tag: "Echo"
}

/**
 * A hand-written node handler. It owns the request stream and the response.
 *
 * @since 0.1.0
 * @category models
 */
export interface Custom {
  readonly _tag: "Custom"
  readonly handler: Handler
}

/**
 * The handler of {@link custom}. It is called when the request head arrives;
 * the body is left for it to read. A throw becomes a 500 (or a destroyed
 * socket if headers were already sent).
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse) => void

/**
 * What a {@link TestServer} route answers.
 *
 * @since 0.1.0
 * @category models
 */
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

/**
 * The JSON body sent by {@link echo}.
 *
 * @since 0.1.0
 * @category models
 */
export interface EchoBody {
  readonly method: string
  /** Pathname, without the query string. */
  readonly path: string
  /** Query parameters; a repeated key gives an array. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Request headers, lowercased as node gives them. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Request body decoded as UTF-8. */
  readonly body: string
}

/**
 * A content coding {@link encoded} can apply.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoding = "gzip" | "deflate" | "br"

/**
 * JSON body (`JSON.stringify`), `content-type: application/json`, status 200
 * unless given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (body: unknown, options?: Options) => Respond = internal.json

/**
 * UTF-8 text body, `content-type: text/plain; charset=utf-8`, status 200
 * unless given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text: (body: string, options?: Options) => Respond = internal.text

/**
 * Raw bytes, `content-type: application/octet-stream`, status 200 unless given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bytes: (body: Uint8Array, options?: Options) => Respond = internal.bytes

/**
 * A status with an empty body (`content-length: 0`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const status: (code: number, options?: Omit<Options, "status">) => Respond = internal.status

/**
 * 204 No Content.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Respond = internal.empty

/**
 * A redirect to `location` with an empty body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (
  status: 301 | 302 | 303 | 307 | 308,
  location: string,
  options?: Omit<Options, "status">
) => Respond = internal.redirect

/**
 * A body compressed with each coding in turn (node:zlib), with a
 * `content-encoding` header listing them in that order (e.g. `"gzip, br"`)
 * and the `content-length` of the compressed bytes. A string body is sent as
 * `text/plain; charset=utf-8`, bytes as `application/octet-stream`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const encoded: (
  body: string | Uint8Array,
  encodings: ReadonlyArray<Encoding>,
  options?: Options
) => Respond = internal.encoded

/**
 * Shorthand for `encoded(body, ["gzip"], options)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const gzip: (body: string | Uint8Array, options?: Options) => Respond = internal.gzip

/**
 * Read the request, never answer.
 *
 * @since 0.1.0
 * @category faults
 */
export const stall: Stall = internal.stall

/**
 * Send the status (200 unless given) and headers, then nothing. With
 * `declaredLength` a `content-length` is declared; otherwise the response is
 * chunked and no chunk ever comes.
 *
 * @since 0.1.0
 * @category faults
 */
export const stallAfterHeaders: (options?: Options & { readonly declaredLength?: number | undefined }) => StallAfterHeaders =
  internal.stallAfterHeaders

/**
 * Send headers, then one `chunk` every `interval` (the first after one
 * interval), ending after `count` chunks. Chunked transfer unless `headers`
 * give a `content-length`.
 *
 * @since 0.1.0
 * @category faults
 */
export const drip: (
  options: Options & {
    readonly chunk: string | Uint8Array
    readonly interval: Duration.DurationInput
    readonly count: number
  }
) => Drip = internal.drip

/**
 * Declare `content-length: declaredLength`, send `body`, then close the
 * socket. `body` must be shorter than `declaredLength`; a longer one is cut to
 * `declaredLength - 1` bytes.
 *
 * @since 0.1.0
 * @category faults
 */
export const closeMidBody: (
  options: Options & {
    readonly declaredLength: number
    readonly body: string | Uint8Array
  }
) => CloseMidBody = internal.closeMidBody

/**
 * Destroy the socket with a TCP RST once the request head arrived, before any
 * response byte. The request body is not waited for.
 *
 * @since 0.1.0
 * @category faults
 */
export const reset: Reset = internal.reset

/**
 * Never read the request body (the stream stays paused, so a large upload
 * stalls once the socket buffers fill), and apply `reply` without waiting for
 * it. The journal entry keeps an empty body and `bodyComplete: false`. Once a
 * response is sent, node drains the rest so the connection can be reused.
 *
 * While the body is unread the server cannot see the client leave: the FIN
 * queues behind the unread bytes. With a reply that never answers, the
 * connection stays open (and counted) until the server's scope closes.
 *
 * @since 0.1.0
 * @category faults
 */
export const ignoreBody: (reply: Reply) => IgnoreBody = internal.ignoreBody

/**
 * Never read the request body and never answer: `ignoreBody(stall)`. The
 * connection stays open until the server's scope closes, even if the client
 * gives up (see {@link ignoreBody}).
 *
 * @since 0.1.0
 * @category faults
 */
export const stallReadingBody: IgnoreBody = internal.stallReadingBody

/**
 * The n-th request on the route gets the n-th reply; the last one repeats.
 * Counting is per route registration. An empty sequence answers 500.
 *
 * @since 0.1.0
 * @category combinators
 */
export const sequence: (replies: ReadonlyArray<Reply>) => Sequence = internal.sequence

/**
 * Wait `duration` after the request head arrived (the body is read meanwhile),
 * then apply `reply`. An infinite duration never answers.
 *
 * @since 0.1.0
 * @category combinators
 */
export const delay: {
  (duration: Duration.DurationInput): (reply: Reply) => Delay
  (duration: Duration.DurationInput, reply: Reply): Delay
} = internal.delay

/**
 * 200 with a JSON {@link EchoBody} describing the request that arrived.
 *
 * @since 0.1.0
 * @category constructors
 */
export const echo: Echo = internal.echo

/**
 * Escape hatch: a node request handler, called when the request head arrives.
 *
 * @since 0.1.0
 * @category constructors
 */
export const custom: (handler: Handler) => Custom = internal.custom
