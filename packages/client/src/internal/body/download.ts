import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Download from "../../Download.js"
import { decodeDuration } from "../core/config.js"
import * as ContentCoding from "@courier/core/ContentCoding"
import { redactText } from "@courier/core/Url"

const dirname = (path: string): string => {
  const i = path.lastIndexOf("/")
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i)
}
const basename = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

const utf8 = new TextEncoder()

/** Percent-decodes an RFC 8187 value in its charset; undefined when malformed or in another charset. */
const decodeExtended = (charset: string, value: string): string | undefined => {
  if (!/^(?:[^%]|%[0-9a-fA-F]{2})*$/.test(value)) return undefined
  switch (charset.toLowerCase()) {
    case "utf-8":
      try {
        return decodeURIComponent(value)
      } catch {
        return undefined
      }
    case "iso-8859-1":
      return value.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    default:
      return undefined
  }
}

/**
 * Cuts `name` to `max` bytes of UTF-8 at a character boundary, keeping a
 * short extension.
 */
const cutTo = (name: string, max: number): string => {
  if (utf8.encode(name).byteLength <= max) return name
  const dot = name.lastIndexOf(".")
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : ""
  let budget = max - utf8.encode(extension).byteLength
  let stem = ""
  for (const char of extension === "" ? name : name.slice(0, dot)) {
    budget -= utf8.encode(char).byteLength
    if (budget < 0) break
    stem += char
  }
  return stem + extension
}

/**
 * The longest name kept: the temporary file adds 15 bytes to it (a dot, a
 * dot and 8 hex digits, `.part`) and most file systems stop at 255.
 */
const maxNameBytes = 200

/** @internal */
export const safeFilename = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  let name: string | undefined
  // Parameter names and charsets are case-insensitive, and a language tag may sit between the quotes (RFC 6266, 8187).
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^\s';]+)'[^']*'([^;\s]*)/i.exec(header)
  if (extended !== null) name = decodeExtended(extended[1], extended[2])
  if (name === undefined) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header)
    if (plain !== null) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2].trim()
  }
  if (name === undefined) return undefined
  // Only the last segment, whichever slash the server used; no control
  // characters; no leading dots (no "..", no hidden files).
  const last = name.split(/[\\/]/).pop() ?? ""
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\x00-\x1f\x7f]/g, "").replace(/^[.\s]+/, "").trim()
  return cleaned === "" ? undefined : cutTo(cleaned, maxNameBytes)
}

const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/

interface Progressed {
  written: number
  total: number | undefined
  validator: string | undefined
  resumes: number
  /** The response whose body nobody has started reading, if any. */
  unread: CourierResponse.CourierResponse | undefined
}

/** Whether a body is content-coded: the transport hands out decoded bytes, so its lengths and ranges are not the file's. */
const isEncoded = (response: CourierResponse.CourierResponse): boolean =>
  ContentCoding.isEncoded(response.headers["content-encoding"])

/**
 * Gives up a body nobody will read. It is started and stopped at once, so
 * the transport aborts it and closes the connection, instead of the socket
 * staying taken until the response is garbage-collected.
 */
const discard = (response: CourierResponse.CourierResponse): Effect.Effect<void> =>
  response.body._tag === "Streaming"
    ? Effect.ignore(Effect.timeout(Stream.runDrain(Stream.take(response.body.stream, 1)), "1 millis"))
    : Effect.void

