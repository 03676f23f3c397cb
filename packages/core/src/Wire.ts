/**
 * HTTP/1.1 on the wire for a test kit's fault server: reading request heads and
 * bodies (`Content-Length` or chunked) from raw bytes, and writing response
 * heads. Only what a client under test sends needs to parse; anything else
 * is a protocol error and closes the connection.
 */
import * as Http from "node:http"

/** A request head larger than this closes the connection. */
export const maxHeadBytes = 64 * 1024

/** A request head as read from the wire. */
export interface Head {
  readonly method: string
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly rawHeaders: ReadonlyArray<string>
}

const headEnd = Buffer.from("\r\n\r\n")

/** The offset just past the blank line ending a head, or -1 when it has not arrived. */
export const findHeadEnd = (buffer: Buffer): number => {
  const at = buffer.indexOf(headEnd)
  return at === -1 ? -1 : at + headEnd.byteLength
}

/** Reads a request head (request line and header lines); undefined when it is not HTTP/1.x. */
export const parseHead = (bytes: Buffer): Head | undefined => {
  const lines = bytes.toString("latin1").split("\r\n")
  const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? "")
  if (requestLine === null) return undefined
  const headers: Record<string, string> = {}
  const rawHeaders: Array<string> = []
  for (const line of lines.slice(1)) {
    if (line === "") continue
    const colon = line.indexOf(":")
    if (colon <= 0) return undefined
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    rawHeaders.push(name, value)
    const key = name.toLowerCase()
    const previous = headers[key]
    headers[key] = previous === undefined ? value : `${previous}, ${value}`
  }
  return { method: requestLine[1]!, target: requestLine[2]!, headers, rawHeaders }
}

/**
 * Reads one request body, chunk framing removed. `feed` returns how many
 * bytes of `input` belong to this body, or -1 on a framing error.
 */
export class BodyReader {
  /** Whether the whole body has been read. */
  done: boolean
  private remaining: number
  private readonly chunked: boolean
  private state: "size" | "data" | "dataEnd" | "trailer" = "size"
  private line = ""

  private constructor(chunked: boolean, length: number) {
    this.chunked = chunked
    this.remaining = length
    this.done = !chunked && length === 0
  }

  /** The reader for a head's framing, or undefined when the framing is invalid. */
  static of(head: Head): BodyReader | undefined {
    const encoding = head.headers["transfer-encoding"]
    if (encoding !== undefined) return encoding.toLowerCase() === "chunked" ? new BodyReader(true, 0) : undefined
    const length = head.headers["content-length"]
    if (length === undefined) return new BodyReader(false, 0)
    if (!/^\d{1,15}$/.test(length)) return undefined
    return new BodyReader(false, Number(length))
  }

  /** Hands the body bytes of `input` to `onData`; how many bytes were the body's, or -1 on a framing error. */
  feed(input: Buffer, onData: (chunk: Buffer) => void): number {
    if (!this.chunked) {
      const take = Math.min(this.remaining, input.byteLength)
      if (take > 0) onData(input.subarray(0, take))
      this.remaining -= take
      this.done = this.remaining === 0
      return take
    }
    let offset = 0
    while (offset < input.byteLength && !this.done) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.byteLength - offset)
        onData(input.subarray(offset, offset + take))
        offset += take
        this.remaining -= take
        if (this.remaining === 0) this.state = "dataEnd"
        continue
      }
      // The line states: size line, the CRLF after data, trailer lines.
      const newline = input.indexOf(0x0a, offset)
      const end = newline === -1 ? input.byteLength : newline + 1
      this.line += input.subarray(offset, end).toString("latin1")
      offset = end
      if (this.line.length > 4096) return -1
      if (newline === -1) break
      const line = this.line.replace(/\r?\n$/, "")
      this.line = ""
      if (this.state === "size") {
        const size = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(line)
        if (size === null) return -1
        this.remaining = parseInt(size[1]!, 16)
        this.state = this.remaining === 0 ? "trailer" : "data"
      } else if (this.state === "dataEnd") {
        if (line !== "") return -1
        this.state = "size"
      } else if (line === "") {
        this.done = true
      }
    }
    return offset
  }
}

/** A status line and header lines, with the blank line, as bytes. */
export const responseHead = (
  status: number,
  headers: ReadonlyArray<readonly [string, string]>,
  options: { readonly terminated?: boolean } = {}
): Buffer => {
  let head = `HTTP/1.1 ${status} ${Http.STATUS_CODES[status] ?? "Unknown"}\r\n`
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`
  if (options.terminated !== false) head += "\r\n"
  return Buffer.from(head, "latin1")
}
