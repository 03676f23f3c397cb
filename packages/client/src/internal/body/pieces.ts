/**
 * Bodies made of bytes and files from disk (`Body.file`, `Multipart.body`
 * with `Multipart.file` parts), described piece by piece for a transport
 * that reads files itself. Every body keeps its Effect stream too, which
 * any other transport reads.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Body from "../../Body.js"

/**
 * One piece of a body: bytes, or a file by path with the size it was
 * measured at and the file system it was measured on.
 *
 * @internal
 */
export type Piece =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "File"; readonly path: string; readonly size: number; readonly fileSystem: FileSystem.FileSystem }

/** @internal */
export type FilePiece = Extract<Piece, { readonly _tag: "File" }>

const piecesOfBody = new WeakMap<Body.Body, ReadonlyArray<Piece>>()

/**
 * The pieces of a body, when it is made only of bytes and measured files
 * (a body with a stream part has none: only its own stream can read it).
 *
 * @internal
 */
export const piecesOf = (body: Body.Body): ReadonlyArray<Piece> | undefined => piecesOfBody.get(body)

/** Records what `body` is made of. @internal */
export const describe = (body: Body.Body, pieces: ReadonlyArray<Piece>): void => {
  piecesOfBody.set(body, pieces)
}

/** Bytes per read from a file, on every path. @internal */
export const readSize = 256 * 1024

/**
 * Why a file cannot be sent as measured: its size changed since then, so
 * the request's length would be wrong or the server would get a truncated
 * file.
 *
 * @internal
 */
export const sizeChanged = (size: number): Error =>
  new Error(`the file's size changed since it was measured for the request (${size} bytes then)`)

/** A file measured now: its size, and the file system it was measured on. @internal */
export const measure = (path: string): Effect.Effect<FilePiece, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fileSystem = yield* FileSystem.FileSystem
    const info = yield* fileSystem.stat(path)
    return { _tag: "File", path, size: Number(info.size), fileSystem }
  })

/** A file's bytes through its file system's stream, as every Effect path reads them. @internal */
export const read = (fileSystem: FileSystem.FileSystem, path: string): Stream.Stream<Uint8Array, PlatformError.PlatformError> =>
  fileSystem.stream(path, { chunkSize: readSize, bufferSize: 4 })

/**
 * A file's stream, failing unless it yields exactly `size` bytes. The chunk
 * that reaches `size` is held until the stream ends there, so a grown file
 * fails before its last measured byte is sent (once the declared length
 * arrived, the server may answer).
 *
 * @internal
 */
export const exactly = (stream: Stream.Stream<Uint8Array, unknown>, size: number): Stream.Stream<Uint8Array, unknown> =>
  Stream.suspend(() => {
    let read = 0
    let held = Chunk.empty<Uint8Array>()
    return Stream.concat(
      Stream.mapChunksEffect(stream, (chunk) => {
        for (const bytes of chunk) read += bytes.byteLength
        if (read > size) return Effect.fail(sizeChanged(size))
        if (read < size) return Effect.succeed(chunk)
        held = chunk
        return Effect.succeed(Chunk.empty<Uint8Array>())
      }),
      Stream.suspend(() => (read < size ? Stream.fail(sizeChanged(size)) : Stream.fromChunk(held)))
    )
  })

/** @internal */
export const file = (
  path: string,
  options: { readonly contentType?: string } = {}
): Effect.Effect<Body.Body, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.map(measure(path), (piece) => {
    const body: Body.Body = {
      _tag: "Stream",
      make: () => exactly(read(piece.fileSystem, path), piece.size),
      contentType: options.contentType ?? "application/octet-stream",
      contentLength: piece.size,
      replayable: true
    }
    describe(body, [piece])
    return body
  })
