/**
 * Text lines out of UTF-8 bytes as they arrive (NDJSON, server-sent
 * events), with a bound on how much of one line is held.
 */

const utf8Units = (c: number): number => c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3

/**
 * The length of `text` in UTF-8: 1 to 3 bytes per UTF-16 unit, a surrogate
 * pair 4 bytes for its 2 units.
 */
export const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) bytes += utf8Units(text.charCodeAt(i))
  return bytes
}

/** Whether `text` takes more than `max` bytes in UTF-8, counting only when its length cannot tell. */
const overLimit = (text: string, max: number): boolean => {
  if (text.length > max) return true
  if (text.length * 3 <= max) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    bytes += utf8Units(text.charCodeAt(i))
    if (bytes > max) return true
  }
  return false
}

/**
 * What one step of a `Splitter` gives: the lines completed, and whether a
 * line went over the limit. The lines before the one too long are still
 * there; after `tooLong` the splitter is not to be used again.
 */
export interface Cut {
  readonly lines: ReadonlyArray<string>
  readonly tooLong: boolean
}

/** Splits bytes into lines, chunk by chunk. */
export interface Splitter {
  /** The lines these bytes complete. */
  readonly push: (chunks: Iterable<Uint8Array>) => Cut
  /** The last line, when the bytes did not end with a line terminator. */
  readonly end: () => Cut
}

/**
 * A splitter of UTF-8 bytes into lines (LF, CRLF or CR). A line longer than
 * `maxLineBytes` (in UTF-8 bytes, terminator excluded) is reported as
 * `tooLong`, whether it arrived whole in one chunk or is still growing: at
 * most that much of an unfinished line is held, so a server cannot grow it
 * forever. A CRLF split across two chunks is one terminator.
 */
export const makeSplitter = (maxLineBytes: number): Splitter => {
  const decoder = new TextDecoder()
  let pending = ""
  let lastWasCR = false
  const cut = (text: string, flush: boolean): Cut => {
    const lines: Array<string> = []
    let start = 0
    // A whole line can arrive in one chunk: each one is checked, not only what is left over.
    const complete = (line: string): boolean => {
      if (overLimit(line, maxLineBytes)) return false
      lines.push(line)
      return true
    }
    let ok = true
    for (let i = 0; ok && i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 10) {
        if (lastWasCR && i === start) {
          // the LF of a CRLF split across two chunks
          start = i + 1
          lastWasCR = false
          continue
        }
        ok = complete(pending + text.slice(start, i))
        pending = ""
        start = i + 1
        lastWasCR = false
      } else if (c === 13) {
        ok = complete(pending + text.slice(start, i))
        pending = ""
        if (text.charCodeAt(i + 1) === 10) i++
        start = i + 1
        lastWasCR = i + 1 >= text.length && text.charCodeAt(i) === 13
      } else {
        lastWasCR = false
      }
    }
    if (ok) {
      pending += text.slice(start)
      if (flush && pending !== "") {
        ok = complete(pending)
        pending = ""
      }
      ok = ok && !overLimit(pending, maxLineBytes)
    }
    return { lines, tooLong: !ok }
  }
  return {
    push: (chunks) => {
      let text = ""
      for (const bytes of chunks) text += decoder.decode(bytes, { stream: true })
      return cut(text, false)
    },
    end: () => cut(decoder.decode(), true)
  }
}
