/**
 * A loopback server on raw TCP (`node:net`) that misbehaves below HTTP:
 * resets, stalls before the headers or mid-body, drips bytes, cuts a
 * `Content-Length` or chunked body short, sends a bad chunk size, a malformed
 * status line, oversized or never-ending headers, closes a keep-alive socket
 * right after answering, or answers an upload before reading it. Where
 * {@link TestServer} speaks HTTP through `node:http` (which refuses to write
 * broken HTTP), this one writes the bytes itself. Like TestServer it listens
 * on `127.0.0.1` with a port the OS picks, journals what reached the wire,
 * counts open connections, and closing its scope destroys every socket and
 * timer. The server itself is `@courier/core`'s fault server, the one the
 * effect 3 kit runs too; durations given here as `Duration.Input` are stored
 * in the faults in milliseconds.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as FaultServer from "@courier/testing-effect4/FaultServer"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.make({
 *     routes: [["GET", "/flaky", FaultServer.sequence([FaultServer.truncated(), FaultServer.json({ ok: true })])]]
 *   })
 *   // ... call `${server.url}/flaky` with the client under test ...
 *   const idle = yield* server.awaitNoRequestsInFlight("2 seconds")
 *   return [(yield* server.requests("/flaky")).length, idle]
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Engine from "@courier/core/testkit/Fault"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as fault from "./internal/fault.js"
import * as internal from "./internal/faultServer.js"
import type * as TestServer from "./TestServer.js"

/**
 * Response headers, written in this order, one line each.
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Engine.Headers

/**
 * A `Retry-After` value: sent as is (seconds, or any text), or an HTTP date
 * `inMillis` from the moment the response is written (negative: in the past).
 *
 * @since 0.1.0
 * @category models
 */
export type RetryAfter = Engine.RetryAfter

/**
 * A well-formed response with a `Content-Length`; the connection is kept
 * alive unless `close` is set.
 *
 * @since 0.1.0
 * @category models
 */
export type Respond = Engine.Respond

/**
 * A TCP reset (RST) once the whole request arrived, before any response byte.
 *
 * @since 0.1.0
 * @category models
 */
export type Reset = Engine.Reset

/**
 * Read the request, then never answer.
 *
 * @since 0.1.0
 * @category models
 */
export type StallHeaders = Engine.StallHeaders

/**
 * Send the headers (declaring `declared` bytes) and `sent` bytes of the body, then nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type StallBody = Engine.StallBody

/**
 * Send the headers, then the body one byte every `intervalMillis`.
 *
 * @since 0.1.0
 * @category models
 */
export type Drip = Engine.Drip

/**
 * Declare `declared` bytes with `Content-Length`, send `sent`, then close (FIN).
 *
 * @since 0.1.0
 * @category models
 */
export type Truncated = Engine.Truncated

/**
 * A chunked body that stops after some chunks, without the last (zero) chunk: the connection closes.
 *
 * @since 0.1.0
 * @category models
 */
export type ChunkedCut = Engine.ChunkedCut

/**
 * A chunked body whose chunk-size line is not hexadecimal.
 *
 * @since 0.1.0
 * @category models
 */
export type BadChunkSize = Engine.BadChunkSize

/**
 * `line` instead of a status line, then headers and a body; the connection closes.
 *
 * @since 0.1.0
 * @category models
 */
export type MalformedStatusLine = Engine.MalformedStatusLine

/**
 * A 200 with one header line of `bytes` bytes, then a small body; the connection closes.
 *
 * @since 0.1.0
 * @category models
 */
export type OversizedHeaders = Engine.OversizedHeaders

/**
 * A status line, then a header line every `intervalMillis`, never the blank line
 * that ends the head. Stops after `maxLines` lines (closing the connection),
 * or when the client goes away.
 *
 * @since 0.1.0
 * @category models
 */
export type EndlessHeaders = Engine.EndlessHeaders

/**
 * Answer `reply` with `Connection: keep-alive`, then destroy the socket as
 * soon as the answer is flushed: the client's pool holds a socket the server
 * has already closed.
 *
 * @since 0.1.0
 * @category models
 */
