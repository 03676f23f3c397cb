/**
 * The test kit's HTTP/1.1 server: `node:http` on 127.0.0.1 with a port the
 * OS picks, routes answered with {@link Reply} values, a journal of what
 * reached the wire, and counts of connections and requests in flight.
 * Closing it destroys every socket and timer and closes the listener. The
 * Effect kits wrap it in a scope.
 */
import * as Http from "node:http"
import type * as Net from "node:net"
import type { JournalEntry } from "../Journal.js"
import { Journal, matchesPath, pathnameOf } from "../Journal.js"
import { Router } from "../Router.js"
import * as Exchange from "./Exchange.js"
import * as Loopback from "./Loopback.js"
import * as Reply from "./Reply.js"

/** Options of {@link start}. */
export interface Options {
  /** Routes to install before the first request, as `[method, path, reply]`. */
  readonly routes?: ReadonlyArray<readonly [method: string, path: string, reply: Reply.Reply]> | undefined
  /** How long an idle keep-alive connection stays open. Default: 5 seconds. */
  readonly keepAliveTimeoutMillis?: number | undefined
}

/** A running test server. */
export interface TestServer extends Loopback.Waits {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /**
   * Adds (or replaces) a route: `method` or `"*"`; an exact pathname or a
   * prefix ending with `"*"`. The most specific route wins; a GET route also
   * serves HEAD; unmatched requests get 404 `{"error":"no route"}`.
   */
  readonly route: (method: string, path: string, reply: Reply.Reply) => void
  /** Every request since start (or the last `clearJournal`), oldest first. */
  readonly journal: () => ReadonlyArray<JournalEntry>
  /** Journal entries for `path` (as `Journal.matchesPath` reads it), or all of them. */
  readonly requests: (path?: string) => ReadonlyArray<JournalEntry>
  readonly clearJournal: () => void
  /** TCP connections currently open on the server side. */
  readonly openConnections: () => number
  /** TCP connections accepted since start. */
  readonly totalConnections: () => number
  /** Requests received and not yet answered in full nor ended by their connection closing. */
  readonly inFlight: () => number
  /** Destroys every socket, clears every timer, closes the listener. */
  readonly close: () => Promise<void>
}

interface Route {
  readonly reply: Reply.Reply
  /** The position of each sequence reached through this registration. */
  readonly counters: Map<Reply.Sequence, number>
}

const notFound = Reply.json({ error: "no route" }, { status: 404 })

const connectionIds = new WeakMap<Net.Socket, number>()

/** Filters a journal snapshot by `path`, or keeps it whole. */
export const filterRequests = (entries: ReadonlyArray<JournalEntry>, path: string | undefined): ReadonlyArray<JournalEntry> =>
  path === undefined ? entries : entries.filter((entry) => matchesPath(entry.path, path))

/** Starts a server; rejects when 127.0.0.1 cannot be bound. */
export const start = async (options?: Options): Promise<TestServer> => {
  // A GET route also serves HEAD: node drops the body of a HEAD answer.
  const router = new Router<Route>({ headServedByGet: true })
  const add = (method: string, path: string, reply: Reply.Reply): void =>
    router.add(method, path, { reply, counters: new Map() })
  for (const [method, path, reply] of options?.routes ?? []) add(method, path, reply)
  const journal = new Journal()
  const timers = new Exchange.Timers()
  const activity = new Loopback.Activity()
  let closed = false

  const server = Http.createServer(
    // requestTimeout 0: a stalled request must stay stalled until the client gives up.
    { requestTimeout: 0 },
    (request, response) => {
      if (closed) {
        request.socket.destroy()
        return
      }
      // "close" follows both a response sent in full and a connection gone before that.
      activity.requestStarted()
      response.once("close", () => activity.requestEnded())
      const entry = journal.open(request, connectionIds.get(request.socket) ?? 0)
      const route = router.match(request.method ?? "GET", pathnameOf(request.url ?? "/"))
      const resolved = route === undefined ? Reply.resolve(notFound, new Map()) : Reply.resolve(route.reply, route.counters)
      Exchange.run(resolved, request, response, entry, timers)
    }
  )
  server.keepAliveTimeout = options?.keepAliveTimeoutMillis ?? 5_000
  server.on("connection", (socket: Net.Socket) => {
    if (closed) socket.destroy()
    else connectionIds.set(socket, activity.track(socket))
  })

  const port = await Loopback.listen(server)
  const url = `http://${Loopback.host}:${port}`
  return {
    url,
    port,
    route: add,
    journal: () => journal.snapshot(),
    requests: (path) => filterRequests(journal.snapshot(), path),
    clearJournal: () => journal.clear(),
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
