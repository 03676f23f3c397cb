/**
 * A TCP port on `127.0.0.1` where connect attempts hang, for testing connect
 * timeouts without leaving loopback.
 *
 * How: a worker thread listens with a backlog of 1 and then blocks its own
 * event loop, so nothing is ever accepted; the main thread fills the accept
 * queue with idle connections. From then on the kernel drops every SYN to the
 * port, and a connect neither succeeds nor is refused. Relies on Linux
 * behaviour (a full accept queue drops SYNs); {@link make} dies if the queue
 * never fills.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as BlackholeServer from "@courier/testing-effect4/BlackholeServer"
 *
 * const program = Effect.gen(function*() {
 *   const blackhole = yield* BlackholeServer.make
 *   // a request to `${blackhole.url}/` should fail with the client's connect timeout
 *   return blackhole.url
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/blackholeServer.js"

/**
 * The address of a port whose connects hang.
 *
 * @since 0.1.0
 * @category models
 */
export interface BlackholeServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly port: number
}

/**
 * Starts a blackhole port. Takes a few hundred milliseconds (one connect has to
 * time out to prove the queue is full). Closing the scope destroys the filler
 * connections and stops the listener thread.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<BlackholeServer, never, Scope.Scope> = internal.make
