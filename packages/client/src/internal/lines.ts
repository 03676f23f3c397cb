import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/**
 * Splits UTF-8 bytes into lines (LF, CRLF or CR), holding at most
 * `maxLineBytes` of an unfinished line so a server cannot grow it forever.
 * Fails with `onTooLong()` past that.
 *
 * @internal
 */
export const splitLines = <E, E2>(
  self: Stream.Stream<Uint8Array, E>,
  maxLineBytes: number,
  onTooLong: () => E2
): Stream.Stream<string, E | E2> =>
  Stream.suspend(() => {
    const decoder = new TextDecoder()
    let pending = ""
    let lastWasCR = false
    const cut = (text: string, flush: boolean): Effect.Effect<Chunk.Chunk<string>, E2> => {
      const lines: Array<string> = []
      let start = 0
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === 10) {
          if (lastWasCR && i === start) {
            // the LF of a CRLF split across two chunks
            start = i + 1
            lastWasCR = false
            continue
          }
          lines.push(pending + text.slice(start, i))
          pending = ""
          start = i + 1
          lastWasCR = false
        } else if (c === 13) {
          lines.push(pending + text.slice(start, i))
          pending = ""
          if (text.charCodeAt(i + 1) === 10) i++
          start = i + 1
          lastWasCR = i + 1 >= text.length && text.charCodeAt(i) === 13
        } else {
          lastWasCR = false
        }
      }
      pending += text.slice(start)
      if (flush && pending !== "") {
        lines.push(pending)
        pending = ""
      }
      // Characters of UTF-16 may be fewer than bytes; this bounds memory all the same.
      if (pending.length > maxLineBytes) return Effect.fail(onTooLong())
      return Effect.succeed(Chunk.unsafeFromArray(lines))
    }
    return self.pipe(
      Stream.mapChunksEffect((chunks) => {
        let text = ""
        Chunk.forEach(chunks, (bytes) => {
          text += decoder.decode(bytes, { stream: true })
        })
        return cut(text, false)
      }),
      Stream.concat(Stream.unwrap(Effect.suspend(() => Effect.map(cut(decoder.decode(), true), Stream.fromChunk))))
    )
  })