export type KeepAliveThenClose = Engine.KeepAliveThenClose

/**
 * Answer `reply` as soon as the request head arrived, without reading the
 * body, then close: FIN after the answer, the rest of the upload read and
 * dropped (a lingering close, as nginx does, so the answer is not lost to a
 * RST), the socket destroyed once the client closes or after `lingerMillis`.
 *
 * @since 0.1.0
 * @category models
 */
export type AnswerEarly = Engine.AnswerEarly

/**
 * The n-th request on the route gets the n-th fault; the last one repeats.
 *
 * @since 0.1.0
 * @category models
 */
export type Sequence = Engine.Sequence

/**
 * A fault chosen per request, once its body has arrived: `decide` sees the
 * request as the journal records it (the body too). A sequence it returns
 * starts afresh each time (its first fault); an early answer is played after
 * the body was read.
 *
 * @since 0.1.0
 * @category models
 */
export type Dynamic = Engine.Dynamic

/**
 * What the server does with one request.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Engine.Fault

/**
 * Options of the response constructors.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Engine.Options

/**
 * A JSON response, 200 unless told otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (value: unknown, options?: Options) => Respond = fault.json

/**
 * A text response (`text/plain` unless the headers say otherwise), 200
 * unless told otherwise; with a JSON content type, a way to send bad JSON.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text: (body: string, options?: Options) => Respond = fault.text

/**
 * A response with status `code` and a small JSON body naming it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const status: (code: number, options?: Omit<Options, "status">) => Respond = fault.status

/**
 * A response with status `code` (429 or 503, usually) and a `Retry-After`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const retryAfter: (code: number, value: RetryAfter, options?: Omit<Options, "status">) => Respond =
  fault.retryAfter

/**
 * @since 0.1.0
 * @category constructors
 */
export const reset: Reset = fault.reset

/**
 * @since 0.1.0
 * @category constructors
 */
export const stallHeaders: StallHeaders = fault.stallHeaders

/**
 * Headers declaring `declared` bytes (default 64), `sent` of them (default 8), then silence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallBody: (options?: { readonly declared?: number; readonly sent?: number }) => StallBody =
  fault.stallBody

/**
 * A JSON body (default `{"ok":true}`) dripped one byte every `interval`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const drip: (interval: Duration.Input, body?: string) => Drip = fault.drip

/**
 * `Content-Length: declared` (default 64), `sent` bytes (default 10), then a close.
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncated: (options?: { readonly declared?: number; readonly sent?: number }) => Truncated =
  fault.truncated

/**
 * A chunked body cut after `chunks` (default one chunk of an unfinished JSON value).
 *
 * @since 0.1.0
 * @category constructors
 */
export const chunkedCut: (chunks?: ReadonlyArray<string>) => ChunkedCut = fault.chunkedCut

/**
 * @since 0.1.0
 * @category constructors
 */
export const badChunkSize: BadChunkSize = fault.badChunkSize

/**
 * Default line: `HTTP/1.1 2OO OK` (letters O, not zeros).
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedStatusLine: (line?: string) => MalformedStatusLine = fault.malformedStatusLine

/**
 * Default: one 64 KiB header line, over every common client's limit (node: 16 KiB).
 *
 * @since 0.1.0
 * @category constructors
 */
export const oversizedHeaders: (bytes?: number) => OversizedHeaders = fault.oversizedHeaders

/**
 * A header line every `interval` (default 20 ms), at most `maxLines` (default 10,000).
 *
 * @since 0.1.0
 * @category constructors
 */
export const endlessHeaders: (options?: {
  readonly interval?: Duration.Input
  readonly maxLines?: number
}) => EndlessHeaders = fault.endlessHeaders

/**
 * Default reply: `{"ok":true}`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keepAliveThenClose: (reply?: Respond) => KeepAliveThenClose = fault.keepAliveThenClose

/**
 * Answer `code` (401, 413, ...) before reading the body, then close; lingers
 * at most `linger` (default 2 seconds) reading what the client still sends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answerEarly: (code: number, options?: { readonly linger?: Duration.Input }) => AnswerEarly =
  fault.answerEarly

/**
 * @since 0.1.0
 * @category constructors
 */
