/**
 * One request on the test server: the reply it resolved to, played on the
 * node request and response, with every timer it starts owned by the server
 * so that closing the server clears them.
 */
import type * as Http from "node:http"
import type { LiveEntry } from "../Journal.js"
import { pathnameOf } from "../Journal.js"
import { maxTimeoutMillis } from "./Loopback.js"
import * as Reply from "./Reply.js"

/** Every timer a server starts, so closing the server can clear them all. */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>()

  set(millis: number, f: () => void): NodeJS.Timeout | undefined {
    if (!(millis <= maxTimeoutMillis)) return undefined
    const handle = setTimeout(() => {
      this.handles.delete(handle)
      f()
    }, Math.max(0, millis))
    this.handles.add(handle)
    return handle
  }

  clear(handle: NodeJS.Timeout | undefined): void {
    if (handle === undefined) return
    clearTimeout(handle)
    this.handles.delete(handle)
  }

  clearAll(): void {
    for (const handle of this.handles) clearTimeout(handle)
    this.handles.clear()
  }
}

const toNodeHeaders = (headers: Reply.Headers): Http.OutgoingHttpHeaders => {
  const out: Http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === "string" ? value : [...value]
  return out
}

/**
 * Plays one resolved reply on one request: reads the body unless told not to,
 * waits for the delay (and the body), then acts. Nothing happens once the
 * response is closed (client gone, or server shut down).
 */
export const run = (
  resolved: Reply.Resolved,
  request: Http.IncomingMessage,
  response: Http.ServerResponse,
  entry: LiveEntry,
  timers: Timers
): void => {
  const { terminal } = resolved
  const pending = new Set<NodeJS.Timeout>()
  let closed = false
  response.once("close", () => {
    closed = true
    for (const handle of pending) timers.clear(handle)
    pending.clear()
  })
  // An upload aborted by the client destroys the request with an error; it is expected here.
  request.on("error", () => {})

  const schedule = (millis: number, f: () => void): void => {
    const handle = timers.set(millis, () => {
      if (handle !== undefined) pending.delete(handle)
      if (!closed) f()
    })
    if (handle !== undefined) pending.add(handle)
  }

  if (!resolved.readBody) {
    entry.recording = false
  } else if (terminal._tag !== "Custom") {
    request.resume()
  }

  // Reset acts on the head alone, Stall never acts, Custom reads the body itself.
  const waitsForBody = resolved.readBody && terminal._tag !== "Custom" && terminal._tag !== "Stall" &&
    terminal._tag !== "Reset"
  let gates = 1
  const open = (): void => {
    gates -= 1
    if (gates === 0 && !closed) act(terminal, request, response, entry, schedule)
  }
  if (resolved.delayMillis > 0) {
    gates += 1
    // An infinite (or unschedulable) delay never opens its gate: the reply never comes.
    schedule(resolved.delayMillis, open)
  }
  if (waitsForBody && !request.readableEnded) {
    gates += 1
    request.once("end", open)
  }
  open()
}

const act = (
  terminal: Reply.Terminal,
  request: Http.IncomingMessage,
  response: Http.ServerResponse,
  entry: LiveEntry,
  schedule: (millis: number, f: () => void) => void
): void => {
  switch (terminal._tag) {
    case "Respond": {
      response.writeHead(terminal.status, toNodeHeaders(terminal.headers))
      response.end(terminal.body)
      return
    }
    case "Stall":
      return
    case "StallAfterHeaders": {
      response.writeHead(terminal.status, toNodeHeaders(terminal.headers))
      response.flushHeaders()
      return
    }
    case "Drip": {
      response.writeHead(terminal.status, toNodeHeaders(terminal.headers))
      response.flushHeaders()
      const interval = terminal.intervalMillis
      let sent = 0
      const tick = (): void => {
        sent += 1
        if (sent < terminal.count) {
          response.write(terminal.chunk)
          schedule(interval, tick)
        } else {
          response.end(terminal.chunk)
        }
      }
      if (terminal.count === 0) response.end()
      else schedule(interval, tick)
      return
    }
    case "CloseMidBody": {
      response.writeHead(terminal.status, toNodeHeaders(terminal.headers))
      response.flushHeaders()
      if (terminal.body.byteLength > 0) response.write(terminal.body)
      const socket = request.socket
      // end() flushes what was written, then the FIN; destroy() makes sure the socket goes away.
      socket.end(() => socket.destroy())
      return
    }
    case "Reset": {
      request.socket.resetAndDestroy()
      return
    }
    case "Echo": {
      const reply = Reply.json(echoBody(entry))
      response.writeHead(reply.status, toNodeHeaders(reply.headers))
      response.end(reply.body)
      return
    }
    case "Custom": {
      try {
        terminal.handler(request, response)
      } catch (error) {
        if (!response.headersSent) {
          const reply = Reply.json({ error: String(error) }, { status: 500 })
          response.writeHead(reply.status, toNodeHeaders(reply.headers))
          response.end(reply.body)
        } else {
          request.socket.destroy()
        }
      }
      return
    }
  }
}

const decoder = new TextDecoder()

const echoBody = (entry: LiveEntry): Reply.EchoBody => {
  const query: Record<string, string | Array<string>> = {}
  const queryStart = entry.path.indexOf("?")
  if (queryStart !== -1) {
    const params = new URLSearchParams(entry.path.slice(queryStart + 1).split("#")[0])
    for (const [key, value] of params) {
      const previous = query[key]
      query[key] = previous === undefined ? value : typeof previous === "string" ? [previous, value] : [...previous, value]
    }
  }
  return {
    method: entry.method,
    path: pathnameOf(entry.path),
    query,
    headers: entry.headers,
    body: decoder.decode(Buffer.concat(entry.chunks))
  }
}
