/**
 * `multipart/form-data` bodies: fields and files, several files under one
 * key, a filename and content type per part. Files from a path are streamed
 * from disk (never read whole) and read again for every attempt, so a
 * request carrying them can be retried or replayed after a refresh; a
 * part from a one-shot stream makes the request non-replayable.
 *
 * The boundary is 128 random bits from the platform's cryptographic source,
 * new for every request. Names and filenames are escaped as browsers do
 * (`"` as `%22`, CR as `%0D`, LF as `%0A`), and `\` as `%5C` (a quoted-string
 * parser such as busboy would read it as an escape); a name or filename with another
 * control character (but tab), a content type with a control character, or
 * any header text containing the boundary, is refused with
 * `RequestRefused("InvalidBody")` before anything is sent.
 *
 * @example
 * ```ts
 * import { CourierClient, Multipart } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // Needs a FileSystem (NodeContext.layer) for the file read from disk.
 * const upload = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   return yield* client.post("/upload", {
 *     body: Multipart.body([
 *       Multipart.field("title", "Quarterly report"),
 *       Multipart.bytes("notes", new TextEncoder().encode("see attached"), { filename: "notes.txt", contentType: "text/plain" }),
 *       yield* Multipart.file("attachment", "./report.pdf", { contentType: "application/pdf" })
 *     ]),
 *     onUploadProgress: (progress) => Effect.logDebug(`${progress.transferred} of ${progress.total} bytes`)
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Body from "./Body.js"
import * as internal from "./internal/body/multipart.js"

/**
 * Where a file part's bytes come from.
 *
 * @since 0.1.0
 */
export type Source =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | {
    readonly _tag: "Path"
    readonly path: string
    readonly size: number
    readonly open: (path: string) => Stream.Stream<Uint8Array, unknown>
  }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, unknown>; readonly size: number | undefined }

/**
 * One part.
 *
 * @since 0.1.0
 */
export type Part =
  | { readonly _tag: "Field"; readonly name: string; readonly value: string }
  | {
    readonly _tag: "File"
    readonly name: string
    readonly filename: string
    readonly contentType: string
    readonly source: Source
  }

/**
 * A text field.
 *
 * @since 0.1.0
 */
export const field = (name: string, value: string | number | boolean): Part => ({
  _tag: "Field",
  name,
  value: String(value)
})

/**
 * A file part from bytes in memory.
 *
 * @since 0.1.0
 */
export const bytes = (
  name: string,
  bytes: Uint8Array,
  options: { readonly filename?: string; readonly contentType?: string } = {}
): Part => ({
  _tag: "File",
  name,
  filename: options.filename ?? "blob",
  contentType: options.contentType ?? "application/octet-stream",
  source: { _tag: "Bytes", bytes }
})

/**
 * A file part streamed from disk, read again for every attempt. Its size is
 * read now, so the body gets a `Content-Length` (on the node transport:
 * `fetch` sends every streamed body chunked); the filename defaults to the
 * path's last segment. A file whose size changed by the time it is sent
 * fails the call with `Network` (`reason: "RequestBody"`). The Node
 * transport reads a file measured on Node's own file system with `node:fs`
 * directly; any other file system is read through its `stream`.
 *
 * @since 0.1.0
 */
export const file: (
  name: string,
  path: string,
  options?: { readonly filename?: string; readonly contentType?: string }
) => Effect.Effect<Part, PlatformError.PlatformError, FileSystem.FileSystem> = internal.file

/**
 * A file part from a one-shot stream: the request cannot be replayed.
 *
 * @since 0.1.0
 */
export const stream = (
  name: string,
  stream: Stream.Stream<Uint8Array, unknown>,
  options: { readonly filename?: string; readonly contentType?: string; readonly size?: number } = {}
): Part => ({
  _tag: "File",
  name,
  filename: options.filename ?? "blob",
  contentType: options.contentType ?? "application/octet-stream",
  source: { _tag: "Stream", stream, size: options.size }
})

/**
 * The multipart body of these parts, in order.
 *
 * @since 0.1.0
 */
export const body = (parts: ReadonlyArray<Part>): Body.Body => ({ _tag: "Multipart", parts })

/**
 * A fresh boundary: `courier-` and 32 hex digits from `crypto.getRandomValues`.
 *
 * @since 0.1.0
 */
export const boundary: () => string = internal.boundary
