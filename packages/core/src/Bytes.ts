/**
 * Byte arrays as every transport hands them on.
 */

/** A plain Uint8Array view (undici hands out Buffers), so every transport returns the same type. */
export const plain = (bytes: Uint8Array): Uint8Array =>
  bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * The chunks as one array: a lone chunk as it is (a plain view), several
 * copied into one. `size`, when the caller counted it already, saves a pass.
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

/** Chunks at least this large, that own most of their memory, are kept as they are. */
const keepAsIs = 16 * 1024
/** The largest block small chunks are copied into. */
const maxBlock = 64 * 1024
const minBlock = 1024

/**
 * Body bytes gathered chunk by chunk at about their size in memory. A parser
 * hands out one view per chunk of the wire (a chunked body of one-byte
 * chunks is one view per byte), each about a hundred bytes of object and
 * each holding on to the socket read it came from: kept in an array, 4 MB
 * took 500 MB. Small chunks, and views on a much larger buffer, are copied
 * into blocks that grow with the body up to 64 KiB; large chunks that own
 * their buffer are kept without a copy. A body that is one chunk (most
 * answers) is kept as that chunk: one view costs nothing worth a copy.
 */
export class Collector {
  private parts: Array<Uint8Array> = []
  private block: Uint8Array | undefined = undefined
  private used = 0
  /** The first chunk, as it came, until a second one arrives. */
  private first: Uint8Array | undefined = undefined
  /** Bytes gathered so far. */
  size = 0

  push(chunk: Uint8Array): void {
    const n = chunk.byteLength
    if (n === 0) return
    if (this.size === 0) {
      this.size = n
      this.first = chunk
      return
    }
    if (this.first !== undefined) {
      const first = this.first
      this.first = undefined
      this.add(first)
    }
    this.size += n
    this.add(chunk)
  }

  /** Files a chunk (already counted in `size`) as a part of its own or into the block. */
  private add(chunk: Uint8Array): void {
    const n = chunk.byteLength
    if (n >= keepAsIs && n * 2 >= chunk.buffer.byteLength) {
      this.seal()
      this.parts.push(plain(chunk))
      return
    }
    if (this.block !== undefined && this.block.byteLength - this.used < n) this.seal()
    if (this.block === undefined) {
      // Grows with the body: a small answer does not pay for a 64 KiB block.
      this.block = new Uint8Array(Math.max(n, Math.min(maxBlock, Math.max(minBlock, this.size))))
      this.used = 0
    }
    this.block.set(chunk, this.used)
    this.used += n
  }

  /** Everything gathered, as chunks, and starts over. */
  take(): Array<Uint8Array> {
    if (this.first !== undefined) {
      const first = plain(this.first)
      this.first = undefined
      this.size = 0
      return [first]
    }
    this.seal()
    const parts = this.parts
    this.parts = []
    this.size = 0
    return parts
  }

  /** Everything gathered as one array. */
  bytes(): Uint8Array {
    const size = this.size
    const parts = this.take()
    return parts.length === 0 ? new Uint8Array(0) : concat(parts, size)
  }

  private seal(): void {
    if (this.block === undefined) return
    // A block mostly empty (taken early by a stream's reader) is copied out: a
    // reader keeping the pieces would otherwise keep every block whole.
    if (this.used > 0) {
      this.parts.push(this.used * 2 >= this.block.byteLength ? this.block.subarray(0, this.used) : this.block.slice(0, this.used))
    }
    this.block = undefined
    this.used = 0
  }
}
