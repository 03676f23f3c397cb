import * as Duration from "effect/Duration"
import * as Zlib from "node:zlib"
import type * as Reply from "../Reply.js"

const encoder = new TextEncoder()

const toBytes = (body: string | Uint8Array): Uint8Array => typeof body === "string" ? encoder.encode(body) : body

/** @internal */
export const mergeHeaders = (
  defaults: Readonly<Record<string, string>>,
  headers: Reply.Headers | undefined
): Reply.Headers => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const [name, value] of Object.entries(defaults)) out[name.toLowerCase()] = value
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  }
  return out
}

const respond = (
  status: number,
  defaults: Readonly<Record<string, string>>,
  body: Uint8Array,
  options: Reply.Options | undefined
): Reply.Respond => ({
  _tag: "Respond",
  status: options?.status ?? status,
  headers: mergeHeaders({ ...defaults, "content-length": String(body.byteLength) }, options?.headers),
  body
})

/** @internal */
export const json = (body: unknown, options?: Reply.Options): Reply.Respond =>
  // JSON.stringify(undefined) is undefined; an absent value is sent as JSON null.
  respond(200, { "content-type": "application/json" }, encoder.encode(JSON.stringify(body) ?? "null"), options)

/** @internal */
export const text = (body: string, options?: Reply.Options): Reply.Respond =>
  respond(200, { "content-type": "text/plain; charset=utf-8" }, encoder.encode(body), options)

/** @internal */
export const bytes = (body: Uint8Array, options?: Reply.Options): Reply.Respond =>
  respond(200, { "content-type": "application/octet-stream" }, body, options)

/** @internal */
export const status = (code: number, options?: Omit<Reply.Options, "status">): Reply.Respond =>
  respond(code, {}, new Uint8Array(0), options)

/** @internal */
export const empty: Reply.Respond = {
  _tag: "Respond",
  status: 204,
  headers: {},
  body: new Uint8Array(0)
}

/** @internal */
export const redirect = (
  code: 301 | 302 | 303 | 307 | 308,
  location: string,
  options?: Omit<Reply.Options, "status">
): Reply.Respond => ({
  _tag: "Respond",
  status: code,
  headers: mergeHeaders({ location, "content-length": "0" }, options?.headers),
  body: new Uint8Array(0)
})

const compress = (body: Uint8Array, encoding: Reply.Encoding): Uint8Array => {
  switch (encoding) {
    case "gzip":
      return Zlib.gzipSync(body)
    // HTTP "deflate" is the zlib format (RFC 9110 8.4.1.2), which deflateSync produces.
    case "deflate":
      return Zlib.deflateSync(body)
    case "br":
      return Zlib.brotliCompressSync(body)
  }
}

/** @internal */
export const encoded = (
  body: string | Uint8Array,
  encodings: ReadonlyArray<Reply.Encoding>,
  options?: Reply.Options
): Reply.Respond => {
  let bytes = toBytes(body)
  for (const encoding of encodings) bytes = compress(bytes, encoding)
  const defaults: Record<string, string> = {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/octet-stream"
  }
  if (encodings.length > 0) defaults["content-encoding"] = encodings.join(", ")
  return respond(200, defaults, bytes, options)
}

/** @internal */
export const gzip = (body: string | Uint8Array, options?: Reply.Options): Reply.Respond =>
  encoded(body, ["gzip"], options)

/** @internal */
export const stall: Reply.Stall = { _tag: "Stall" }

/** @internal */
export const stallAfterHeaders = (
  options?: Reply.Options & { readonly declaredLength?: number | undefined }
): Reply.StallAfterHeaders => ({
  _tag: "StallAfterHeaders",
  status: options?.status ?? 200,
  headers: mergeHeaders(
    options?.declaredLength === undefined ? {} : { "content-length": String(options.declaredLength) },
    options?.headers
  )
})

/** @internal */
export const drip = (
  options: Reply.Options & {
    readonly chunk: string | Uint8Array
    readonly interval: Duration.DurationInput
    readonly count: number
  }
): Reply.Drip => ({
  _tag: "Drip",
  status: options.status ?? 200,
  headers: mergeHeaders(
    { "content-type": typeof options.chunk === "string" ? "text/plain; charset=utf-8" : "application/octet-stream" },
    options.headers
  ),
  chunk: toBytes(options.chunk),
  interval: Duration.decode(options.interval),
  count: Math.max(0, Math.floor(options.count))
})

/** @internal */
export const closeMidBody = (
  options: Reply.Options & {
    readonly declaredLength: number
    readonly body: string | Uint8Array
  }
): Reply.CloseMidBody => {
  const declaredLength = Math.max(1, Math.floor(options.declaredLength))
  const body = toBytes(options.body)
  return {
    _tag: "CloseMidBody",
    status: options.status ?? 200,
    headers: mergeHeaders(
      {
        "content-type": typeof options.body === "string" ? "text/plain; charset=utf-8" : "application/octet-stream",
        "content-length": String(declaredLength)
      },
      options.headers
    ),
    declaredLength,
    body: body.byteLength < declaredLength ? body : body.subarray(0, declaredLength - 1)
  }
}

/** @internal */
export const reset: Reply.Reset = { _tag: "Reset" }

/** @internal */
export const ignoreBody = (reply: Reply.Reply): Reply.IgnoreBody => ({ _tag: "IgnoreBody", reply })

/** @internal */
export const stallReadingBody: Reply.IgnoreBody = ignoreBody(stall)

/** @internal */
export const sequence = (replies: ReadonlyArray<Reply.Reply>): Reply.Sequence => ({
  _tag: "Sequence",
  replies: [...replies]
})

const makeDelay = (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay => ({
  _tag: "Delay",
  duration: Duration.decode(duration),
  reply
})

/** @internal */
export const delay: {
  (duration: Duration.DurationInput): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay
} = function(duration: Duration.DurationInput, reply?: Reply.Reply) {
  // Not `dual`: dual wants the data (the reply) first in the full call; `delay` reads duration-first.
  if (reply === undefined) return (self: Reply.Reply) => makeDelay(duration, self)
  return makeDelay(duration, reply)
} as {
  (duration: Duration.DurationInput): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay
}

/** @internal */
export const echo: Reply.Echo = { _tag: "Echo" }

/** @internal */
export const custom = (handler: Reply.Handler): Reply.Custom => ({ _tag: "Custom", handler })
