/**
 * The request body as the transport gets it: bodies above one slice (and
 * any body whose upload progress is watched) go as a stream of 64 KiB
 * slices, so the send timeout and upload progress see the upload advance.
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as PlatformBody from "@effect/platform/HttpBody"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import type * as CourierRequest from "../../CourierRequest.js"
import * as Failure from "../core/failure.js"
import { withProgress } from "./progress.js"

/** Bodies above this size are sent as a stream, so the send timeout can see their progress. */
const chunkSize = 64 * 1024

/** A byte body sent as a stream goes in pieces of this size (each one a progress report). */
const bytesPiece = 256 * 1024

/** What a transport is told of an upload's progress through its phases (its timers). @internal */
export interface UploadPhases {
  /** The transport pulled the first bytes of the body. */
  readonly started: () => void
  /** The transport pulled the last bytes of the body. */
  readonly ended: () => void
}

/** @internal */
export interface SendWatch {
  /** The fiber the transport runs the body stream in, once it started. */
  pump: Fiber.RuntimeFiber<unknown, unknown> | undefined
}

/**
 * What a request uploads: nothing, bytes sent in one write, or a stream of
 * at most 64 KiB slices (with upload progress when it is watched) whose
 * failures are marked as the body source's.
 *
 * @internal
 */
export type UploadSource =
  | { readonly _tag: "Empty"; readonly contentType: undefined }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array; readonly contentType: string }
  | {
    readonly _tag: "Stream"
    readonly stream: Stream.Stream<Uint8Array, unknown>
    readonly contentType: string
    readonly contentLength: number | undefined
  }

const empty: UploadSource = { _tag: "Empty", contentType: undefined }

/**
 * `sliced`: whether the stream must itself hand on at most one slice at a
 * time (a transport whose adapter slices and reads ahead boundedly does not
 * need it).
 *
 * @internal
 */
export const uploadSource = (request: CourierRequest.CourierRequest, sliced = true): UploadSource => {
  const body = request.body
  const progress = request.onUploadProgress
  const slices = sliced ? oneSliceAtATime : (stream: Stream.Stream<Uint8Array, unknown>) => stream
  switch (body._tag) {
    case "Bytes": {
      if (body.bytes.byteLength <= chunkSize && progress === undefined) {
        return { _tag: "Bytes", bytes: body.bytes, contentType: body.contentType }
      }
      const length = body.bytes.byteLength
      const pieces: Array<Uint8Array> = []
      for (let i = 0; i < length; i += bytesPiece) pieces.push(body.bytes.subarray(i, i + bytesPiece))
      return {
        _tag: "Stream",
        stream: withProgress(slices(Stream.fromIterable(pieces)), progress, length),
        contentType: body.contentType,
        contentLength: length
      }
    }
    case "Stream":
      return {
        _tag: "Stream",
        stream: withProgress(
          slices(Stream.mapError(body.make(), (cause) => new Failure.BodySourceFailure(cause))),
          progress,
          body.contentLength
        ),
        contentType: body.contentType,
        contentLength: body.contentLength
      }
    // Json, Text and Form are serialised to Bytes when the request is prepared.
    default:
      return empty
  }
}

/** @internal */
export const toPlatformBody = (
  request: CourierRequest.CourierRequest,
  contentType: string | undefined,
  phases: UploadPhases
): { readonly body: HttpBody.HttpBody; readonly watch: SendWatch | undefined } => {
  const source = uploadSource(request)
  switch (source._tag) {
    case "Empty":
      return { body: PlatformBody.empty, watch: undefined }
    case "Bytes":
      return { body: PlatformBody.uint8Array(source.bytes, contentType ?? source.contentType), watch: undefined }
    case "Stream":
      return watched(source.stream, contentType ?? source.contentType, source.contentLength, phases)
  }
}

/**
 * At most `chunkSize` bytes per element and one element per Effect chunk.
 * Both transports' adapters pull a whole Effect chunk and buffer all of it
 * (`Stream.fromIterable` makes one chunk of up to 4096 elements), so without
 * this `finished` fires while megabytes still wait in memory and the send
 * timeout never sees a stalled upload.
 */
const oneSliceAtATime = (stream: Stream.Stream<Uint8Array, unknown>): Stream.Stream<Uint8Array, unknown> =>
  stream.pipe(
    Stream.mapConcat((bytes) => {
      if (bytes.byteLength <= chunkSize) return [bytes]
      const slices: Array<Uint8Array> = []
      for (let i = 0; i < bytes.byteLength; i += chunkSize) slices.push(bytes.subarray(i, i + chunkSize))
      return slices
    }),
    Stream.rechunk(1)
  )

const watched = (
  stream: Stream.Stream<Uint8Array, unknown>,
  contentType: string,
  contentLength: number | undefined,
  phases: UploadPhases
): { readonly body: HttpBody.HttpBody; readonly watch: SendWatch } => {
  const watch: SendWatch = { pump: undefined }
  const instrumented = Stream.unwrap(Effect.withFiberRuntime<Stream.Stream<Uint8Array, unknown>>((fiber) => {
    watch.pump = fiber
    phases.started()
    return Effect.succeed(stream)
  })).pipe(Stream.concat(Stream.execute(Effect.sync(phases.ended))))
  return { body: PlatformBody.stream(instrumented, contentType, contentLength), watch }
}
