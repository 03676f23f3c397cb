import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Zlib from "node:zlib"
import type * as ContentDecoder from "../../ContentDecoder.js"

const decoders: Record<string, () => Zlib.Gunzip | Zlib.Inflate | Zlib.BrotliDecompress> = {
  gzip: () => Zlib.createGunzip(),
  "x-gzip": () => Zlib.createGunzip(),
  // "deflate" is zlib-wrapped per the RFC, but some servers send it raw: unzip detects both.
  deflate: () => Zlib.createUnzip() as unknown as Zlib.Inflate,
  br: () => Zlib.createBrotliDecompress()
}

/** @internal */
export const zlibDecoder: ContentDecoder.Decoder = {
  acceptEncoding: "gzip, deflate, br",
  decode: (encoding, body) => {
    const make = decoders[encoding]
    return make === undefined ? undefined : NodeStream.pipeThroughDuplex(body, make, (error) => error)
  }
}
