/**
 * One TCP connection of the fault server: requests parsed off the raw bytes,
 * journaled, and each answered with its fault.
 */
import type * as Net from "node:net"
import type { LiveEntry } from "../Journal.js"
import { snapshotEntry } from "../Journal.js"
import { BodyReader, findHeadEnd, maxHeadBytes, parseHead, responseHead } from "../Wire.js"
import type { Head } from "../Wire.js"
import type { Timers } from "./Exchange.js"
import type * as Fault from "./Fault.js"
import { resolve, status } from "./Fault.js"

/** A fault once its sequences are resolved. */
export type Terminal = Exclude<Fault.Fault, Fault.Sequence>

/** Dynamic faults returning dynamic faults: past this depth, a test bug answered 500. */
const maxDecisions = 16

/** The fault a `Dynamic` picks for a complete request. */
const decide = (fault: Terminal, entry: LiveEntry): Exclude<Terminal, Fault.Dynamic> => {
  let current = fault
  for (let i = 0; i < maxDecisions; i++) {
    if (current._tag !== "Dynamic") return current
    current = resolve(current.decide(snapshotEntry(entry)), new Map())
  }
  return status(500)
}

/** What a connection needs from its server. */
export interface Host {
  readonly timers: Timers
  readonly keepAliveMillis: number
  /** Records the head in the journal and picks the fault; undefined: the server is closing. */
  readonly accept: (head: Head, connection: number) => { readonly entry: LiveEntry; readonly fault: Terminal } | undefined
  /** A request was accepted (`true`), or it was answered in full or its connection closed (`false`). */
  readonly inFlight: (active: boolean) => void
}

/**
 * - `head`: reading a request head (or idle between keep-alive requests);
 * - `body`: reading its body, to hand the complete request to the fault;
 * - `busy`: a response is being played (a drip), bytes wait in the buffer;
 * - `ignoring`: the fault is final (stall, cut, reset, early answer): every
 *   further byte is dropped unread until the socket goes.
 */
type Phase = "head" | "body" | "busy" | "ignoring"

const encoder = new TextEncoder()

/** Enough iterations for any pipelined burst a test sends; the rest waits for the next `data`. */
const maxRequestsPerPump = 1_000

/**
 * One TCP connection of the fault server: parses requests off the raw
 * bytes, journals them, and plays each request's fault.
 */
export class Connection {
  private buffer: Buffer = Buffer.alloc(0)
  private phase: Phase = "head"
  private reader: BodyReader | undefined
  private entry: LiveEntry | undefined
  private fault: Terminal | undefined
  private readonly pending = new Set<NodeJS.Timeout>()
  private gone = false
  /** A request was accepted and is not answered in full yet. */
  private active = false

  constructor(readonly host: Host, readonly socket: Net.Socket, readonly id: number) {
    socket.setNoDelay(true)
    // A client that aborts resets the socket; that is what these tests do.
    socket.on("error", () => {})
    socket.on("data", (chunk: Buffer) => this.onData(chunk))
    socket.on("timeout", () => {
      if (this.phase === "head" && this.buffer.byteLength === 0) socket.destroy()
    })
    socket.once("close", () => {
      this.gone = true
      this.settle()
      for (const handle of this.pending) host.timers.clear(handle)
      this.pending.clear()
    })
    this.idle()
  }

  private settle(): void {
    if (!this.active) return
    this.active = false
    this.host.inFlight(false)
  }

  private idle(): void {
    this.settle()
    this.phase = "head"
    this.socket.setTimeout(this.host.keepAliveMillis)
  }

  private schedule(millis: number, f: () => void): void {
    const handle = this.host.timers.set(millis, () => {
      if (handle !== undefined) this.pending.delete(handle)
      if (!this.gone) f()
    })
    if (handle !== undefined) this.pending.add(handle)
  }

  private onData(chunk: Buffer): void {
    if (this.phase === "ignoring" || this.gone) return
    this.buffer = this.buffer.byteLength === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    this.pump()
  }

  private pump(): void {
    for (let i = 0; i < maxRequestsPerPump && !this.gone; i++) {
      if (this.phase === "head" && !this.readHead()) return
      if (this.phase !== "body") return
      if (!this.readBody()) return
    }
  }

  /** True when a head was read and the connection moved on to its body. */
  private readHead(): boolean {
    const end = findHeadEnd(this.buffer)
    if (end === -1) {
      if (this.buffer.byteLength > maxHeadBytes) this.socket.destroy()
      return false
    }
    const head = parseHead(this.buffer.subarray(0, end - 4))
    this.buffer = this.buffer.subarray(end)
    const reader = head === undefined ? undefined : BodyReader.of(head)
    if (head === undefined || reader === undefined) {
      this.closeWith(responseHead(400, [["content-length", "0"], ["connection", "close"]]))
      return false
    }
    const accepted = this.host.accept(head, this.id)
    if (accepted === undefined) {
      this.socket.destroy()
      return false
    }
    this.socket.setTimeout(0)
    this.active = true
    this.host.inFlight(true)
    this.entry = accepted.entry
    this.fault = accepted.fault
    this.reader = reader
    if (accepted.fault._tag === "AnswerEarly") {
      accepted.entry.recording = false
      this.answerEarly(accepted.fault)
      return false
    }
    this.phase = "body"
    return true
  }

  /** True when the body is complete and its fault played out synchronously, leaving the connection idle. */
  private readBody(): boolean {
    const reader = this.reader!
    const entry = this.entry!
    if (!reader.done) {
      const used = reader.feed(this.buffer, (chunk) => {
        entry.chunks.push(Uint8Array.from(chunk))
        entry.size += chunk.byteLength
      })
      if (used === -1) {
        this.socket.destroy()
        return false
      }
      this.buffer = this.buffer.subarray(used)
      if (!reader.done) return false
    }
    entry.complete = true
    this.phase = "busy"
    this.play(decide(this.fault!, entry))
    // `play` moves the phase on (to "head" when the answer is complete).
    return (this.phase as Phase) === "head"
  }

