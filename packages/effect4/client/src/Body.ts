/**
 * Request bodies. A body is a plain value; the client serialises it when the
 * request is prepared (JSON and forms become bytes with their content type),
 * so the Layers and the transport see bytes, text or a stream.
 *
 * @example
 * ```ts
 * import { Body, CourierClient } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 *
 * const create = Effect.flatMap(CourierClient.CourierClient, (client) =>
 *   client.post("/posts", { body: Body.json({ title: "hello" }) }))
 * ```
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as Url from "@courier/core/Url"
import * as internal from "./internal/body/make.js"

/**
 * @since 0.1.0
 */
export type Body = Empty | Json | Text | Bytes | Form | Multipart | StreamBody

/** No body. @since 0.1.0 */
export interface Empty {
  readonly _tag: "Empty"
}

/** A value sent as JSON, encoded by `schema` first when given. @since 0.1.0 */
export interface Json {
  readonly _tag: "Json"
  readonly value: unknown
  readonly schema?: Schema.Codec<unknown, unknown> | undefined
}

/** @since 0.1.0 */
export interface Text {
  readonly _tag: "Text"
  readonly text: string
  readonly contentType: string
}

/** @since 0.1.0 */
export interface Bytes {
  readonly _tag: "Bytes"
  readonly bytes: Uint8Array
  readonly contentType: string
}

/** `application/x-www-form-urlencoded` fields. @since 0.1.0 */
export interface Form {
  readonly _tag: "Form"
  readonly fields: Url.Query
}

/**
 * One part of a multipart body: a text field, a file of bytes, or a file
 * whose content is a stream (`make` builds it for each sending, so the body
 * can be sent again; `size`, when known, gives the body its length).
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
    readonly bytes: Uint8Array
  }
  | {
    readonly _tag: "StreamFile"
    readonly name: string
    readonly filename: string
    readonly contentType: string
    readonly make: () => Stream.Stream<Uint8Array, unknown>
    readonly size: number | undefined
  }

/**
 * `multipart/form-data` parts. Sent as one buffer when every part is in
 * memory, as a stream (with a length when every size is known) when a part
 * is streamed.
 *
 * @since 0.1.0
 */
export interface Multipart {
  readonly _tag: "Multipart"
  readonly parts: ReadonlyArray<Part>
}

/**
 * Bytes from a stream. `make` builds the stream for one sending; a body made
 * by {@link stream} can be sent once (`replayable: false`), one made by
 * {@link replayableStream} again on a redirect or a retry.
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

/** @since 0.1.0 */
export const empty: Body = { _tag: "Empty" }

/**
 * A JSON body. With `schema`, the value (its Type) is encoded first; a value
 * that does not encode or serialise fails the call with
 * `RequestRefused("InvalidBody")`.
 *
 * @since 0.1.0
 */
export const json: {
  (value: unknown): Body
  <A, I>(value: NoInfer<A>, options: { readonly schema: Schema.Codec<A, I> }): Body
} = internal.json

/** Default content type `text/plain; charset=utf-8`. @since 0.1.0 */
export const text = (text: string, contentType = "text/plain; charset=utf-8"): Body => ({ _tag: "Text", text, contentType })

/** Default content type `application/octet-stream`. @since 0.1.0 */
export const bytes = (bytes: Uint8Array, contentType = "application/octet-stream"): Body => ({
  _tag: "Bytes",
  bytes,
  contentType
})

/** Fields serialised like a query (arrays as the client's `arrayFormat`). @since 0.1.0 */
export const form = (fields: Url.Query): Body => ({ _tag: "Form", fields })

/** A `multipart/form-data` body with a random boundary. @since 0.1.0 */
export const multipart = (parts: ReadonlyArray<Part>): Body => ({ _tag: "Multipart", parts })

/** A text field of a multipart body. @since 0.1.0 */
export const field = (name: string, value: string): Part => ({ _tag: "Field", name, value })

/** A file part of a multipart body. @since 0.1.0 */
export const filePart = (
  name: string,
  filename: string,
  bytes: Uint8Array,
  contentType = "application/octet-stream"
): Part => ({ _tag: "File", name, filename, contentType, bytes })

/**
 * A file part whose content is streamed: `make` builds the stream for each
 * sending (a redirect or a retry sends the body again).
 *
 * @since 0.1.0
 */
export const streamPart = (
  name: string,
  filename: string,
  make: () => Stream.Stream<Uint8Array, unknown>,
  options: { readonly contentType?: string; readonly size?: number } = {}
): Part => ({
  _tag: "StreamFile",
  name,
  filename,
  contentType: options.contentType ?? "application/octet-stream",
  make,
  size: options.size
})

/**
 * A one-shot stream body: it cannot be sent again, so a 307/308 redirect
 * that needs it again is refused (`RequestRefused("BodyNotReplayable")`),
 * and {@link isReplayable} tells Layers that would replay the call.
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

/** A stream body built anew for each sending, so it can be sent again. @since 0.1.0 */
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

/** Whether the body can be sent again (a redirect, a retry, a replay after refresh). @since 0.1.0 */
export const isReplayable = (body: Body): boolean => body._tag !== "Stream" || body.replayable
