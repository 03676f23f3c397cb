/**
 * Real loopback servers with scripted replies and a wire journal, for
 * testing code on effect 4.
 *
 * @since 0.1.0
 */

/**
 * A real HTTP server on 127.0.0.1, scripted with replies, journaling requests.
 *
 * @since 0.1.0
 */
export * as TestServer from "./TestServer.js"

/**
 * Declarative responses and faults for a TestServer route.
 *
 * @since 0.1.0
 */
export * as Reply from "./Reply.js"

/**
 * A loopback TCP port whose connect attempts hang.
 *
 * @since 0.1.0
 */
export * as BlackholeServer from "./BlackholeServer.js"

/**
 * A raw-TCP server that misbehaves below HTTP: resets, stalls, drips, cut
 * bodies, broken framing and headers, stale keep-alive sockets.
 *
 * @since 0.1.0
 */
export * as FaultServer from "./FaultServer.js"
