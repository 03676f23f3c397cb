/**
 * What the test kit's servers share: a listener on 127.0.0.1 with a port
 * the OS picks, the sockets it accepted, the requests in flight, waits for
 * either count to reach zero, and a close that destroys every socket.
 */
import type * as Net from "node:net"

/** Every test server listens here. */
export const host = "127.0.0.1"

/** How long a wait lasts when the caller gives no timeout. */
export const defaultWaitMillis = 5_000

/** setTimeout clamps longer delays to 1 ms; anything longer is "never" for a test. */
export const maxTimeoutMillis = 2_147_483_647

/** Settles a wait: `true` when the count reached zero, `false` when its timeout passed first. */
type Waiter = (reachedZero: boolean) => void

const waitForZero = (
  size: () => number,
  waiters: Set<Waiter>,
  timeoutMillis: number,
  callback: (reachedZero: boolean) => void
): () => void => {
  if (size() === 0) {
    callback(true)
    return () => {}
  }
  let timer: NodeJS.Timeout | undefined
  const waiter: Waiter = (reachedZero) => {
    waiters.delete(waiter)
    if (timer !== undefined) clearTimeout(timer)
    callback(reachedZero)
  }
  waiters.add(waiter)
  // A real timer: sockets close in real time, whatever clock the caller's code runs on.
  if (timeoutMillis <= maxTimeoutMillis) timer = setTimeout(() => waiter(false), Math.max(0, timeoutMillis))
  return () => {
    waiters.delete(waiter)
    if (timer !== undefined) clearTimeout(timer)
  }
}

const wake = (waiters: Set<Waiter>, reachedZero: boolean): void => {
  for (const waiter of [...waiters]) waiter(reachedZero)
}

/**
 * The sockets a server accepted and its requests in flight, with waits on
 * both. The server reports each request start and end; "in flight" ends when
 * the answer went out in full or the connection closed before that.
 */
export class Activity {
  readonly sockets = new Set<Net.Socket>()
  private totalSockets = 0
  private pending = 0
  private readonly idleWaiters = new Set<Waiter>()
  private readonly settledWaiters = new Set<Waiter>()

  /** Counts a new socket and returns its connection number (1 for the first). */
  track(socket: Net.Socket): number {
    this.totalSockets += 1
    this.sockets.add(socket)
    socket.once("close", () => {
      this.sockets.delete(socket)
      if (this.sockets.size === 0) wake(this.idleWaiters, true)
    })
    return this.totalSockets
  }

  requestStarted(): void {
    this.pending += 1
  }

  requestEnded(): void {
    this.pending -= 1
    if (this.pending === 0) wake(this.settledWaiters, true)
  }

  openConnections(): number {
    return this.sockets.size
  }

  totalConnections(): number {
    return this.totalSockets
  }

  inFlight(): number {
    return this.pending
  }

  /** Calls back once no socket is open (`true`), or after `timeoutMillis` (`false`); returns a cancel. */
  whenNoConnections(timeoutMillis: number, callback: (idle: boolean) => void): () => void {
    return waitForZero(() => this.sockets.size, this.idleWaiters, timeoutMillis, callback)
  }

  /** Calls back once no request is in flight (`true`), or after `timeoutMillis` (`false`); returns a cancel. */
  whenNoRequestsInFlight(timeoutMillis: number, callback: (settled: boolean) => void): () => void {
    return waitForZero(() => this.pending, this.settledWaiters, timeoutMillis, callback)
  }

  /**
   * Destroys every socket and closes the listener; resolves once both are
   * done and every socket reported its close (the listener's own callback
   * can come first), then settles the waits still pending, so none keeps
   * its timer.
   */
  async close(server: Net.Server): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await Promise.all([
      // The callback also runs (with ERR_SERVER_NOT_RUNNING) if the server was not listening.
      new Promise<void>((resolve) => server.close(() => resolve())),
      new Promise<void>((resolve) => this.whenNoConnections(Infinity, () => resolve()))
    ])
    // A response reports its end (ending its request's flight) after its socket's close.
    await new Promise((resolve) => setImmediate(resolve))
    wake(this.idleWaiters, this.sockets.size === 0)
    wake(this.settledWaiters, this.pending === 0)
  }
}

/** The waits every test server offers, as promises (the Effect kits use the callback forms). */
export interface Waits {
  /** Callback form of {@link awaitNoConnections}; returns a function that cancels the wait. */
  readonly whenNoConnections: (timeoutMillis: number, callback: (idle: boolean) => void) => () => void
  /** Callback form of {@link awaitNoRequestsInFlight}; returns a function that cancels the wait. */
  readonly whenNoRequestsInFlight: (timeoutMillis: number, callback: (settled: boolean) => void) => () => void
  /** `true` once no TCP connection is open, `false` when `timeoutMillis` (default 5 s) passes first. */
  readonly awaitNoConnections: (timeoutMillis?: number) => Promise<boolean>
  /** `true` once no request is in flight, `false` when `timeoutMillis` (default 5 s) passes first. */
  readonly awaitNoRequestsInFlight: (timeoutMillis?: number) => Promise<boolean>
}

/** The waits of `activity`. */
export const waitsOf = (activity: Activity): Waits => ({
  whenNoConnections: (timeoutMillis, callback) => activity.whenNoConnections(timeoutMillis, callback),
  whenNoRequestsInFlight: (timeoutMillis, callback) => activity.whenNoRequestsInFlight(timeoutMillis, callback),
  awaitNoConnections: (timeoutMillis = defaultWaitMillis) =>
    new Promise((resolve) => activity.whenNoConnections(timeoutMillis, resolve)),
  awaitNoRequestsInFlight: (timeoutMillis = defaultWaitMillis) =>
    new Promise((resolve) => activity.whenNoRequestsInFlight(timeoutMillis, resolve))
})

/** Binds 127.0.0.1 on a port the OS picks; rejects when the bind fails. */
export const listen = (server: Net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once("error", onError)
    server.listen({ host, port: 0 }, () => {
      server.off("error", onError)
      const address = server.address()
      resolve(address !== null && typeof address === "object" ? address.port : 0)
    })
  })
