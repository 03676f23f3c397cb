/**
 * Byte arrays as every transport hands them on.
 */

/** A plain Uint8Array view (undici hands out Buffers), so every transport returns the same type. @internal */
export const plain = (bytes: Uint8Array): Uint8Array =>
  bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * The chunks as one array: a lone chunk as it is (a plain view), several
 * copied into one. `size`, when the caller counted it already, saves a pass.
 *
 * @internal
 */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size?: number): Uint8Array => {
  if (chunks.length === 1) return plain(chunks[0])
  const out = new Uint8Array(size ?? chunks.reduce((n, chunk) => n + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
