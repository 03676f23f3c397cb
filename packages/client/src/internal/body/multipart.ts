import * as Framing from "@courier/core/Multipart"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Body from "../../Body.js"
import type * as Multipart from "../../Multipart.js"
import * as Pieces from "./pieces.js"
import * as Bytes from "@courier/core/Bytes"

const encoder = new TextEncoder()

/** @internal */
export const boundary = Framing.boundary

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
  // The bytes of a field or of a part from memory; undefined for a file or a stream.
  const inMemory: Array<Uint8Array | undefined> = []
  const described: Array<Framing.PartHead> = []
  let replayable = true
  for (const part of parts) {
    const bytes = part._tag === "Field"
      ? encoder.encode(part.value)
      : part.source._tag === "Bytes"
      ? part.source.bytes
      : undefined
    inMemory.push(bytes)
    if (part._tag === "File" && part.source._tag === "Stream") replayable = false
    described.push({
      name: part.name,
      file: part._tag === "File" ? { filename: part.filename, contentType: part.contentType } : undefined,
      size: part._tag === "File" && part.source._tag !== "Bytes" ? part.source.size : bytes!.byteLength
    })
  }
  const framing = Framing.frame(described)
  if (typeof framing === "string") return framing
  const { heads, crlf, tail, contentType } = framing
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
  const body: Body.Body = { _tag: "Stream", make, contentType, contentLength: framing.length, replayable }
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
