import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { json, pathInt } from "./http.js"

/** @internal The largest file `/files/:size` serves: 4 GiB. */
export const maxFileSize = 4 * 1024 * 1024 * 1024

const chunkSize = 64 * 1024

// The content repeats with period 256 (the byte at offset `o` is `o % 256`),
// so every chunk is a view into this one buffer and nothing grows with size.
let pattern: Uint8Array | undefined
const patternBlock = (): Uint8Array => pattern ??= Uint8Array.from({ length: chunkSize + 256 }, (_, i) => i % 256)

/** @internal The bytes `[start, end)` of any demo file, generated as they are pulled. */
export const content = (start: number, end: number): Stream.Stream<Uint8Array> =>
  Stream.unfold(start, (position) => {
    if (position >= end) return Option.none()
    const length = Math.min(chunkSize, end - position)
    const offset = position % 256
    return Option.some([patternBlock().subarray(offset, offset + length), position + length] as const)
  })

/** @internal The etag depends only on the size: the content is a function of it. */
export const etag = (size: number): string => `"demo-file-${size}"`

type Selection =
  | { readonly _tag: "Full" }
  | { readonly _tag: "Partial"; readonly start: number; readonly end: number }
  | { readonly _tag: "Unsatisfiable" }

const full: Selection = { _tag: "Full" }

/**
 * RFC 9110 section 14: one `bytes=N-`, `bytes=N-M` or `bytes=-SUFFIX` range.
 * A header we do not understand (several ranges, other units) is ignored, as
 * the RFC allows, and so is a Range whose `If-Range` does not match the
 * current etag: the client's partial copy is of another representation.
 */
const select = (
  range: string | undefined,
  ifRange: string | undefined,
  tag: string,
  size: number
): Selection => {
  if (range === undefined) return full
  if (ifRange !== undefined && ifRange.trim() !== tag) return full
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
  if (match === null) return full
  const [, first = "", last = ""] = match
  if (first === "") {
    if (last === "") return full
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return { _tag: "Unsatisfiable" }
    return { _tag: "Partial", start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(first)
  if (last !== "" && Number(last) < start) return full
  if (start >= size) return { _tag: "Unsatisfiable" }
  const end = last === "" ? size : Math.min(Number(last) + 1, size)
  return { _tag: "Partial", start, end }
}

const download = Effect.gen(function*() {
  const size = yield* pathInt("size", 0, maxFileSize, "BadRequest")
  const request = yield* HttpServerRequest.HttpServerRequest
  const tag = etag(size)
  const headers = {
    "accept-ranges": "bytes",
    "etag": tag,
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="file-${size}.bin"`
  }
  const selection = select(request.headers["range"], request.headers["if-range"], tag, size)
  switch (selection._tag) {
    case "Full":
      return HttpServerResponse.stream(content(0, size), {
        headers: { ...headers, "content-length": String(size) }
      })
    case "Partial":
      return HttpServerResponse.stream(content(selection.start, selection.end), {
        status: 206,
        headers: {
          ...headers,
          "content-length": String(selection.end - selection.start),
          "content-range": `bytes ${selection.start}-${selection.end - 1}/${size}`
        }
      })
    case "Unsatisfiable":
      return json({ error: "range not satisfiable" }, 416, {
        "accept-ranges": "bytes",
        "etag": tag,
        "content-range": `bytes */${size}`
      })
  }
})

/**
 * @internal
 * `GET /files/:size`; `HEAD` comes from the router (it falls back to the GET
 * route) and the Node server, which sends the head and never pulls the body.
 */
export const router = HttpRouter.empty.pipe(HttpRouter.get("/files/:size", download))
