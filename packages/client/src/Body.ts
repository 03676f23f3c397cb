/**
 * Request bodies. A body is plain data until a request is sent, and each
 * attempt (a retry, a redirect, a replay after a token refresh) builds its
 * bytes again from it. Only `stream` is one-shot: a request carrying it is
 * never replayed.
 *
 * @example
 * ```ts
 * import { Body, CourierClient } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * const calls = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   yield* client.post("/posts", { body: Body.json({ title: "Hello", tags: ["a", "b"] }) })
 *   yield* client.post("/session", { body: Body.form({ user: "demo", remember: true }), responseType: "none" })
 *   yield* client.put("/notes/{id}", { params: { id: 1 }, body: Body.text("plain text"), responseType: "none" })
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as Make from "./internal/body/make.js"
import * as Pieces from "./internal/body/pieces.js"
import type * as Multipart from "./Multipart.js"
import type * as Url from "./Url.js"

/**
 * A request body.
 *
 * @since 0.1.0
 */
export type Body = Empty | Json | Text | Bytes | Form | MultipartBody | StreamBody

/**
 * @since 0.1.0
 */
export interface Empty {
  readonly _tag: "Empty"
}

/**
 * A value serialised with `JSON.stringify` when the request is prepared,
 * after encoding it with `schema` when there is one.
 *
 * @since 0.1.0
 */
export interface Json {
  readonly _tag: "Json"
  readonly value: unknown
  /** Encodes `value` (its Type) to what is serialised (its Encoded). */
  readonly schema?: Schema.Schema<unknown, unknown, never> | undefined
}

/**
 * @since 0.1.0
 */
export interface Text {
  readonly _tag: "Text"
  readonly text: string
  readonly contentType: string
}

/**
 * @since 0.1.0
 */
export interface Bytes {
  readonly _tag: "Bytes"
  readonly bytes: Uint8Array
  readonly contentType: string
}

/**
 * `application/x-www-form-urlencoded`, serialised like a query.
 *
 * @since 0.1.0
 */
export interface Form {
  readonly _tag: "Form"
  readonly fields: Url.Query
}

/**
 * `multipart/form-data`; built with the `Multipart` module.
 *
 * @since 0.1.0
 */
export interface MultipartBody {
  readonly _tag: "Multipart"
  readonly parts: ReadonlyArray<Multipart.Part>
}

/**
 * A streamed body. `replayable` says whether `make` may be called again
 * for another attempt.
 *
 * @since 0.1.0
 */
export interface StreamBody {
  readonly _tag: "Stream"
  readonly make: () => Stream.Stream<Uint8Array, unknown>
  readonly contentType: string
  readonly contentLength: number | undefined
  readonly replayable: boolean
}

/**
 * No body.
 *
 * @since 0.1.0
 */
export const empty: Body = { _tag: "Empty" }

/**
 * A JSON body (`content-type: application/json`). A value that cannot be
 * serialised (a cycle, a bigint) fails the request with
 * `RequestRefused("InvalidBody")`.
 *
 * With `schema`, the value is first encoded by it (a `Date` to its ISO
 * string, a class to its fields, a branded or transformed value to its
 * wire form), before any I/O. A value the schema does not accept fails
 * the request with `RequestRefused("InvalidBody")` whose detail names the
 * path of each issue (never the value, which may be a secret).
 *
 * @example
 * ```ts
 * import { Body, CourierClient } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 *
 * const NewEvent = Schema.Struct({ title: Schema.String, at: Schema.Date })
 *
 * // Sends {"title":"launch","at":"2030-01-01T00:00:00.000Z"}.
 * const create = Effect.flatMap(CourierClient.CourierClient, (client) =>
 *   client.post("/events", {
 *     body: Body.json({ title: "launch", at: new Date("2030-01-01T00:00:00Z") }, { schema: NewEvent }),
 *     responseType: "none"
 *   }))
 * ```
 *
 * @since 0.1.0
 */
export const json: {
  (value: unknown): Body
  <A, I>(value: NoInfer<A>, options: { readonly schema: Schema.Schema<A, I, never> }): Body
} = Make.json

/**
 * A text body, `text/plain; charset=utf-8` unless told otherwise.
 *
 * @since 0.1.0
 */
export const text = (text: string, contentType = "text/plain; charset=utf-8"): Body => ({
  _tag: "Text",
  text,
  contentType
})

/**
 * A byte body, `application/octet-stream` unless told otherwise.
 *
 * @since 0.1.0
 */
export const bytes = (bytes: Uint8Array, contentType = "application/octet-stream"): Body => ({
  _tag: "Bytes",
  bytes,
  contentType
})

/**
 * A URL-encoded form. Values and arrays follow the query rules.
 *
 * @since 0.1.0
 */
export const form: (fields: Url.Query) => Body = Make.form

/**
 * A one-shot stream: it can be sent once, so a request carrying it is never
 * retried, redirected with its body, or replayed after a refresh.
 *
 * @since 0.1.0
 */
export const stream = (
  stream: Stream.Stream<Uint8Array, unknown>,
  options: { readonly contentType?: string; readonly contentLength?: number } = {}
): Body => ({
  _tag: "Stream",
  make: () => stream,
  contentType: options.contentType ?? "application/octet-stream",
  contentLength: options.contentLength,
  replayable: false
})

/**
 * A stream built anew for every attempt (a file read again, say), so the
 * request can be retried and replayed.
 *
 * @since 0.1.0
 */
export const replayableStream = (
  make: () => Stream.Stream<Uint8Array, unknown>,
  options: { readonly contentType?: string; readonly contentLength?: number } = {}
): Body => ({
  _tag: "Stream",
  make,
  contentType: options.contentType ?? "application/octet-stream",
  contentLength: options.contentLength,
  replayable: true
})

/**
 * A file from disk as the whole body (a `PUT` to a presigned storage URL,
 * say). An Effect: the file's size is read now and sent as the
 * `Content-Length` (on the node transport: `fetch` sends every streamed body
 * chunked). The file is streamed, never read whole, and read again for
 * every attempt, so the request can be retried and replayed; if its size
 * changed by the time it is sent, the call fails with `Network`
 * (`reason: "RequestBody"`). Needs a `FileSystem` (`NodeContext.layer`).
 *
 * @example
 * ```ts
 * import { Body, CourierClient } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * const upload = (presignedPath: string) =>
 *   Effect.gen(function*() {
 *     const client = yield* CourierClient.CourierClient
 *     yield* client.put(presignedPath, {
 *       body: yield* Body.file("./backup.tar.gz", { contentType: "application/gzip" }),
 *       responseType: "none"
 *     })
 *   })
 * ```
 *
 * @since 0.1.0
 */
export const file: (
  path: string,
  options?: { readonly contentType?: string }
) => Effect.Effect<Body, PlatformError.PlatformError, FileSystem.FileSystem> = Pieces.file

/**
 * Whether the body can be sent again for another attempt.
 *
 * @since 0.1.0
 */
export const isReplayable = (body: Body): boolean =>
  body._tag === "Stream"
    ? body.replayable
    : body._tag !== "Multipart" || body.parts.every((part) => part._tag === "Field" || part.source._tag !== "Stream")
