import * as Context from "effect/Context"
import type * as ContentDecoderNs from "../../ContentDecoder.js"

/**
 * The content decoder in context; the default decodes nothing (what `fetch`
 * needs, as it decodes `gzip`, `deflate` and `br` itself).
 *
 * @since 0.1.0
 */
export class ContentDecoder extends Context.Reference<ContentDecoder>()("@courier/client/ContentDecoder", {
  defaultValue: (): ContentDecoderNs.Decoder => ({ acceptEncoding: undefined, decode: () => undefined })
}) {}
