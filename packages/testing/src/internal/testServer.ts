import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as Reply from "../Reply.js"
import type * as TestServer from "../TestServer.js"
import * as Exchange from "./exchange.js"
import { Journal, matchesPath, pathnameOf } from "@courier/core/Journal"
import * as internalReply from "./reply.js"
import { resolve, Router } from "./router.js"

/** @internal */
export const host = "127.0.0.1"

const notFound = internalReply.json({ error: "no route" }, { status: 404 })

/**
 * A wall clock for waits on real sockets: sockets close in real time, so a
 * `TestClock` in the caller's context must not freeze these timeouts.
 *
 * @internal
 */
export const liveClock = Clock.make()

class State {
  readonly router = new Router()
  readonly journal = new Journal()
  readonly timers = new Exchange.Timers()
  readonly sockets = new Set<Net.Socket>()
  readonly idleWaiters = new Set<() => void>()
  readonly settledWaiters = new Set<() => void>()
  private pending = 0
  readonly inFlight = (): number => this.pending
  readonly server: Http.Server
  totalConnections = 0
  closed = false

  constructor(options: TestServer.Options | undefined) {
    for (const [method, path, reply] of options?.routes ?? []) this.router.add(method, path, reply)
    this.server = Http.createServer(
      // requestTimeout 0: a stalled request must stay stalled until the client gives up.
      { requestTimeout: 0 },
      (request, response) => this.handle(request, response)
    )
    this.server.keepAliveTimeout = Duration.toMillis(options?.keepAliveTimeout ?? Duration.seconds(5))
    this.server.on("connection", (socket: Net.Socket) => this.track(socket))
  }

  private track(socket: Net.Socket): void {
    if (this.closed) {
      socket.destroy()
      return
    }
    this.totalConnections += 1
    connectionIds.set(socket, this.totalConnections)
    this.sockets.add(socket)
    socket.once("close", () => {
      this.sockets.delete(socket)
      if (this.sockets.size === 0) wake(this.idleWaiters)
    })
  }

  private handle(request: Http.IncomingMessage, response: Http.ServerResponse): void {
    if (this.closed) {
      request.socket.destroy()
      return
    }
    // "close" follows both a response sent in full and a connection gone before that.
    this.pending += 1
    response.once("close", () => {
      this.pending -= 1
      if (this.pending === 0) wake(this.settledWaiters)
    })
    const entry = this.journal.open(request, connectionIds.get(request.socket) ?? 0)
    const route = this.router.match(request.method ?? "GET", pathnameOf(request.url ?? "/"))
    const resolved = route === undefined ? resolve(notFound, new Map()) : resolve(route.reply, route.counters)
    Exchange.run(resolved, request, response, entry, this.timers)
  }

  listen(onListening: (error: Error | undefined) => void): void {
    listenLoopback(this.server, onListening)
  }

  get port(): number {
    return portOf(this.server)
  }

  close(onClosed: () => void): void {
    this.closed = true
    this.timers.clearAll()
    closeServer(this.server, this.sockets, onClosed)
  }
}

/** Binds 127.0.0.1 on a port the OS picks, reporting a bind failure. Shared with the fault server. @internal */
export const listenLoopback = (server: Net.Server, onListening: (error: Error | undefined) => void): void => {
  const onError = (error: Error): void => onListening(error)
  server.once("error", onError)
  server.listen({ host, port: 0 }, () => {
    server.off("error", onError)
    onListening(undefined)
  })
}

/** @internal */
export const portOf = (server: Net.Server): number => {
  const address = server.address()
  return address !== null && typeof address === "object" ? address.port : 0
}

/** Destroys every socket, then closes the listener. @internal */
export const closeServer = (server: Net.Server, sockets: Iterable<Net.Socket>, onClosed: () => void): void => {
  for (const socket of sockets) socket.destroy()
  // The callback also runs (with ERR_SERVER_NOT_RUNNING) if the server was not listening.
  server.close(() => onClosed())
}

const connectionIds = new WeakMap<Net.Socket, number>()

/**
 * Succeeds with `true` once `size()` is zero, `false` after `timeout`
 * (default 5 s) on the wall clock. The owner calls every waiter when the
 * count drops to zero. Shared with the fault server.
 */
const awaitZero = (
  size: () => number,
  waiters: Set<() => void>,
  timeout: Duration.DurationInput | undefined
): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (size() === 0) {
      resume(Effect.succeed(true))
      return
    }
    const waiter = (): void => resume(Effect.succeed(true))
    waiters.add(waiter)
    return Effect.sync(() => waiters.delete(waiter))
  }).pipe(
    Effect.timeoutTo({
      duration: timeout ?? Duration.seconds(5),
      onSuccess: (idle) => idle,
      onTimeout: () => false
    }),
    Effect.withClock(liveClock)
  )

/** Calls and clears every waiter. @internal */
export const wake = (waiters: Set<() => void>): void => {
  const all = [...waiters]
  waiters.clear()
  for (const waiter of all) waiter()
}

/** What both servers count for their waits. @internal */
export interface Activity {
  readonly sockets: ReadonlySet<unknown>
  readonly idleWaiters: Set<() => void>
  /** Requests received and not yet answered in full nor ended by their connection closing. */
  readonly inFlight: () => number
  readonly settledWaiters: Set<() => void>
}

/** `true` once no socket is open, `false` after `timeout`. @internal */
export const awaitNoConnections = (state: Activity, timeout: Duration.DurationInput | undefined): Effect.Effect<boolean> =>
  awaitZero(() => state.sockets.size, state.idleWaiters, timeout)

/** `true` once no request is in flight, `false` after `timeout`. @internal */
export const awaitNoRequestsInFlight = (
  state: Activity,
  timeout: Duration.DurationInput | undefined
): Effect.Effect<boolean> => awaitZero(state.inFlight, state.settledWaiters, timeout)

const toService = (state: State): TestServer.Service => {
  const url = `http://${host}:${state.port}`
  return {
    url,
    origin: url,
    port: state.port,
    route: (method: string, path: string, reply: Reply.Reply) => Effect.sync(() => state.router.add(method, path, reply)),
    journal: Effect.sync(() => state.journal.snapshot()),
    requests: (path?: string) =>
      Effect.sync(() => {
        const entries = state.journal.snapshot()
        return path === undefined ? entries : entries.filter((entry) => matchesPath(entry.path, path))
      }),
    clearJournal: Effect.sync(() => state.journal.clear()),
    openConnections: Effect.sync(() => state.sockets.size),
    totalConnections: Effect.sync(() => state.totalConnections),
    awaitIdle: (timeout?: Duration.DurationInput) => awaitNoConnections(state, timeout),
    awaitNoConnections: (timeout?: Duration.DurationInput) => awaitNoConnections(state, timeout),
    awaitNoRequestsInFlight: (timeout?: Duration.DurationInput) => awaitNoRequestsInFlight(state, timeout),
    inFlight: Effect.sync(state.inFlight)
  }
}

/** @internal */
export const make = (options?: TestServer.Options): Effect.Effect<TestServer.Service, never, Scope.Scope> =>
  Effect.map(listening(() => new State(options)), toService)

/** A server's state, listening, closed with the scope. Shared with the fault server. @internal */
export const listening = <S extends {
  listen(onListening: (error: Error | undefined) => void): void
  close(onClosed: () => void): void
}>(start: () => S): Effect.Effect<S, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<S>((resume) => {
      const state = start()
      state.listen((error) => resume(error === undefined ? Effect.succeed(state) : Effect.die(error)))
    }),
    (state) => Effect.async<void>((resume) => state.close(() => resume(Effect.void)))
  )
