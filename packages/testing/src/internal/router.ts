import * as Routes from "@courier/core/Router"
import * as Duration from "effect/Duration"
import type * as Reply from "../Reply.js"
import * as internalReply from "./reply.js"

/** A registered reply, with the position of each `Reply.sequence` reached through it (fresh per registration). @internal */
export interface Route {
  readonly reply: Reply.Reply
  readonly counters: Map<Reply.Sequence, number>
}

/**
 * The test server's routes, matched as `@courier/core/Router` does; a GET
 * route also serves HEAD (node drops the body).
 *
 * @internal
 */
export class Router {
  private readonly routes = new Routes.Router<Route>({ headServedByGet: true })

  add(method: string, path: string, reply: Reply.Reply): void {
    this.routes.add(method, path, { reply, counters: new Map() })
  }

  match(method: string, pathname: string): Route | undefined {
    return this.routes.match(method, pathname)
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
