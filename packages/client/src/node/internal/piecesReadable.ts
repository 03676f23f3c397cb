/**
 * A body of bytes and files from disk (`Body.file`, a multipart body of
 * `Multipart.file` parts) as the Node `Readable` undici sends, each file
 * read with `node:fs` straight into it.
 *
 * The generic path reads a file through Effect's `FileSystem` stream (a
 * queue and a channel step per read), then through the stream stages and
 * the Effect-to-Node adapter: about twice raw undici's CPU for a large
 * upload. Here a read is one `fs.read` callback and one `push`, and
 * the send timer, upload progress, replay (a new `Readable` per attempt)
 * and the size check behave as on the generic path.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import * as fs from "node:fs"
import { Readable } from "node:stream"
import type * as Body from "../../Body.js"
import * as Failure from "../../internal/core/failure.js"
import * as Pieces from "../../internal/body/pieces.js"

/** Bytes waiting for the socket before reading pauses. */
const highWaterMark = 1024 * 1024

let nodeOpen: FileSystem.FileSystem["open"] | undefined

/**
 * Whether a file was measured on Node's own file system: only then is its
 * path a file this process can open (a test's in-memory file system, say,
 * keeps the generic path, which reads through it).
 */
const onNodeFileSystem = (fileSystem: FileSystem.FileSystem): boolean => {
  nodeOpen ??= Effect.runSync(Effect.provide(FileSystem.FileSystem, NodeFileSystem.layer)).open
  return fileSystem.open === nodeOpen
}

/**
 * The pieces of a request body this module can send, if it can.
 *
 * @internal
 */
export const piecesOf = (body: Body.Body): ReadonlyArray<Pieces.Piece> | undefined => {
  const pieces = Pieces.piecesOf(body)
  return pieces !== undefined && pieces.every((piece) => piece._tag === "Bytes" || onNodeFileSystem(piece.fileSystem))
    ? pieces
    : undefined
}

/** @internal */
export interface Hooks {
  /** The first byte is asked for: the send timer starts. */
  readonly started: () => void
  /** The last byte was handed on: the receive timer starts. */
  readonly ended: () => void
  /** Reports the bytes handed on so far, in the caller's runtime; reading waits for it, as on the generic path. */
  readonly progress:
    | { readonly runtime: Runtime.Runtime<never>; readonly report: (transferred: number) => Effect.Effect<void> }
    | undefined
}


const noop = () => {}

class PiecesReadable extends Readable {
  private index = 0
  /** The open file of the current piece. */
  private fd: number | undefined = undefined
  /** Bytes of the current file read so far. */
  private offset = 0
  /** An `fs` call or a progress report is in flight. */
  private busy = false
  private wanted = false
  private started = false
  private transferred = 0
  /** The progress report in flight. */
  private reporting: Fiber.RuntimeFiber<void> | undefined = undefined
  /** `_destroy`'s callback, waiting for the call in flight. */
  private closing: ((error?: Error | null) => void) | undefined = undefined
  private closingError: Error | null = null

  constructor(private readonly pieces: ReadonlyArray<Pieces.Piece>, private readonly hooks: Hooks) {
    super({ highWaterMark })
  }

  override _read(): void {
    if (!this.started) {
      this.started = true
      this.hooks.started()
    }
    this.wanted = true
    this.pump()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closing = callback
    this.closingError = error
    if (!this.busy) this.release()
    else this.reporting?.unsafeInterruptAsFork(FiberId.none)
  }

  private pump(): void {
    while (this.wanted && !this.busy && !this.destroyed) {
      const piece = this.pieces[this.index]
      if (piece === undefined) {
        this.wanted = false
        this.hooks.ended()
        this.push(null)
        return
      }
      if (piece._tag === "Bytes") {
        this.index++
        this.deliver(piece.bytes)
      } else if (this.fd === undefined) {
        this.openFile(piece)
      } else {
        this.readFile(piece, this.fd)
      }
    }
  }

  /** An async step finished: go on, or finish closing. */
  private proceed(): void {
    this.busy = false
    if (this.destroyed) this.release()
    else this.pump()
  }

  private fail(cause: unknown): void {
    this.busy = false
    this.destroy(new Failure.BodySourceFailure(cause))
  }

  private release(): void {
    const fd = this.fd
    const callback = this.closing ?? noop
    this.fd = undefined
    this.closing = undefined
    if (fd === undefined) return callback(this.closingError)
    fs.close(fd, () => callback(this.closingError))
  }

  private openFile(piece: Pieces.FilePiece): void {
    this.busy = true
    fs.open(piece.path, "r", (error, fd) => {
      if (error !== null) return this.destroyed ? this.proceed() : this.fail(error)
      this.fd = fd
      this.offset = 0
      this.proceed()
    })
  }

  private readFile(piece: Pieces.FilePiece, fd: number): void {
    const remaining = piece.size - this.offset
    // The read meant to reach the end asks for one byte more: the file must
    // end there, and a grown file fails before its last measured byte is
    // sent (once the declared length arrived, the server may answer).
    const last = remaining <= Pieces.readSize
    const want = last ? remaining + 1 : Pieces.readSize
    const buffer = Buffer.allocUnsafeSlow(want)
    this.busy = true
    fs.read(fd, buffer, 0, want, this.offset, (error, read) => {
      if (this.destroyed) return this.proceed()
      if (error !== null) return this.fail(error)
      if (read > remaining || (read === 0 && remaining > 0)) return this.fail(Pieces.sizeChanged(piece.size))
      this.offset += read
      if (this.offset === piece.size) {
        this.fd = undefined
        this.index++
        fs.close(fd, noop)
      }
      this.busy = false
      if (read > 0) this.deliver(read === buffer.byteLength ? buffer : buffer.subarray(0, read))
      if (!this.busy) this.pump()
    })
  }

  private deliver(bytes: Uint8Array): void {
    this.transferred += bytes.byteLength
    if (!this.push(bytes)) this.wanted = false
    const progress = this.hooks.progress
    if (progress === undefined) return
    this.busy = true
    let synchronous = true
    const fiber = Runtime.runFork(progress.runtime)(progress.report(this.transferred))
    fiber.addObserver(() => {
      this.reporting = undefined
      if (synchronous) this.busy = false
      else this.proceed()
    })
    if (this.busy) this.reporting = fiber
    synchronous = false
  }
}

/**
 * The body as a `Readable`, read anew for every attempt.
 *
 * @internal
 */
export const toReadable = (pieces: ReadonlyArray<Pieces.Piece>, hooks: Hooks): Readable =>
  new PiecesReadable(pieces, hooks)
