/**
 * Downloads to a file. The body streams to a temporary file in the
 * destination's folder (`.<name>.<random>.part`), which is renamed into
 * place only when the whole body arrived and matched its length. On any
 * failure or interruption the temporary file is removed and the
 * destination is left untouched: a truncated body is never a success.
 *
 * - It writes only to the path the caller gave. A `Content-Disposition`
 *   filename is used only when asked (`path` is then a folder), and
 *   sanitised: no folders, no `..`, no leading dots, no control characters,
 *   at most 200 bytes.
 * - When the connection breaks mid-body and the server has a strong
 *   validator (an ETag not marked weak, or Last-Modified), it resumes with
 *   `Range` and `If-Range`; a `206` whose `Content-Range` starts where the
 *   file ends is appended, a `200` (the resource changed, or ranges are not
 *   supported) starts over, and any other answer is dropped and the whole
 *   body asked for again. A content-coded (compressed) body is never
 *   resumed: ranges would count its coded bytes, the file holds decoded ones.
 * - The receive timeout applies between chunks and the total timeout to the
 *   whole download (raise it for large files); `maxResponseBytes`, when
 *   given, caps the file; interruption cancels it.
 *
 * @example
 * ```ts
 * import { CourierClient, Download } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // Needs a FileSystem (NodeContext.layer).
 * const fetchReport = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   const result = yield* Download.toFile(client, "/reports/{id}", {
 *     params: { id: 42 },
 *     path: "./report.pdf",
 *     onProgress: (progress) => Effect.logDebug(`${progress.transferred} of ${progress.total ?? "?"} bytes`),
 *     timeouts: { total: "10 minutes" }
 *   })
 *   return `${result.bytes} bytes, resumed ${result.resumes} times`
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import type * as Effect from "effect/Effect"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import * as internal from "./internal/body/download.js"

/**
 * Bytes moved so far, and the total when known.
 *
 * @since 0.1.0
 */
export type Progress = CourierClient.Progress

/**
 * The options of the GET, without `acceptStatus`: only a 2xx body is
 * ever written to the file.
 *
 * @since 0.1.0
 */
export interface Options extends Omit<CourierClient.RequestOptions, "acceptStatus"> {
  /** The destination file, or the folder when `useContentDisposition` is set. */
  readonly path: string
  /** Called as bytes arrive (an Effect; its failures and defects are ignored). */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /**
   * Name the file after the server's `Content-Disposition`, sanitised, in the
   * folder `path`. Default false. A file of that name already there is never
   * replaced: the download fails with a `SystemError` (`AlreadyExists`).
   */
  readonly useContentDisposition?: boolean | undefined
  /** How many times a broken transfer is resumed. Default 3; 0 turns resuming off. */
  readonly maxResumes?: number | undefined
}

/**
 * What a finished download wrote.
 *
 * @since 0.1.0
 */
export interface Result {
  readonly path: string
  readonly bytes: number
  readonly contentType: string | undefined
  /** How many times the transfer was resumed with `Range`. */
  readonly resumes: number
}

/**
 * Downloads `url` (GET) to a file.
 *
 * @since 0.1.0
 */
export const toFile: (
  client: CourierClient.Service,
  url: string,
  options: Options
) => Effect.Effect<Result, CourierError.CourierError | PlatformError.PlatformError, FileSystem.FileSystem> =
  internal.toFile

/**
 * The filename a `Content-Disposition` header suggests, made safe to join
 * to a folder, or undefined when it names none or nothing safe is left.
 * `filename*` (RFC 8187, UTF-8 or ISO-8859-1) wins over `filename`; a name
 * over 200 bytes of UTF-8 is cut, keeping a short extension.
 *
 * @since 0.1.0
 */
export const safeFilename: (contentDisposition: string | undefined) => string | undefined = internal.safeFilename
