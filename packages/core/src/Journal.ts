/**
 * A test server's journal: every request as it reached the server, its body
 * recorded as it is read, and the matching of request targets to the paths
 * a test names.
 */
import type * as Http from "node:http"

/** A request as the server saw it. */
export interface JournalEntry {
  readonly method: string
  /** Pathname and query string, exactly as received in the request line. */
  readonly path: string
  /** Headers lowercased as node gives them (duplicates joined, `set-cookie` as an array). */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Header names and values as sent, alternating: `[name, value, name, value, ...]`. */
  readonly rawHeaders: ReadonlyArray<string>
  /** Which TCP connection carried the request: 1 for the server's first, and so on. */
  readonly connection: number
  /** The body bytes the server read so far. */
  readonly body: Uint8Array
  /** `body` decoded as UTF-8. */
  readonly bodyText: string
  /** Whether the body arrived in full. */
  readonly bodyComplete: boolean
}

/**
 * A journal entry while its request is in flight. Body fields are updated as
 * the server reads the body, so a stalled upload is visible before it ends.
 */
export interface LiveEntry {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly rawHeaders: ReadonlyArray<string>
  readonly connection: number
  readonly chunks: Array<Uint8Array>
  size: number
  complete: boolean
  /** Cleared by `ignoreBody`: what node drains after the response was never read by the peer. */
  recording: boolean
}

const decoder = new TextDecoder()

const copyHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string | ReadonlyArray<string>> => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = typeof value === "string" ? value : [...value]
  }
  return out
}

const toChunk = (chunk: unknown): Uint8Array | undefined => {
  if (chunk instanceof Uint8Array) return chunk
  // A handler may call `setEncoding`; the bytes were UTF-8 (or close enough for a journal).
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8")
  return undefined
}

/** The entries of one server, in arrival order. */
export class Journal {
  private entries: Array<LiveEntry> = []

  /**
   * Records the request head and taps the body as it is read. The tap wraps
   * the instance's `emit`, so it sees every chunk whoever consumes the stream
   * (our body reader or a custom handler) and never changes the stream's mode.
   */
  open(request: Http.IncomingMessage, connection: number): LiveEntry {
    const entry: LiveEntry = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers: copyHeaders(request.headers),
      rawHeaders: [...request.rawHeaders],
      connection,
      chunks: [],
      size: 0,
      complete: false,
      recording: true
    }
    this.entries.push(entry)
    const emit = request.emit
    request.emit = function(this: Http.IncomingMessage, event: string | symbol, ...args: Array<unknown>): boolean {
      if (entry.recording) {
        if (event === "data") {
          const chunk = toChunk(args[0])
          if (chunk !== undefined) {
            // Copy: node may reuse the buffer after the event.
            entry.chunks.push(Uint8Array.from(chunk))
            entry.size += chunk.byteLength
          }
        } else if (event === "end") {
          entry.complete = true
        }
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean
    } as typeof request.emit
    return entry
  }

  /** Every entry so far, as tests read them. */
  snapshot(): ReadonlyArray<JournalEntry> {
    return this.entries.map(snapshotEntry)
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries = []
  }
}

/** An entry as a test reads it: the body so far as one array, and as text. */
export const snapshotEntry = (entry: LiveEntry): JournalEntry => {
  const body = new Uint8Array(entry.size)
  let offset = 0
  for (const chunk of entry.chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return {
    method: entry.method,
    path: entry.path,
    headers: { ...entry.headers },
    rawHeaders: entry.rawHeaders,
    connection: entry.connection,
    body,
    bodyText: decoder.decode(body),
    bodyComplete: entry.complete
  }
}

/** The pathname of a request target (origin-form or absolute-form). */
export const pathnameOf = (target: string): string => {
  if (target.startsWith("/")) {
    const end = target.search(/[?#]/)
    return end === -1 ? target : target.slice(0, end)
  }
  try {
    return new URL(target).pathname
  } catch {
    return target
  }
}

/** The path and query of a request target (origin-form or absolute-form), without a fragment. */
const pathAndQueryOf = (target: string): string => {
  if (target.startsWith("/")) {
    const hash = target.indexOf("#")
    return hash === -1 ? target : target.slice(0, hash)
  }
  try {
    const url = new URL(target)
    return url.pathname + url.search
  } catch {
    return target
  }
}

/**
 * Whether a journal entry's target is what a test asked for: the pathname
 * alone when `wanted` has no query, the path and query as sent when it has
 * one (`"/todos?userId=1"`).
 */
export const matchesPath = (target: string, wanted: string): boolean =>
  wanted.includes("?") ? pathAndQueryOf(target) === wanted : pathnameOf(target) === wanted
