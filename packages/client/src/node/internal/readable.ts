/**
 * An Effect `Stream` as the Node `Readable` undici sends a request body
 * from, reading ahead up to a high-water mark.
 *
 * The platform's adapter stops pulling after every chunk until the socket
 * took it, so the source (a file read, say) and the socket take turns. Here
 * the source is pulled while the buffer has room, and large chunks are
 * handed on in slices, so no more than the high-water mark and one slice
 * wait in memory: the send timer still sees a stalled upload.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"

const sliceSize = 256 * 1024

class StreamReadable extends Readable {
  private readonly latch = Effect.unsafeMakeLatch(false)
  private fiber: Fiber.RuntimeFiber<void, unknown> | undefined

  constructor(runtime: Runtime.Runtime<never>, stream: Stream.Stream<Uint8Array, unknown>) {
    super({ highWaterMark: 1024 * 1024 })
    // One slice at a time; when the buffer is full the rest waits for room.
    const push = (bytes: Uint8Array): Effect.Effect<void> => {
      let offset = 0
      const next: Effect.Effect<void> = Effect.suspend(() => {
        const room = this.push(bytes.subarray(offset, offset + sliceSize))
        offset += sliceSize
        if (!room) this.latch.unsafeClose()
        return offset >= bytes.byteLength ? Effect.void : this.latch.whenOpen(next)
      })
      return next
    }
    this.fiber = Runtime.runFork(runtime)(
      this.latch.whenOpen(Stream.runForEach(stream, (bytes) => this.latch.whenOpen(push(bytes))))
    )
    this.fiber.addObserver((exit) => {
      this.fiber = undefined
      if (Exit.isSuccess(exit)) this.push(null)
      else if (!Exit.isInterrupted(exit)) this.destroy(Cause.squash(exit.cause) as Error)
    })
  }

  override _read(): void {
    this.latch.unsafeOpen()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fiber = this.fiber
    if (fiber === undefined) return callback(error)
    Effect.runFork(Fiber.interrupt(fiber)).addObserver(() => callback(error))
  }
}

/** @internal */
export const toReadable = (stream: Stream.Stream<Uint8Array, unknown>): Effect.Effect<Readable> =>
  Effect.map(Effect.runtime<never>(), (runtime) => new StreamReadable(runtime, stream))
