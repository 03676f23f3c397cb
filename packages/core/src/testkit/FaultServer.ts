/**
 * The test kit's raw-TCP server that misbehaves below HTTP: `node:net` on
 * 127.0.0.1 with a port the OS picks, each request answered with a
 * {@link Fault}, journaled as the test server journals, with the same counts
 * and waits. Closing it destroys every socket and timer and closes the
 * listener.
 */
import * as Net from "node:net"
import type { JournalEntry, LiveEntry } from "../Journal.js"
import { pathnameOf, snapshotEntry } from "../Journal.js"
import { Router } from "../Router.js"
import type { Head } from "../Wire.js"
import { Timers } from "./Exchange.js"
import * as Fault from "./Fault.js"
import { Connection } from "./FaultConnection.js"
import type { Terminal } from "./FaultConnection.js"
import * as Loopback from "./Loopback.js"
import { filterRequests } from "./TestServer.js"

/** Options of {@link start}. */
export interface Options {
  /** Routes to install before the first request, as `[method, path, fault]`. */
  readonly routes?: ReadonlyArray<readonly [method: string, path: string, fault: Fault.Fault]> | undefined
  /**
   * Keep the journal. Default true; false for long runs (a soak test), where
   * every request kept would grow the heap. `dynamic` still sees each request.
   */
  readonly journal?: boolean | undefined
}

/** A running fault server; the same names as the test server's. */
export interface FaultServer extends Loopback.Waits {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /** Adds (or replaces) a route, matched as the test server's are; unmatched requests get 404. */
  readonly route: (method: string, path: string, fault: Fault.Fault) => void
  readonly journal: () => ReadonlyArray<JournalEntry>
  readonly requests: (path?: string) => ReadonlyArray<JournalEntry>
  readonly clearJournal: () => void
  readonly openConnections: () => number
  readonly totalConnections: () => number
  readonly inFlight: () => number
  /** Destroys every socket, clears every timer, closes the listener. */
  readonly close: () => Promise<void>
}

interface Route {
  readonly fault: Fault.Fault
  readonly counters: Map<Fault.Sequence, number>
}

const notFound = Fault.json({ error: "no route" }, { status: 404 })

/** Idle keep-alive connections are closed after this, as a real server would. */
const keepAliveMillis = 5_000

/** Starts a fault server; rejects when 127.0.0.1 cannot be bound. */
export const start = async (options?: Options): Promise<FaultServer> => {
  // HEAD is not served by a GET route: the raw answers here would send it a body.
  const routes = new Router<Route>({ headServedByGet: false })
  const add = (method: string, path: string, fault: Fault.Fault): void =>
    routes.add(method, path, { fault, counters: new Map() })
  for (const [method, path, fault] of options?.routes ?? []) add(method, path, fault)
  const keepJournal = options?.journal ?? true
  const timers = new Timers()
  const activity = new Loopback.Activity()
  let entries: Array<LiveEntry> = []
  let closed = false

  const accept = (head: Head, connection: number): { readonly entry: LiveEntry; readonly fault: Terminal } | undefined => {
    if (closed) return undefined
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
    if (keepJournal) entries.push(entry)
    const route = routes.match(head.method, pathnameOf(head.target))
    return { entry, fault: route === undefined ? notFound : Fault.resolve(route.fault, route.counters) }
  }
  const inFlight = (active: boolean): void => {
    if (active) activity.requestStarted()
    else activity.requestEnded()
  }

  const server = Net.createServer((socket) => {
    if (closed) {
      socket.destroy()
      return
    }
    const id = activity.track(socket)
    new Connection({ timers, keepAliveMillis, accept, inFlight }, socket, id)
  })

  const port = await Loopback.listen(server)
  const url = `http://${Loopback.host}:${port}`
  const snapshot = (): ReadonlyArray<JournalEntry> => entries.map(snapshotEntry)
  return {
    url,
    port,
    route: add,
    journal: snapshot,
    requests: (path) => filterRequests(snapshot(), path),
    clearJournal: () => {
      entries = []
    },
    openConnections: () => activity.openConnections(),
    totalConnections: () => activity.totalConnections(),
    inFlight: () => activity.inFlight(),
    ...Loopback.waitsOf(activity),
    close: async () => {
      closed = true
      timers.clearAll()
      await activity.close(server)
    }
  }
}
