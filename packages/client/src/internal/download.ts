import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import type * as CourierResponse from "../CourierResponse.js"
import type * as Download from "../Download.js"
import { redactText } from "./url.js"

const dirname = (path: string): string => {
  const i = path.lastIndexOf("/")
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i)
}
const basename = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

/** @internal */
export const safeFilename = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  let name: string | undefined
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (extended !== null) {
    try {
      name = decodeURIComponent(extended[1].trim())
    } catch {
      name = undefined
    }
  }
  if (name === undefined) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header)
    if (plain !== null) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2].trim()
  }
  if (name === undefined) return undefined
  // Only the last segment, whichever slash the server used; no control
  // characters; no leading dots (no "..", no hidden files).
  const last = name.split(/[\\/]/).pop() ?? ""
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\x00-\x1f\x7f]/g, "").replace(/^[.\s]+/, "").trim()
  return cleaned === "" ? undefined : cleaned.slice(0, 255)
}

const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/

interface Progressed {
  written: number
  total: number | undefined
  validator: string | undefined
  resumes: number
}

/** @internal */
export const toFile = (client: CourierClient.Service, url: string, options: Download.Options) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { maxResumes = 3, onProgress, path, useContentDisposition = false, ...request } = options
    const limit = options.maxResponseBytes
    const state: Progressed = { written: 0, total: undefined, validator: undefined, resumes: 0 }
    const report = onProgress === undefined
      ? Effect.void
      : Effect.suspend(() => Effect.catchAllCause(onProgress({ transferred: state.written, total: state.total }), () => Effect.void))

    const first = yield* client.streamingResponse("GET", url, request)
    const target = useContentDisposition
      ? `${path.replace(/\/+$/, "")}/${safeFilename(first.headers["content-disposition"]) ?? "download"}`
      : path
    const dir = dirname(target)
    const tmp = `${dir}/.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.part`

    const tooLarge = (response: CourierResponse.CourierResponse) =>
      new CourierError.LimitExceeded({ request: response.request.info, reason: "ResponseTooLarge", limit: limit ?? 0 })

    /** Writes one response's body at the file's current end; fails like the body does. */
    const pump = (file: FileSystem.File, response: CourierResponse.CourierResponse) =>
      response.body._tag === "Buffered"
        ? Effect.zipRight(file.writeAll(response.body.bytes), Effect.sync(() => {
          state.written += response.body._tag === "Buffered" ? response.body.bytes.byteLength : 0
        }))
        : Stream.runForEach(response.body.stream, (chunk) =>
          Effect.suspend((): Effect.Effect<void, CourierError.LimitExceeded | PlatformError.PlatformError> => {
            state.written += chunk.byteLength
            if (limit !== undefined && state.written > limit) return Effect.fail(tooLarge(response))
            return Effect.zipRight(file.writeAll(chunk), report)
          }))

    const begin = (response: CourierResponse.CourierResponse) => {
      const length = response.headers["content-length"]
      state.total = length === undefined || response.headers["content-encoding"] !== undefined ? undefined : Number(length)
      state.validator = response.headers["etag"] ?? response.headers["last-modified"]
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
          const next = yield* client.streamingResponse("GET", url, {
            ...request,
            headers: { ...request.headers, range: `bytes=${state.written}-`, "if-range": state.validator! }
          })
          const range = next.status === 206 ? contentRange.exec(next.headers["content-range"] ?? "") : null
          if (range !== null && Number(range[1]) === state.written && (state.total === undefined || range[3] === String(state.total))) {
            return yield* transfer(file, next)
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

    yield* Effect.onExit(
      Effect.zipRight(download, fs.rename(tmp, target)),
      (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(fs.remove(tmp))
    )
    const result: Download.Result = {
      path: target,
      bytes: state.written,
      contentType: first.headers["content-type"],
      resumes: state.resumes
    }
    return result
  }).pipe((effect) => {
    const total = options.timeouts?.total === undefined
      ? client.config.timeouts.total
      : Duration.decode(options.timeouts.total)
    return Duration.isFinite(total)
      ? Effect.timeoutFail(effect, {
        duration: total,
        onTimeout: () =>
          new CourierError.Timeout({
            request: { method: "GET", url: redactText(url, client.config.baseUrl) },
            phase: "total",
            duration: total
          })
      })
      : effect
  })
