import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import type * as FaultServer from "../FaultServer.js"
import { Timers } from "./exchange.js"
import * as fault from "./fault.js"
import { Connection } from "./faultConnection.js"
import type { Terminal } from "./faultConnection.js"
import * as Routes from "@courier/core/Router"
import type { Head } from "@courier/core/Wire"
import type { LiveEntry } from "@courier/core/Journal"
import { matchesPath, pathnameOf, snapshotEntry } from "@courier/core/Journal"
import {
  awaitNoConnections,
  awaitNoRequestsInFlight,
  closeServer,
  host,
  listening,
  listenLoopback,
  portOf,
  wake
} from "./testServer.js"

interface Route {
  readonly fault: FaultServer.Fault
  readonly counters: Map<FaultServer.Sequence, number>
}

const notFound = fault.json({ error: "no route" }, { status: 404 })

/** Idle keep-alive connections are closed after this, as a real server would. */
const keepAliveMillis = 5_000

class State {
  readonly timers = new Timers()
  readonly sockets = new Set<Net.Socket>()
  readonly idleWaiters = new Set<() => void>()
  readonly settledWaiters = new Set<() => void>()
  private pending = 0
  readonly inFlight = (): number => this.pending
  readonly server: Net.Server
  entries: Array<LiveEntry> = []
  // HEAD is not served by a GET route: the raw answers here would send it a body.
  readonly routes = new Routes.Router<Route>({ headServedByGet: false })
  totalConnections = 0
  closed = false
  readonly keepJournal: boolean

  constructor(options: FaultServer.ServerOptions | undefined) {
    this.keepJournal = options?.journal ?? true
    for (const [method, path, f] of options?.routes ?? []) this.add(method, path, f)
    this.server = Net.createServer((socket) => this.track(socket))
  }

  add(method: string, path: string, f: FaultServer.Fault): void {
    this.routes.add(method, path, { fault: f, counters: new Map() })
  }

  private track(socket: Net.Socket): void {
    if (this.closed) {
      socket.destroy()
      return
    }
    this.totalConnections += 1
    this.sockets.add(socket)
    socket.once("close", () => {
      this.sockets.delete(socket)
      if (this.sockets.size === 0) wake(this.idleWaiters)
    })
    const inFlight = (active: boolean): void => {
      this.pending += active ? 1 : -1
      if (this.pending === 0) wake(this.settledWaiters)
    }
    new Connection(
      { timers: this.timers, keepAliveMillis, accept: (head, id) => this.accept(head, id), inFlight },
      socket,
      this.totalConnections
    )
  }

  private accept(head: Head, connection: number): { readonly entry: LiveEntry; readonly fault: Terminal } | undefined {
    if (this.closed) return undefined
    const entry: LiveEntry = {
      method: head.method,
      path: head.target,
      headers: head.headers,
      rawHeaders: head.rawHeaders,
      connection,
      chunks: [],
      size: 0,
      complete: false,
      recording: true
    }
    if (this.keepJournal) this.entries.push(entry)
    const route = this.routes.match(head.method, pathnameOf(head.target))
    return { entry, fault: route === undefined ? notFound : fault.resolve(route.fault, route.counters) }
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

const toService = (state: State): FaultServer.Service => {
  const url = `http://${host}:${state.port}`
  const snapshot = () => state.entries.map(snapshotEntry)
  return {
    url,
    origin: url,
    port: state.port,
    route: (method: string, path: string, f: FaultServer.Fault) => Effect.sync(() => state.add(method, path, f)),
    journal: Effect.sync(snapshot),
    requests: (path?: string) =>
      Effect.sync(() => {
        const entries = snapshot()
        return path === undefined ? entries : entries.filter((entry) => matchesPath(entry.path, path))
      }),
    clearJournal: Effect.sync(() => {
      state.entries = []
    }),
    openConnections: Effect.sync(() => state.sockets.size),
    totalConnections: Effect.sync(() => state.totalConnections),
    awaitIdle: (timeout?: Duration.DurationInput) => awaitNoConnections(state, timeout),
    awaitNoConnections: (timeout?: Duration.DurationInput) => awaitNoConnections(state, timeout),
    awaitNoRequestsInFlight: (timeout?: Duration.DurationInput) => awaitNoRequestsInFlight(state, timeout),
    inFlight: Effect.sync(state.inFlight)
  }
}

/** @internal */
export const make = (options?: FaultServer.ServerOptions): Effect.Effect<FaultServer.Service, never, Scope.Scope> =>
  Effect.map(listening(() => new State(options)), toService)
