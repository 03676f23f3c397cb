import * as Duration from "effect/Duration"
import type * as Reply from "../Reply.js"
import * as internalReply from "./reply.js"

/** @internal */
export interface Route {
  /** Uppercased method, or "*". */
  readonly method: string
  /** Exact pathname, or the prefix before a trailing "*". */
  readonly path: string
  readonly prefix: boolean
  readonly reply: Reply.Reply
  /** Position of each `Reply.sequence` reached through this route; fresh per registration. */
  readonly counters: Map<Reply.Sequence, number>
}

const methodScore = (route: Route, method: string): number => {
  if (route.method === method) return 3
  // As in Go's ServeMux, a GET route also serves HEAD (node drops the body).
  if (route.method === "GET" && method === "HEAD") return 2
  if (route.method === "*") return 1
  return 0
}

/**
 * Routes by method and pathname. The most specific route wins: an exact path
 * over a prefix, a longer prefix over a shorter one, then a named method over
 * "*". Registering the same method and path again replaces the route.
 *
 * @internal
 */
export class Router {
  private routes: Array<Route> = []

  add(method: string, path: string, reply: Reply.Reply): void {
    const normalized = method === "*" ? "*" : method.toUpperCase()
    const prefix = path.endsWith("*")
    const route: Route = {
      method: normalized,
      path: prefix ? path.slice(0, -1) : path,
      prefix,
      reply,
      counters: new Map()
    }
    this.routes = this.routes.filter((r) => !(r.method === route.method && r.path === route.path && r.prefix === prefix))
    this.routes.push(route)
  }

  match(method: string, pathname: string): Route | undefined {
    let best: Route | undefined
    let bestScore = -1
    for (const route of this.routes) {
      const byMethod = methodScore(route, method)
      if (byMethod === 0) continue
      let byPath: number
      if (!route.prefix) {
        if (route.path !== pathname) continue
        byPath = Number.MAX_SAFE_INTEGER
      } else {
        if (!pathname.startsWith(route.path)) continue
        byPath = route.path.length
      }
      const score = byPath * 4 + byMethod
      if (score >= bestScore) {
        best = route
        bestScore = score
      }
    }
    return best
  }
}

/**
 * Advances through `Sequence`, `Delay` and `IgnoreBody` wrappers to the reply
 * that acts on the wire. Done once, when the request head arrives, so the
 * server knows whether to read the body and how long to wait.
 *
 * @internal
 */
export interface Resolved {
  readonly delayMillis: number
  readonly readBody: boolean
  readonly terminal: Terminal
}

/** @internal */
export type Terminal = Exclude<Reply.Reply, Reply.Sequence | Reply.Delay | Reply.IgnoreBody>

const emptySequence = internalReply.json({ error: "empty sequence" }, { status: 500 })

/** @internal */
export const resolve = (reply: Reply.Reply, counters: Map<Reply.Sequence, number>): Resolved => {
  let delayMillis = 0
  let readBody = true
  let current: Reply.Reply = reply
  for (;;) {
    switch (current._tag) {
      case "Sequence": {
        if (current.replies.length === 0) {
          current = emptySequence
          break
        }
        const index = counters.get(current) ?? 0
        counters.set(current, index + 1)
        current = current.replies[Math.min(index, current.replies.length - 1)]!
        break
      }
      case "Delay": {
        delayMillis += Duration.toMillis(current.duration)
        current = current.reply
        break
      }
      case "IgnoreBody": {
        readBody = false
        current = current.reply
        break
      }
      default:
        return { delayMillis, readBody, terminal: current }
    }
  }
}