export const sequence: (faults: ReadonlyArray<Fault>) => Sequence = fault.sequence

/**
 * The fault `decide` picks for each request (by its headers, its body, a
 * random draw, a counter...).
 *
 * @since 0.1.0
 * @category constructors
 */
export const dynamic: (decide: (request: JournalEntry) => Fault) => Dynamic = fault.dynamic

/**
 * A request as the server read it; the same shape as TestServer's. The
 * body is the decoded payload (chunk framing removed), as far as it arrived.
 *
 * @since 0.1.0
 * @category models
 */
export type JournalEntry = TestServer.JournalEntry

/**
 * A running fault server; the same names as a TestServer's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly origin: string
  readonly port: number
  /**
   * Adds (or replaces) a route: `method` or `"*"`, an exact pathname or a
   * prefix ending with `"*"`; the most specific wins. Unmatched requests get
   * 404.
   */
  readonly route: (method: string, path: string, fault: Fault) => Effect.Effect<void>
  /** Every request since start (or the last `clearJournal`), oldest first. */
  readonly journal: Effect.Effect<ReadonlyArray<JournalEntry>>
  /**
   * Journal entries for `path` (all entries without it): its pathname when
   * `path` has no query (`"/todos"` matches `/todos?userId=1`), the path and
   * query exactly as sent when it has one (`"/todos?userId=1"`).
   */
  readonly requests: (path?: string) => Effect.Effect<ReadonlyArray<JournalEntry>>
  readonly clearJournal: Effect.Effect<void>
  /** TCP connections currently open on the server side. */
  readonly openConnections: Effect.Effect<number>
  /** TCP connections accepted since start. */
  readonly totalConnections: Effect.Effect<number>
  /**
   * Succeeds with `true` once no request is in flight: every request that
   * reached the server was answered in full (a stalled or
   * dripping answer is still in flight), or its connection closed before
   * that. `false` when `timeout` (default 5 seconds) passes first. Open
   * keep-alive sockets do not count: this is the check to run right after a
   * call, to assert the code under test did not leave a request hanging.
   * The timeout runs on the wall clock even under `TestClock`.
   */
  readonly awaitNoRequestsInFlight: (timeout?: Duration.Input) => Effect.Effect<boolean>
  /**
   * Succeeds with `true` once no TCP connection is open, `false` when
   * `timeout` (default 5 seconds) passes first. A client's pool keeps an
   * idle keep-alive socket open after a successful call, so this holds only
   * once that client's scope is closed (or its sockets time out): the check
   * that the code under test released its connections. Wall clock, as above.
   */
  readonly awaitNoConnections: (timeout?: Duration.Input) => Effect.Effect<boolean>
  /** The same as `awaitNoConnections` (no socket open), under its effect 3 name. */
  readonly awaitIdle: (timeout?: Duration.Input) => Effect.Effect<boolean>
  /** Requests received and not yet answered in full nor ended by their connection closing. */
  readonly inFlight: Effect.Effect<number>
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  /** Routes to install before the first request, as `[method, path, fault]`. */
  readonly routes?: ReadonlyArray<readonly [method: string, path: string, fault: Fault]> | undefined
  /**
   * Keep the journal. Default true; false for long runs (a soak test), where
   * every request kept would grow the heap. `dynamic` still sees each request.
   */
  readonly journal?: boolean | undefined
}

/**
 * Starts a fault server on `127.0.0.1`, port 0. Closing the scope destroys
 * every socket, clears every timer and closes the listener.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: ServerOptions) => Effect.Effect<Service, never, Scope.Scope> = internal.make

/**
 * The fault server as a service.
 *
 * @since 0.1.0
 * @category services
 */
export class FaultServer extends Context.Service<FaultServer, Service>()("@courier/testing-effect4/FaultServer") {}

/**
 * A Layer that starts a server with {@link make}, closed with the Layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: ServerOptions): Layer.Layer<FaultServer> => Layer.effect(FaultServer, make(options))
