/**
 * Reading a response body: decoded, under the size limit, in full, as a
 * prefix, or dropped. The bytes come from the transport's reader, which
 * keeps the hop's timers running (receive between chunks, the deadline).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as ContentDecoder from "../../ContentDecoder.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import * as Bytes from "@courier/core/Bytes"
import * as ContentCoding from "@courier/core/ContentCoding"
import type * as Transport from "../../Transport.js"
import * as Failure from "../core/failure.js"
import { reportProgress } from "./progress.js"

const excerptLength = 512

/** @internal */
export type BodyError = Transport.BodyError

/** The head of a response, as the reads below need it. */
type Head = Pick<Transport.Response, "status" | "headers">

/** Whether the answer to `request` carries no body whatever its headers say (RFC 9110 6.4.1). @internal */
export const hasNoBody = (request: CourierRequest.CourierRequest, status: number): boolean =>
  ContentCoding.hasNoBody(request.method, status)

/** The content codings to undo on a response: none when it has no body. @internal */
export const responseCodings = (request: CourierRequest.CourierRequest, response: Head): Array<string> =>
  hasNoBody(request, response.status) ? [] : ContentCoding.codings(response.headers["content-encoding"])

/** The response body as a stream of decoded bytes, under the size limit. @internal */
export const bodyStream = (
  request: CourierRequest.CourierRequest,
  response: Transport.Response,
  decoder: ContentDecoder.Decoder,
  limit: number
): Stream.Stream<Uint8Array, BodyError> => {
  const toFailure = (error: unknown) => Failure.fromTransport(request, error, request.timeouts.connect)
  let stream: Stream.Stream<Uint8Array, unknown> = response.raw
  const encoding = response.headers["content-encoding"]
  const encodings = responseCodings(request, response)
  for (let i = encodings.length - 1; i >= 0; i--) {
    const decoded = decoder.decode(encodings[i], stream)
    if (decoded === undefined) break
    stream = Stream.mapError(
      decoded,
      (cause) => CourierError.isCourierError(cause) ? cause : new Failure.ContentDecodingFailure(cause)
    )
  }
  const out: Stream.Stream<Uint8Array, BodyError> = encodings.length === 0
    ? response.raw
    : Stream.mapError(stream, toFailure)
  let seen = 0
  const progress = request.onDownloadProgress
  const declared = response.headers["content-length"]
  const total = declared === undefined || encoding !== undefined ? undefined : Number(declared)
  return Stream.mapChunksEffect(out, (chunk) => {
    Chunk.forEach(chunk, (bytes) => {
      seen += bytes.byteLength
    })
    if (seen > limit) {
      return Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
    }
    return progress === undefined ? Effect.succeed(chunk) : Effect.as(reportProgress(progress, seen, total), chunk)
  })
}

/** Bytes as they came are the body: no content coding to undo, nobody watching progress. */
const readsRaw = (request: CourierRequest.CourierRequest, response: Head): boolean =>
  request.onDownloadProgress === undefined && responseCodings(request, response).length === 0

/** Reads a body in full; a declared length over the limit fails before any read. @internal */
export const readAll = (
  request: CourierRequest.CourierRequest,
  response: Transport.Response,
  decoder: ContentDecoder.Decoder,
  limit: number
): Effect.Effect<Uint8Array, BodyError> => {
  // The content-length of a HEAD, 204, 205 or 304 answer describes no body (RFC 9110 8.6):
  // a HEAD on a large file must not fail as if its body were buffered.
  const hasBody = !hasNoBody(request, response.status) && response.status !== 205
  const declared = response.headers["content-length"]
  if (
    hasBody && declared !== undefined && Number(declared) > limit && response.headers["content-encoding"] === undefined
  ) {
    return Effect.zipRight(
      response.discard,
      Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
    )
  }
  if (readsRaw(request, response)) return response.readAll(limit)
  // Gathered as they come, not as a list of pieces: a decoder can hand out
  // a piece per byte, each far larger in memory than its byte.
  return Effect.suspend(() => {
    const collected = new Bytes.Collector()
    return Effect.map(
      Stream.runForEachChunk(bodyStream(request, response, decoder, limit), (chunk) =>
        Effect.sync(() => Chunk.forEach(chunk, (bytes) => collected.push(bytes)))),
      () => collected.bytes()
    )
  })
}

/** Reads at most `limit` bytes and stops (dropping the socket if more was coming). Never fails. @internal */
export const readPrefix = (
  request: CourierRequest.CourierRequest,
  response: Transport.Response,
  decoder: ContentDecoder.Decoder,
  limit: number
): Effect.Effect<Uint8Array> => {
  if (readsRaw(request, response)) return response.readPrefix(limit)
  return streamPrefix(bodyStream(request, response, decoder, Number.MAX_SAFE_INTEGER), limit)
}

/**
 * At most `limit` bytes of `stream`, reading no further; whatever fails or
 * ends the stream early ends the prefix there. Never fails.
 *
 * @internal
 */
export const streamPrefix = <E>(stream: Stream.Stream<Uint8Array, E>, limit: number): Effect.Effect<Uint8Array> =>
  Effect.suspend(() => {
    const collected = new Bytes.Collector()
    return stream.pipe(
      Stream.takeUntil((bytes) => {
        const room = limit - collected.size
        collected.push(bytes.byteLength > room ? bytes.subarray(0, room) : bytes)
        return collected.size >= limit
      }),
      Stream.runDrain,
      Effect.ignore,
      Effect.map(() => collected.bytes())
    )
  })

const textDecoder = new TextDecoder()

/** A short, printable excerpt of a body for failures. @internal */
export const excerpt = (bytes: Uint8Array): string => {
  // eslint-disable-next-line no-control-regex
  const text = textDecoder.decode(bytes.subarray(0, excerptLength * 4)).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?")
  return text.length > excerptLength ? text.slice(0, excerptLength) + "…" : text
}
