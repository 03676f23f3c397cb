import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import { Worker } from "node:worker_threads"
import type * as BlackholeServer from "../BlackholeServer.js"
import { host, liveClock } from "./testServer.js"

/**
 * Runs in a worker thread: listen with a backlog of 1, report the port, then
 * block the thread's event loop. The listener is never polled, so the kernel
 * completes handshakes only until the accept queue is full; after that it drops
 * SYNs and connects hang. Waking the gate lets the thread close the listener.
 */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const net = require("node:net")
const gate = new Int32Array(workerData.gate)
const server = net.createServer()
server.on("error", (error) => parentPort.postMessage({ error: String(error) }))
server.listen({ host: workerData.host, port: 0, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port })
  Atomics.wait(gate, 0, 0)
  server.close()
})
`

/** A connect that has not completed by then is taken as hanging. */
const connectDeadline = Duration.millis(200)

/** Linux needs backlog + 1 fillers; the bound only stops a kernel that never drops SYNs. */
const maxFillers = 64

const startWorker = (gate: SharedArrayBuffer): Effect.Effect<{ readonly worker: Worker; readonly port: number }> =>
  Effect.async((resume) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { gate, host } })
    const fail = (error: unknown): void => {
      void worker.terminate()
      resume(Effect.dieMessage(`BlackholeServer: the listener thread failed: ${String(error)}`))
    }
    worker.once("error", fail)
    worker.once("exit", (code) => fail(`exit code ${code}`))
    worker.once("message", (message: { readonly port?: number; readonly error?: string }) => {
      worker.removeAllListeners("error")
      worker.removeAllListeners("exit")
      // Stray errors after start-up must not crash the process.
      worker.on("error", () => {})
      if (message.port === undefined) fail(message.error)
      else resume(Effect.succeed({ worker, port: message.port }))
    })
  })

const stopWorker = (worker: Worker, gate: SharedArrayBuffer): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const flag = new Int32Array(gate)
    Atomics.store(flag, 0, 1)
    Atomics.notify(flag, 0)
    // terminate() also ends a thread still inside Atomics.wait; it is the backstop for the wake-up.
    worker.terminate().then(() => resume(Effect.void), () => resume(Effect.void))
  })

/** Whether a fresh connect to `port` completes within the deadline; the socket is kept either way. */
const connects = (port: number, sockets: Set<Net.Socket>): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const socket = Net.connect({ host, port })
    sockets.add(socket)
    socket.on("error", () => {})
    const onConnect = (): void => resume(Effect.succeed(true))
    socket.once("connect", onConnect)
    return Effect.sync(() => socket.off("connect", onConnect))
  }).pipe(
    Effect.timeoutTo({ duration: connectDeadline, onSuccess: (connected) => connected, onTimeout: () => false }),
    Effect.withClock(liveClock)
  )

/** @internal */
export const make: Effect.Effect<BlackholeServer.BlackholeServer, never, Scope.Scope> = Effect.gen(function*() {
  const gate = new SharedArrayBuffer(4)
  const { port, worker } = yield* Effect.acquireRelease(
    startWorker(gate),
    ({ worker }) => stopWorker(worker, gate)
  )
  const sockets = yield* Effect.acquireRelease(
    Effect.sync(() => new Set<Net.Socket>()),
    (sockets) =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
      })
  )
  let filled = false
  for (let i = 0; i < maxFillers && !filled; i++) {
    filled = !(yield* connects(port, sockets))
  }
  if (!filled) {
    return yield* Effect.dieMessage(
      `BlackholeServer: ${maxFillers} connects to ${host}:${port} all completed; this kernel does not drop SYNs on a full accept queue`
    )
  }
  // Neither the blocked thread nor the fillers should keep a test process alive if a scope leaks.
  worker.unref()
  for (const socket of sockets) socket.unref()
  return { url: `http://${host}:${port}`, port }
})
