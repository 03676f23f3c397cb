import * as Lines from "@courier/core/Lines"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"

/**
 * Splits UTF-8 bytes into lines (LF, CRLF or CR), with `@courier/core`'s
 * splitter. A line longer than `maxLineBytes` (in UTF-8 bytes, terminator
 * excluded) fails the stream with `onTooLong()`, after the lines before it,
 * whether it arrived whole in one chunk or is still growing.
 *
 * @internal
 */
export const splitLines = <E, E2>(
  self: Stream.Stream<Uint8Array, E>,
  maxLineBytes: number,
  onTooLong: () => E2
): Stream.Stream<string, E | E2> =>
  Stream.suspend(() => {
    const splitter = Lines.makeSplitter(maxLineBytes)
    const emit = (cut: Lines.Cut): Stream.Stream<string, E2> => {
      const out = Stream.fromChunk(Chunk.unsafeFromArray(cut.lines as Array<string>))
      return cut.tooLong ? Stream.concat(out, Stream.fail(onTooLong())) : out
    }
    return self.pipe(
      Stream.chunks,
      Stream.flatMap((chunks) => emit(splitter.push(chunks))),
      Stream.concat(Stream.suspend(() => emit(splitter.end())))
    )
  })
