/**
 * Declarative responses for a {@link TestServer}. A `Reply` is plain data that
 * says what the fake peer puts on the wire: a normal response, or a fault
 * (stall, drip, close mid-body, TCP reset, ...). The data is
 * `@courier/core`'s, shared with the effect 3 kit: durations given here as
 * `Duration.Input` are stored in milliseconds.
 *
 * Every reply except {@link ignoreBody} / {@link stallReadingBody} /
 * {@link custom} first reads the request body in full, so the journal sees it.
 *
 * @example
 * ```ts
 * import * as Reply from "@courier/testing-effect4/Reply"
 *
 * const flaky = Reply.sequence([Reply.status(503), Reply.json({ ok: true })])
 * const slow = Reply.delay("200 millis", Reply.text("late"))
 * ```
 *
 * @since 0.1.0
 */
import type * as Engine from "@courier/core/testkit/Reply"
import type * as Duration from "effect/Duration"
import * as internal from "./internal/reply.js"

/**
 * Response headers: one value, or several (sent as repeated header lines).
 * Names are case-insensitive; constructors store them lowercased.
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Engine.Headers

/**
 * Status and extra headers of a reply. Headers given here override the
 * defaults a constructor picks (`content-type`, `content-length`, ...).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Engine.Options

/**
 * A complete response: status, headers and a body of known length.
 *
 * @since 0.1.0
 * @category models
 */
export type Respond = Engine.Respond

/**
 * Read the request, then never answer; the socket stays open until the client
 * goes away or the server shuts down.
 *
 * @since 0.1.0
 * @category models
 */
export type Stall = Engine.Stall

/**
 * Send the status line and headers, then nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type StallAfterHeaders = Engine.StallAfterHeaders

/**
 * Send headers, then `count` chunks spaced by `intervalMillis`, then end.
 *
 * @since 0.1.0
 * @category models
 */
export type Drip = Engine.Drip

/**
 * Declare `declaredLength` bytes, send `body` (fewer bytes), then close the
 * connection.
 *
 * @since 0.1.0
 * @category models
 */
export type CloseMidBody = Engine.CloseMidBody

/**
 * Abort the connection with a TCP RST as soon as the request head arrived.
 *
 * @since 0.1.0
 * @category models
 */
export type Reset = Engine.Reset

/**
 * Leave the request body unread, then apply `reply`.
 *
 * @since 0.1.0
 * @category models
 */
export type IgnoreBody = Engine.IgnoreBody

/**
 * The n-th request on the route gets the n-th reply; the last one repeats.
 *
 * @since 0.1.0
 * @category models
 */
export type Sequence = Engine.Sequence

/**
 * Wait `millis` (counted from the arrival of the request head), then apply
 * `reply`.
 *
 * @since 0.1.0
 * @category models
 */
export type Delay = Engine.Delay

/**
 * Answer 200 with a JSON description of the request (see {@link EchoBody}).
 *
 * @since 0.1.0
 * @category models
 */
export type Echo = Engine.Echo

/**
 * A hand-written node handler. It owns the request stream and the response.
 *
 * @since 0.1.0
 * @category models
 */
export type Custom = Engine.Custom

/**
 * The handler of {@link custom}. It is called when the request head arrives;
 * the body is left for it to read. A throw becomes a 500 (or a destroyed
 * socket if headers were already sent).
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = Engine.Handler

/**
 * What a {@link TestServer} route answers.
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = Engine.Reply

/**
 * The JSON body sent by {@link echo}: method, pathname, query (a repeated key
 * gives an array), headers lowercased as node gives them, body as UTF-8.
 *
 * @since 0.1.0
 * @category models
 */
export type EchoBody = Engine.EchoBody

/**
 * A content coding {@link encoded} can apply.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoding = Engine.Encoding

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
    readonly interval: Duration.Input
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
  (duration: Duration.Input): (reply: Reply) => Delay
  (duration: Duration.Input, reply: Reply): Delay
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
