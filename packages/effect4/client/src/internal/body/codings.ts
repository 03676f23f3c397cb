/**
 * Content codings undone with node's zlib. A buffered body is decoded in one
 * step per coding with `maxOutputLength`, so a small compressed body that
 * expands past the limit (a decompression bomb) stops at the limit instead
 * of filling memory.
 */
import * as zlib from "node:zlib"

/** Codings this client decodes, as sent in `accept-encoding`. @internal */
export const acceptEncoding = "gzip, deflate, br"

/** Whether a coding is one this client decodes. @internal */
export const isSupported = (coding: string): boolean =>
  coding === "gzip" || coding === "x-gzip" || coding === "deflate" || coding === "br"

/** Raised when a stage's output would pass the limit. @internal */
export class TooLarge {
  readonly _tag = "TooLarge"
}

const tooLarge = (error: unknown): boolean =>
  error instanceof RangeError || (typeof error === "object" && error !== null &&
    (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")

/**
 * Undoes `codings` (in the order the server applied them) on `bytes`, each
 * stage's output capped at `limit` bytes. Throws `TooLarge` past the limit,
 * or zlib's error on a corrupt body.
 *
 * @internal
 */
export const decodeAll = (bytes: Uint8Array, codings: ReadonlyArray<string>, limit: number): Uint8Array => {
  let current: Uint8Array = bytes
  const options = { maxOutputLength: Math.max(1, limit + 1) }
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!
    try {
      switch (coding) {
        case "gzip":
        case "x-gzip":
          current = zlib.gunzipSync(current, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH })
          break
        case "deflate":
          // Servers send zlib-wrapped and raw deflate alike under this name.
          current = current.byteLength > 0 && (current[0]! & 0x0f) === 8
            ? zlib.inflateSync(current, options)
            : zlib.inflateRawSync(current, options)
          break
        case "br":
          current = zlib.brotliDecompressSync(current, options)
          break
        default:
          return current
      }
    } catch (error) {
      if (tooLarge(error)) throw new TooLarge()
      throw error
    }
    if (current.byteLength > limit) throw new TooLarge()
  }
  return current
}

/**
 * A streaming decoder chain for `codings`: write the raw bytes into `input`,
 * read the decoded ones from `output`. Undefined when a coding is not one
 * this client decodes (the body is then handed on as it came).
 *
 * @internal
 */
export const decoderChain = (
  codings: ReadonlyArray<string>
): { readonly input: NodeJS.WritableStream & zlib.Zlib; readonly output: zlib.Zlib & NodeJS.ReadableStream; readonly all: ReadonlyArray<zlib.Zlib & NodeJS.ReadWriteStream> } | undefined => {
  if (codings.length === 0 || !codings.every(isSupported)) return undefined
  const stages: Array<zlib.Zlib & NodeJS.ReadWriteStream> = []
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!
    stages.push(
      coding === "br"
        ? zlib.createBrotliDecompress()
        : coding === "deflate"
        ? zlib.createInflate()
        : zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })
    )
  }
  for (let i = 0; i < stages.length - 1; i++) stages[i]!.pipe(stages[i + 1]!)
  return { input: stages[0]!, output: stages[stages.length - 1]!, all: stages }
}
