/**
 * A real HTTP/1.1 server on `127.0.0.1` with a port the OS picks, scripted with
 * {@link Reply} values, that journals what reached the wire. Like Go's
 * `httptest.Server`, but scoped: closing the scope destroys every socket and
 * timer and closes the listener. The server itself is `@courier/core`'s test
 * server, the one the effect 3 kit runs too.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Reply from "@courier/testing-effect4/Reply"
 * import * as TestServer from "@courier/testing-effect4/TestServer"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* TestServer.make({ routes: [["GET", "/users/1", Reply.json({ id: 1 })]] })
 *   yield* server.route("POST", "/upload", Reply.stallReadingBody)
 *   // ... call `${server.url}/users/1` with the client under test ...
 *   const [request] = yield* server.requests("/users/1")
 *   return request?.headers["user-agent"]
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Journal from "@courier/core/Journal"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/testServer.js"
import type * as Reply from "./Reply.js"

/**
 * A request as the server saw it. Recorded when the request head arrives; the
 * body fields grow as the server reads the body, so a stalled upload shows up
 * with what arrived so far. `path` is the pathname and query exactly as
 * received; `headers` are lowercased as node gives them; `rawHeaders`
 * alternate names and values as sent; `connection` numbers the TCP
 * connection (equal numbers: the connection was reused); `bodyComplete` is
 * `false` while the body is still arriving, when the client aborted
 * mid-upload, or when the reply did not read it (`Reply.ignoreBody`).
 *
 * @since 0.1.0
 * @category models
 */
export type JournalEntry = Journal.JournalEntry

/**
 * A running test server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  /** The URL origin; the same string as `url`. */
  readonly origin: string
  readonly port: number
  /**
   * Adds (or replaces) a route. `method` is a method name or `"*"`; `path` is
   * an exact pathname (no query) or a prefix ending with `"*"`. The most
   * specific route wins: exact path over prefix, longer prefix over shorter,
   * a named method over `"*"`. A GET route also serves HEAD. Unmatched
   * requests get 404 `{"error":"no route"}`.
   */
  readonly route: (method: string, path: string, reply: Reply.Reply) => Effect.Effect<void>
  /** A snapshot of every request since start (or the last `clearJournal`), oldest first. */
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
   * reached the server was answered in full, or its connection closed before
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
 * Options for {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Routes to install before the first request, as `[method, path, reply]`. */
  readonly routes?: ReadonlyArray<readonly [method: string, path: string, reply: Reply.Reply]> | undefined
  /** How long an idle keep-alive connection stays open. Default: 5 seconds. */
  readonly keepAliveTimeout?: Duration.Input | undefined
}

/**
 * Starts a server on `127.0.0.1`, port 0. Closing the scope destroys every
 * open socket, clears every pending timer and closes the listener.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, never, Scope.Scope> = internal.make

/**
 * The test server as a service.
 *
 * @since 0.1.0
 * @category services
 */
export class TestServer extends Context.Service<TestServer, Service>()("@courier/testing-effect4/TestServer") {}

/**
 * A Layer that starts a server with {@link make}, closed with the Layer, and
 * provides it as {@link TestServer}; for
 * `layer(TestServer.layer())("suite", (it) => ...)`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<TestServer> => Layer.effect(TestServer, make(options))
