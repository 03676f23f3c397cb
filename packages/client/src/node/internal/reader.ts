/**
 * The readers of a body buffered by a `Handler`: whole, a prefix, chunk by
 * chunk, or dropped. No Effect `Stream` in the way of the buffered reads.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { plain } from "@courier/core/Bytes"
import { type Handler, interrupted, stoppedReading } from "./handler.js"

/** Reads the whole body; `onLimit` builds the failure past `limit` bytes. */
/** @internal */
export const readAll = <E>(
  handler: Handler,
  limit: number,
  onLimit: () => E,
  onError: (error: unknown) => E
): Effect.Effect<Uint8Array, E> =>
  Effect.async<Uint8Array, E>((resume) => {
    if (handler.failed) return resume(Effect.fail(onError(handler.failure)))
    const collected = handler.takeCollector()
    if (collected.size > limit) {
      const error = onLimit()
      handler.fail(error)
      return resume(Effect.fail(error))
    }
    if (handler.ended) return resume(Effect.succeed(collected.bytes()))
    let exceeded: E | undefined
    handler.sink = {
      data: (chunk) => {
        if (collected.size + chunk.byteLength <= limit) return collected.push(chunk)
        exceeded = onLimit()
        handler.fail(exceeded)
      },
      end: () => resume(Effect.succeed(collected.bytes())),
      error: (error) => resume(Effect.fail(exceeded ?? onError(error)))
    }
    handler.flow()
    return Effect.sync(() => handler.fail(interrupted))
  })

/** Reads at most `limit` bytes; never fails (a failure ends the prefix). */
/** @internal */
export const readPrefix = (handler: Handler, limit: number): Effect.Effect<Uint8Array> =>
  Effect.async<Uint8Array>((resume) => {
    const collected = handler.takeCollector()
    const done = () => resume(Effect.succeed(collected.bytes().subarray(0, limit)))
    if (collected.size >= limit || handler.failed || handler.ended) {
      if (!handler.ended) handler.fail(stoppedReading)
      return done()
    }
    handler.sink = {
      data: (chunk) => {
        // Only what fits is kept: the rest of the chunk is dropped with the socket.
        const room = limit - collected.size
        collected.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk)
        if (collected.size >= limit) handler.fail(stoppedReading)
      },
      end: done,
      error: done
    }
    handler.flow()
    return Effect.sync(() => handler.fail(interrupted))
  })

/** The body chunk by chunk: each pull takes what is buffered or waits for the next chunk. */
/** @internal */
export const rawStream = <E>(handler: Handler, onError: (error: unknown) => E): Stream.Stream<Uint8Array, E> => {
  const pull = Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<E>>((resume) => {
    if (handler.buffered > 0) {
      const chunks = handler.take()
      handler.flow()
      return resume(Effect.succeed(Chunk.unsafeFromArray(chunks)))
    }
    if (handler.failed) return resume(Effect.fail(Option.some(onError(handler.failure))))
    if (handler.ended) return resume(Effect.fail(Option.none()))
    handler.sink = {
      data: (chunk) => {
        handler.sink = undefined
        resume(Effect.succeed(Chunk.of(plain(chunk))))
      },
      end: () => {
        handler.sink = undefined
        resume(Effect.fail(Option.none()))
      },
      error: (error) => {
        handler.sink = undefined
        resume(Effect.fail(Option.some(onError(error))))
      }
    }
    handler.flow()
    return Effect.sync(() => {
      handler.sink = undefined
    })
  })
  return Stream.ensuring(
    Stream.repeatEffectChunkOption(pull),
    Effect.sync(() => handler.fail(stoppedReading))
  )
}

/** @internal */
export const discard = (handler: Handler): Effect.Effect<void> => Effect.sync(() => handler.fail(stoppedReading))