  /** Writes `bytes`, then a FIN, then destroys the socket once both went out. */
  private closeWith(bytes: Uint8Array): void {
    this.phase = "ignoring"
    this.socket.end(bytes, () => this.socket.destroy())
  }

  private respondBytes(reply: Fault.Respond, extra: ReadonlyArray<readonly [string, string]>): Buffer {
    const headers: Array<readonly [string, string]> = Object.entries(reply.headers)
    if (reply.retryAfter !== undefined) {
      const value = typeof reply.retryAfter === "string"
        ? reply.retryAfter
        : new Date(Date.now() + reply.retryAfter.inMillis).toUTCString()
      headers.push(["retry-after", value])
    }
    headers.push(["content-length", String(reply.body.byteLength)], ...extra)
    return Buffer.concat([responseHead(reply.status, headers), reply.body])
  }

  private play(fault: Exclude<Terminal, Fault.Dynamic>): void {
    const socket = this.socket
    switch (fault._tag) {
      case "Respond": {
        if (fault.close) {
          this.closeWith(this.respondBytes(fault, [["connection", "close"]]))
        } else {
          socket.write(this.respondBytes(fault, [["connection", "keep-alive"]]))
          this.idle()
        }
        return
      }
      case "KeepAliveThenClose": {
        this.phase = "ignoring"
        const bytes = this.respondBytes(fault.reply, [["connection", "keep-alive"], ["keep-alive", "timeout=60"]])
        socket.write(bytes, () => socket.destroy())
        return
      }
      case "Reset": {
        this.phase = "ignoring"
        socket.resetAndDestroy()
        return
      }
      case "StallHeaders": {
        this.phase = "ignoring"
        return
      }
      case "StallBody": {
        this.phase = "ignoring"
        const head = responseHead(200, [["content-type", "application/json"], ["content-length", String(fault.declared)]])
        socket.write(Buffer.concat([head, Buffer.alloc(Math.min(fault.sent, fault.declared), " ")]))
        return
      }
      case "Drip": {
        const head = responseHead(200, [
          ["content-type", "application/json"],
          ["content-length", String(fault.body.byteLength)],
          ["connection", "keep-alive"]
        ])
        socket.write(head)
        const interval = fault.intervalMillis
        let sent = 0
        const tick = (): void => {
          socket.write(fault.body.subarray(sent, sent + 1))
          sent += 1
          if (sent < fault.body.byteLength) {
            this.schedule(interval, tick)
          } else {
            this.idle()
            this.pump()
          }
        }
        if (fault.body.byteLength === 0) this.idle()
        else this.schedule(interval, tick)
        return
      }
      case "Truncated": {
        const head = responseHead(200, [["content-type", "application/json"], ["content-length", String(fault.declared)]])
        this.closeWith(Buffer.concat([head, Buffer.alloc(Math.min(fault.sent, fault.declared), " ")]))
        return
      }
      case "ChunkedCut": {
        const head = responseHead(200, [["content-type", "application/json"], ["transfer-encoding", "chunked"]])
        const chunks = fault.chunks.map((chunk) => {
          const bytes = encoder.encode(chunk)
          return Buffer.concat([Buffer.from(`${bytes.byteLength.toString(16)}\r\n`), bytes, Buffer.from("\r\n")])
        })
        this.closeWith(Buffer.concat([head, ...chunks]))
        return
      }
      case "BadChunkSize": {
        const head = responseHead(200, [["content-type", "application/json"], ["transfer-encoding", "chunked"]])
        this.closeWith(Buffer.concat([head, Buffer.from("zz\r\n{\"ok\":true}\r\n0\r\n\r\n")]))
        return
      }
      case "MalformedStatusLine": {
        const rest = "content-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}"
        this.closeWith(Buffer.from(`${fault.line}\r\n${rest}`, "latin1"))
        return
      }
      case "OversizedHeaders": {
        const head = responseHead(200, [
          ["content-type", "application/json"],
          ["x-filler", "a".repeat(fault.bytes)],
          ["content-length", "11"]
        ])
        this.closeWith(Buffer.concat([head, Buffer.from("{\"ok\":true}")]))
        return
      }
      case "EndlessHeaders": {
        this.phase = "ignoring"
        socket.write(responseHead(200, [["content-type", "application/json"]], { terminated: false }))
        const interval = fault.intervalMillis
        let lines = 0
        const tick = (): void => {
          lines += 1
          socket.write(`x-endless-${lines}: ${"e".repeat(32)}\r\n`)
          if (lines < fault.maxLines) this.schedule(interval, tick)
          else socket.end(() => socket.destroy())
        }
        this.schedule(interval, tick)
        return
      }
      case "AnswerEarly":
        this.answerEarly(fault)
        return
    }
  }

  /**
   * Answers without reading the body, then closes the way a careful server
   * does: a FIN after the answer, the rest of the upload read and dropped
   * (closing with unread bytes would send a RST that can destroy the answer
   * in the client's receive buffer), and the socket destroyed when the client
   * closes or `linger` passes.
   */
  private answerEarly(fault: Fault.AnswerEarly): void {
    this.phase = "ignoring"
    this.buffer = Buffer.alloc(0)
    this.socket.end(this.respondBytes(fault.reply, [["connection", "close"]]))
    this.schedule(fault.lingerMillis, () => this.socket.destroy())
  }
}
