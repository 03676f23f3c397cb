/**
 * Response content decoding supplied by the transport. `fetch` decodes
 * `gzip`, `deflate` and `br` itself, so the default decodes nothing; the
 * Node transport, whose undici `request` does not, provides zlib here.
 *
 * @since 0.1.0
 */
import type * as Stream from "effect/Stream"
import { ContentDecoder } from "./internal/body/contentDecoder.js"

/**
 * @since 0.1.0
 */
export interface Decoder {
  /** Sent as `accept-encoding` when the request sets none; undefined sends nothing. */
  readonly acceptEncoding: string | undefined
  /** A stream decoding one encoding, or undefined when it is not supported (the bytes pass as they are). */
  readonly decode: (
    encoding: string,
    body: Stream.Stream<Uint8Array, unknown>
  ) => Stream.Stream<Uint8Array, unknown> | undefined
}

/**
 * @since 0.1.0
 */
export { ContentDecoder }
