import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Body from "../../Body.js"
import type * as Multipart from "../../Multipart.js"
import * as Pieces from "./pieces.js"
import * as Bytes from "@courier/core/Bytes"
import * as Headers from "@courier/core/Headers"

const encoder = new TextEncoder()

/** @internal */
export const boundary = (): string => {
  const random = new Uint8Array(16)
  crypto.getRandomValues(random)
  let hex = ""
  for (const byte of random) hex += byte.toString(16).padStart(2, "0")
  return `courier-${hex}`
}

// eslint-disable-next-line no-control-regex
const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

// The escaping browsers apply to names and filenames in form-data (WHATWG HTML),
// plus `\` as %5C: parsers that read the value as an RFC quoted-string (busboy,
// behind multer and fastify) take `\\` for one backslash and a trailing `\` for
// an escaped closing quote, which silently drops the part.
const escape = (s: string): string =>
  s.replace(/\\/g, "%5C").replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/**
 * The measurement of each part `file` made: a transport that reads files
 * itself (the Node one) sends it from there.
 */
const measured = new WeakMap<Multipart.Source, Pieces.FilePiece>()

/** @internal */
export const file = (
  name: string,
  path: string,
  options: { readonly filename?: string; readonly contentType?: string } = {}
) =>
  Effect.map(Pieces.measure(path), (piece) => {
    const slash = path.lastIndexOf("/")
    const source: Multipart.Source = {
      _tag: "Path",
      path,
      size: piece.size,
      open: (p) => Pieces.read(piece.fileSystem, p)
    }
    measured.set(source, piece)
    const part: Multipart.Part = {
      _tag: "File",
      name,
      filename: options.filename ?? (slash >= 0 ? path.slice(slash + 1) : path),
      contentType: options.contentType ?? "application/octet-stream",
      source
    }
    return part
  })

/**
 * Serialises the parts: the body as a stream built anew per attempt, its
 * length when every part's is known, and whether it can be replayed. A
 * string result is why the parts are refused.
 *
 * @internal
 */
export const serialise = (
  parts: ReadonlyArray<Multipart.Part>
): { readonly body: Body.Body; readonly contentType: string } | string => {
  const mark = boundary()
  const heads: Array<Uint8Array> = []
  // The bytes of a field or of a part from memory; undefined for a file or a stream.
  const inMemory: Array<Uint8Array | undefined> = []
  let length: number | undefined = 0
  let replayable = true
  for (const [index, part] of parts.entries()) {
    if (typeof part.name !== "string") return "a multipart part name must be a string"
    // CR and LF are escaped; any other control character but tab makes the
    // part head malformed (parsers such as busboy reject the whole body).
    if (control.test(part.name) || (part._tag === "File" && control.test(part.filename))) {
      return `a multipart part name or filename contains a control character (part ${index + 1})`
    }
    let head = `--${mark}\r\nContent-Disposition: form-data; name="${escape(part.name)}"`
    if (part._tag === "File") {
      if (!Headers.isFieldValue(part.contentType) || part.contentType.trim() === "") {
        return `the content type of part ${JSON.stringify(escape(part.name))} is empty or contains a control character`
      }
      head += `; filename="${escape(part.filename)}"\r\nContent-Type: ${part.contentType}`
    }
    head += "\r\n\r\n"
    if (head.includes(mark, mark.length + 2)) return "a multipart name or content type contains the boundary"
    heads.push(encoder.encode(head))
    const bytes = part._tag === "Field"
      ? encoder.encode(part.value)
      : part.source._tag === "Bytes"
      ? part.source.bytes
      : undefined
    inMemory.push(bytes)
    const size = part._tag === "File" && part.source._tag !== "Bytes" ? part.source.size : bytes!.byteLength
    if (part._tag === "File" && part.source._tag === "Stream") replayable = false
    length = length === undefined || size === undefined ? undefined : length + heads[heads.length - 1].byteLength + size + 2
  }
  const tail = encoder.encode(`--${mark}--\r\n`)
  if (length !== undefined) length += tail.byteLength
  const crlf = encoder.encode("\r\n")
  const make = (): Stream.Stream<Uint8Array, unknown> =>
    Stream.flatMap(
      Stream.fromIterable(parts.map((part, i) => [part, heads[i], inMemory[i]] as const)),
      ([part, head, bytes]) => {
        const content: Stream.Stream<Uint8Array, unknown> = part._tag === "Field" || part.source._tag === "Bytes"
          ? Stream.succeed(bytes!)
          : part.source._tag === "Path"
          ? Pieces.exactly(part.source.open(part.source.path), part.source.size)
          : part.source.stream
        return Stream.concat(Stream.concat(Stream.succeed(head), content), Stream.succeed(crlf))
      }
    ).pipe(Stream.concat(Stream.succeed(tail)))
  const contentType = `multipart/form-data; boundary=${mark}`
  const body: Body.Body = { _tag: "Stream", make, contentType, contentLength: length, replayable }
  const pieces = piecesFor(parts, heads, inMemory, crlf, tail)
  if (pieces !== undefined) Pieces.describe(body, pieces)
  return { body, contentType }
}

/** Bytes below this size are joined with their neighbours; larger ones are not copied. */
const joinBelow = 64 * 1024

/** The pieces of the body, unless a part can only be read by its own stream. */
const piecesFor = (
  parts: ReadonlyArray<Multipart.Part>,
  heads: ReadonlyArray<Uint8Array>,
  inMemory: ReadonlyArray<Uint8Array | undefined>,
  crlf: Uint8Array,
  tail: Uint8Array
): ReadonlyArray<Pieces.Piece> | undefined => {
  const pieces: Array<Pieces.Piece> = []
  let pending: Array<Uint8Array> = []
  const flush = () => {
    if (pending.length === 0) return
    pieces.push({ _tag: "Bytes", bytes: Bytes.concat(pending) })
    pending = []
  }
  const bytes = (bytes: Uint8Array) => {
    if (bytes.byteLength < joinBelow) return pending.push(bytes)
    flush()
    // In views of one read's size, so progress and the send timer see them advance.
    for (let i = 0; i < bytes.byteLength; i += Pieces.readSize) {
      pieces.push({ _tag: "Bytes", bytes: bytes.subarray(i, i + Pieces.readSize) })
    }
  }
  for (const [index, part] of parts.entries()) {
    pending.push(heads[index])
    const content = inMemory[index]
    if (content !== undefined) bytes(content)
    else {
      const piece = part._tag === "File" && part.source._tag === "Path" ? measured.get(part.source) : undefined
      if (piece === undefined) return undefined
      flush()
      pieces.push(piece)
    }
    pending.push(crlf)
  }
  pending.push(tail)
  flush()
  return pieces
}