/** @internal */
export const toFile = (client: CourierClient.Service, url: string, options: Download.Options) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // `acceptStatus` is dropped even when an untyped caller passes it: an error page is never the file.
    const { acceptStatus: _accept, maxResumes = 3, onProgress, path, useContentDisposition = false, ...request } =
      options as Download.Options & { readonly acceptStatus?: unknown }
    const limit = options.maxResponseBytes
    const state: Progressed = { written: 0, total: undefined, validator: undefined, resumes: 0, unread: undefined }
    const report = onProgress === undefined
      ? Effect.void
      : Effect.suspend(() => Effect.catchAllCause(onProgress({ transferred: state.written, total: state.total }), () => Effect.void))

    const first = yield* client.streamingResponse("GET", url, request)
    state.unread = first
    const target = useContentDisposition
      ? `${path.replace(/\/+$/, "")}/${safeFilename(first.headers["content-disposition"]) ?? "download"}`
      : path
    const dir = dirname(target)
    const tmp = `${dir}/.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.part`

    const tooLarge = (response: CourierResponse.CourierResponse) =>
      new CourierError.LimitExceeded({ request: response.request.info, reason: "ResponseTooLarge", limit: limit ?? 0 })

    /** Writes one response's body at the file's current end; fails like the body does. */
    const pump = (file: FileSystem.File, response: CourierResponse.CourierResponse) =>
      Effect.suspend(() => {
        state.unread = undefined
        return pumpBody(file, response)
      })
    const pumpBody = (file: FileSystem.File, response: CourierResponse.CourierResponse) =>
      response.body._tag === "Buffered"
        ? Effect.zipRight(file.writeAll(response.body.bytes), Effect.sync(() => {
          state.written += response.body._tag === "Buffered" ? response.body.bytes.byteLength : 0
        }))
        : Stream.runForEach(response.body.stream, (bytes) =>
          Effect.suspend((): Effect.Effect<void, CourierError.LimitExceeded | PlatformError.PlatformError> => {
            state.written += bytes.byteLength
            if (limit !== undefined && state.written > limit) return Effect.fail(tooLarge(response))
            return Effect.zipRight(file.writeAll(bytes), report)
          }))

    const begin = (response: CourierResponse.CourierResponse) => {
      const length = response.headers["content-length"]
      const encoded = isEncoded(response)
      state.total = length === undefined || encoded ? undefined : Number(length)
      // Ranges count the bytes of the coded body, the file holds decoded ones: a compressed body is
      // never resumed. If-Range takes only a strong validator (RFC 9110 13.1.5): never a weak ETag.
      const etag = response.headers["etag"]
      state.validator = encoded
        ? undefined
        : etag !== undefined && !etag.startsWith("W/")
        ? etag
        : response.headers["last-modified"]
      if (limit !== undefined && state.total !== undefined && state.total > limit) return Effect.fail(tooLarge(response))
      return Effect.void
    }

    const resumable = (error: unknown) =>
      error instanceof CourierError.Network && (error.reason === "ConnectionReset" || error.reason === "IncompleteBody") &&
      state.validator !== undefined && state.written > 0 && state.resumes < maxResumes

    const transfer = (file: FileSystem.File, response: CourierResponse.CourierResponse): Effect.Effect<
      void,
      CourierError.CourierError | PlatformError.PlatformError
    > =>
      Effect.catchIf(pump(file, response), resumable, () =>
        Effect.gen(function*() {
          state.resumes += 1
          let next = yield* client.streamingResponse("GET", url, {
            ...request,
            headers: { ...request.headers, range: `bytes=${state.written}-`, "if-range": state.validator! }
          })
          state.unread = next
          const range = next.status === 206 ? contentRange.exec(next.headers["content-range"] ?? "") : null
          if (range !== null && Number(range[1]) === state.written && (state.total === undefined || range[3] === String(state.total))) {
            return yield* transfer(file, next)
          }
          if (next.status !== 200) {
            // A 206 of another range (the server ignored If-Range, or a cache answered) is a
            // piece of some representation, not the file: written from byte 0 it would pass the
            // length check as a whole, corrupt file. It is dropped and the whole body asked for.
            state.unread = undefined
            yield* discard(next)
            next = yield* client.streamingResponse("GET", url, request)
            state.unread = next
          }
          // Not a continuation of what we have: start over from the first byte.
          yield* file.truncate(0)
          yield* file.seek(0, "start")
          state.written = 0
          yield* begin(next)
          return yield* transfer(file, next)
        }))

    // The file is closed when this scope ends, before the rename.
    const download = Effect.scoped(Effect.flatMap(
      fs.open(tmp, { flag: "wx", mode: 0o644 }),
      (file) =>
        Effect.gen(function*() {
          yield* begin(first)
          yield* report
          yield* transfer(file, first)
          yield* file.sync
          if (state.total !== undefined && state.written !== state.total) {
            return yield* Effect.fail(
              new CourierError.Network({
                request: first.request.info,
                reason: "IncompleteBody",
                code: undefined,
                cause: `received ${state.written} of ${state.total} bytes`
              })
            )
          }
        })
    ))

    // A name the server chose never replaces a file that is already there
    // (curl -J, CVE-2020-8177): a hard link fails when the target exists,
    // atomically, where a rename would replace it.
    const place = useContentDisposition
      ? Effect.zipRight(fs.link(tmp, target), fs.remove(tmp))
      : fs.rename(tmp, target)
    yield* Effect.onExit(
      Effect.zipRight(download, place),
      (exit) => {
        if (Exit.isSuccess(exit)) return Effect.void
        const unread = state.unread
        state.unread = undefined
        // A failure before a body was read (over the limit, the file not created) gives it up.
        return Effect.zipRight(unread === undefined ? Effect.void : discard(unread), Effect.ignore(fs.remove(tmp)))
      }
    )
    const result: Download.Result = {
      path: target,
      bytes: state.written,
      contentType: first.headers["content-type"],
      resumes: state.resumes
    }
    return result
  }).pipe((effect) => {
    // A value that is not a duration is refused by the first request (InvalidOption).
    const total = options.timeouts?.total === undefined
      ? client.config.timeouts.total
      : decodeDuration(options.timeouts.total)
    return total !== undefined && Duration.isFinite(total)
      ? Effect.timeoutFail(effect, {
        duration: total,
        onTimeout: () =>
          new CourierError.Timeout({
            request: { method: "GET", url: redactText(url, client.config) },
            phase: "total",
            duration: total
          })
      })
      : effect
  })
