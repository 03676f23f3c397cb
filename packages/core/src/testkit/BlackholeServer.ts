/**
 * A TCP port on 127.0.0.1 where connect attempts hang, for testing connect
 * timeouts without leaving loopback.
 *
 * How: a worker thread listens with a backlog of 1 and then blocks its own
 * event loop, so nothing is ever accepted; the main thread fills the accept
 * queue with idle connections. From then on the kernel drops every SYN to the
 * port, and a connect neither succeeds nor is refused. Relies on Linux
 * behaviour (a full accept queue drops SYNs); {@link start} rejects if the
 * queue never fills.
 */
import * as Net from "node:net"
import { Worker } from "node:worker_threads"
import { host } from "./Loopback.js"

/** The address of a port whose connects hang. */
export interface BlackholeServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /** Destroys the filler connections and stops the listener thread. */
  readonly close: () => Promise<void>
}

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
const connectDeadlineMillis = 200

/** Linux needs backlog + 1 fillers; the bound only stops a kernel that never drops SYNs. */
const maxFillers = 64

const startWorker = (gate: SharedArrayBuffer): Promise<{ readonly worker: Worker; readonly port: number }> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { gate, host } })
    const fail = (error: unknown): void => {
      void worker.terminate()
      reject(new Error(`BlackholeServer: the listener thread failed: ${String(error)}`))
    }
    worker.once("error", fail)
    worker.once("exit", (code) => fail(`exit code ${code}`))
    worker.once("message", (message: { readonly port?: number; readonly error?: string }) => {
      worker.removeAllListeners("error")
      worker.removeAllListeners("exit")
      // Stray errors after start-up must not crash the process.
      worker.on("error", () => {})
      if (message.port === undefined) fail(message.error)
      else resolve({ worker, port: message.port })
    })
  })

const stopWorker = async (worker: Worker, gate: SharedArrayBuffer): Promise<void> => {
  const flag = new Int32Array(gate)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
  // terminate() also ends a thread still inside Atomics.wait; it is the backstop for the wake-up.
  await worker.terminate().then(() => undefined, () => undefined)
}

/** Whether a fresh connect to `port` completes within the deadline; the socket is kept either way. */
const connects = (port: number, sockets: Set<Net.Socket>): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = Net.connect({ host, port })
    sockets.add(socket)
    socket.on("error", () => {})
    const timer = setTimeout(() => {
      socket.off("connect", onConnect)
      resolve(false)
    }, connectDeadlineMillis)
    const onConnect = (): void => {
      clearTimeout(timer)
      resolve(true)
    }
    socket.once("connect", onConnect)
  })

/** Starts a blackhole port; takes a few hundred milliseconds (one connect has to time out). */
export const start = async (): Promise<BlackholeServer> => {
  const gate = new SharedArrayBuffer(4)
  const { port, worker } = await startWorker(gate)
  const sockets = new Set<Net.Socket>()
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy()
    await stopWorker(worker, gate)
  }
  let filled = false
  for (let i = 0; i < maxFillers && !filled; i++) {
    filled = !(await connects(port, sockets))
  }
  if (!filled) {
    await close()
    throw new Error(
      `BlackholeServer: ${maxFillers} connects to ${host}:${port} all completed; this kernel does not drop SYNs on a full accept queue`
    )
  }
  // Neither the blocked thread nor the fillers should keep a test process alive if a close is missed.
  worker.unref()
  for (const socket of sockets) socket.unref()
  return { url: `http://${host}:${port}`, port, close }
}
