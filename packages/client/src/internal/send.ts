/**
 * The core of a call: one hop on the transport with the send and receive
 * timers, redirects followed by Courier itself, status handling and the
 * bounded body read.
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as PlatformBody from "@effect/platform/HttpBody"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as ContentDecoder from "../ContentDecoder.js"
import type * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import type * as CourierRequest from "../CourierRequest.js"
import type * as CourierResponse from "../CourierResponse.js"
import type * as Redaction from "../Redaction.js"
import * as Failure from "./failure.js"
import * as Redirect from "./redirect.js"
import type * as CourierConfig from "../CourierConfig.js"

/** Bodies above this size are sent as a stream, so the send timeout can see their progress. */
const chunkSize = 64 * 1024
/** How much of a non-2xx body is read for the failure (excerpt and errorSchema). */
const errorBodyLimit = 64 * 1024
/** How much of a redirect body is drained to keep the connection; past it the socket is dropped. */
const redirectDrainLimit = 16 * 1024
const excerptLength = 512

type BodyError = CourierError.Network | CourierError.Timeout | CourierError.LimitExceeded

interface SendWatch {
  readonly started: Deferred.Deferred<void>
  readonly finished: Deferred.Deferred<void>
  /** The fiber the transport runs the body stream in, once it started. */
  pump: Fiber.RuntimeFiber<unknown, unknown> | undefined
}

/** Calls a progress callback; it can neither fail nor break the transfer. */
const reportProgress = (
  callback: (progress: CourierClient.Progress) => Effect.Effect<void>,
  transferred: number,
  total: number | undefined
): Effect.Effect<void> => Effect.catchAllCause(Effect.suspend(() => callback({ transferred, total })), () => Effect.void)

/** Counts the bytes a stream hands on, reporting after each slice. */
const withProgress = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  callback: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined,
  total: number | undefined
): Stream.Stream<Uint8Array, E> => {
  if (callback === undefined) return stream
  return Stream.suspend(() => {
    let transferred = 0
    return Stream.tap(stream, (bytes) => {
      transferred += bytes.byteLength
      return reportProgress(callback, transferred, total)
    })
  })
}

const toPlatformBody = (
  request: CourierRequest.CourierRequest,
  contentType: string | undefined
): { readonly body: HttpBody.HttpBody; readonly watch: SendWatch | undefined } => {
  const body = request.body
  const progress = request.onUploadProgress
  switch (body._tag) {
    case "Empty":
      return { body: PlatformBody.empty, watch: undefined }
    case "Bytes": {
      if (body.bytes.byteLength <= chunkSize && progress === undefined) {
        return { body: PlatformBody.uint8Array(body.bytes, contentType ?? body.contentType), watch: undefined }
      }
      return watched(Stream.succeed(body.bytes), contentType ?? body.contentType, body.bytes.byteLength, progress)
    }
    case "Stream":
      return watched(
        Stream.mapError(body.make(), (cause) => new Failure.BodySourceFailure(cause)),
        contentType ?? body.contentType,
        body.contentLength,
        progress
      )
    // Json, Text and Form are serialised to Bytes when the request is prepared.
    default:
      return { body: PlatformBody.empty, watch: undefined }
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
  progress: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined
): { readonly body: HttpBody.HttpBody; readonly watch: SendWatch } => {
  const watch: SendWatch = {
    started: Deferred.unsafeMake(undefined as never),
    finished: Deferred.unsafeMake(undefined as never),
    pump: undefined
  }
  const instrumented = Stream.unwrap(Effect.withFiberRuntime<Stream.Stream<Uint8Array, unknown>>((fiber) => {
    watch.pump = fiber
    Deferred.unsafeDone(watch.started, Effect.void)
    return Effect.succeed(withProgress(oneSliceAtATime(stream), progress, contentLength))
  })).pipe(Stream.concat(Stream.execute(Deferred.succeed(watch.finished, undefined))))
  return { body: PlatformBody.stream(instrumented, contentType, contentLength), watch }
}

const isFinite = (d: Duration.Duration): boolean => Duration.isFinite(d) && Duration.toMillis(d) > 0

/** Receive timer: from the end of the upload (or from the start, with no body) to the headers. */
const withTimers = (
  request: CourierRequest.CourierRequest,
  effect: Effect.Effect<HttpClientResponse.HttpClientResponse, CourierError.Network | CourierError.Timeout>,
  watch: SendWatch | undefined
) => {
  const { receive, send } = request.timeouts
  const receiveTimeout = new CourierError.Timeout({ request: request.info, phase: "receive", duration: receive })
  if (watch === undefined) {
    return isFinite(receive) ? Effect.timeoutFail(effect, { duration: receive, onTimeout: () => receiveTimeout }) : effect
  }
  const sendTimeout = new CourierError.Timeout({ request: request.info, phase: "send", duration: send })
  const uploaded = isFinite(send)
    ? Effect.timeoutFail(Deferred.await(watch.finished), { duration: send, onTimeout: () => sendTimeout })
    : Deferred.await(watch.finished)
  const watchdog = Deferred.await(watch.started).pipe(
    Effect.zipRight(uploaded),
    Effect.zipRight(isFinite(receive) ? Effect.sleep(receive) : Effect.never),
    Effect.zipRight(Effect.fail(receiveTimeout))
  )
  return Effect.raceFirst(effect, watchdog)
}

const sendOnce = (
  http: HttpClient.HttpClient,
  request: CourierRequest.CourierRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, CourierError.Network | CourierError.Timeout> => {
  const contentType = request.headers["content-type"]
  const { body, watch } = toPlatformBody(request, contentType)
  const platformRequest = HttpClientRequest.setBody(
    HttpClientRequest.make(request.method as "GET")(request.url, { headers: request.headers }),
    body
  )
  const effect = Effect.mapError(
    http.execute(platformRequest),
    (error: HttpClientError.HttpClientError) => Failure.fromTransport(request, error.cause, request.timeouts.connect)
  )
  const sent = withTimers(request, effect, watch)
  if (watch === undefined) return sent
  // When a call is aborted, Node's fetch neither cancels the request body it
  // is reading (it cancels the locked stream, which throws, and swallows that)
  // nor stops reading it: it drains the rest of the stream into the dead
  // socket, or waits forever for a next chunk, and the stream's finalizers
  // never run. So the fiber pumping the body is stopped here.
  return Effect.onExit(sent, (exit) =>
    Effect.withFiberRuntime((current) => {
      const pump = watch.pump
      return Exit.isSuccess(exit) || pump === undefined || pump === current ? Effect.void : Fiber.interrupt(pump)
    }))
}

/** The response body as a stream of decoded bytes, under the receive timeout and the size limit. */
const bodyStream = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  decoder: ContentDecoder.Decoder,
  limit: number
): Stream.Stream<Uint8Array, BodyError> => {
  const toFailure = (error: unknown) =>
    CourierError.isCourierError(error)
      ? error as CourierError.Network | CourierError.Timeout
      : Failure.fromTransport(request, error, request.timeouts.connect)
  let stream: Stream.Stream<Uint8Array, unknown> = Stream.catchAll(
    response.stream,
    // fetch has no body stream at all for 204 and HEAD: that is an empty body.
    (error) =>
      error.reason === "EmptyBody"
        ? Stream.empty
        : Stream.fail(Failure.fromTransport(request, error.cause ?? error, request.timeouts.connect))
  )
  const encoding = response.headers["content-encoding"]
  if (encoding !== undefined) {
    const encodings = encoding.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "" && s !== "identity")
    for (let i = encodings.length - 1; i >= 0; i--) {
      const decoded = decoder.decode(encodings[i], stream)
      if (decoded === undefined) break
      stream = Stream.mapError(
        decoded,
        (cause) => CourierError.isCourierError(cause) ? cause : new Failure.ContentDecodingFailure(cause)
      )
    }
  }
  const { receive } = request.timeouts
  let out: Stream.Stream<Uint8Array, BodyError> = Stream.mapError(stream, toFailure)
  if (isFinite(receive)) {
    out = Stream.timeoutFail(
      out,
      () => new CourierError.Timeout({ request: request.info, phase: "receive", duration: receive }),
      receive
    )
  }
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

/** A plain Uint8Array view (undici hands out Buffers), so every transport returns the same type. */
const plain = (bytes: Uint8Array): Uint8Array =>
  bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => {
  if (chunks.length === 1) return plain(Chunk.unsafeHead(chunks))
  let size = 0
  Chunk.forEach(chunks, (c) => {
    size += c.byteLength
  })
  const out = new Uint8Array(size)
  let offset = 0
  Chunk.forEach(chunks, (c) => {
    out.set(c, offset)
    offset += c.byteLength
  })
  return out
}

/**
 * Drops a body without reading it: its stream is started and interrupted at
 * once, which aborts the request, so the connection is closed now rather
 * than when the response is garbage-collected.
 */
const discard = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(Stream.runDrain(Stream.interruptWhen(response.stream, Effect.void)))

/** Reads a body in full; a declared length over the limit fails before any read. */
const readAll = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  decoder: ContentDecoder.Decoder,
  limit: number
): Effect.Effect<Uint8Array, BodyError> => {
  // The content-length of a HEAD, 204 or 205 answer describes no body (RFC 9110 8.6):
  // a HEAD on a large file must not fail as if its body were buffered.
  const hasBody = request.method !== "HEAD" && response.status !== 204 && response.status !== 205
  const declared = response.headers["content-length"]
  if (
    hasBody && declared !== undefined && Number(declared) > limit && response.headers["content-encoding"] === undefined
  ) {
    return Effect.zipRight(
      discard(response),
      Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
    )
  }
  return Effect.map(Stream.runCollect(bodyStream(request, response, decoder, limit)), concat)
}

/** Reads at most `limit` bytes and stops (dropping the socket if more was coming). Never fails. */
const readPrefix = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  decoder: ContentDecoder.Decoder,
  limit: number
): Effect.Effect<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  return bodyStream(request, response, decoder, Number.MAX_SAFE_INTEGER).pipe(
    Stream.takeUntil((bytes) => {
      chunks.push(bytes)
      size += bytes.byteLength
      return size >= limit
    }),
    Stream.runDrain,
    Effect.ignore,
    Effect.map(() => concat(Chunk.unsafeFromArray(chunks)).subarray(0, limit))
  )
}

const textDecoder = new TextDecoder()

/** A short, printable excerpt of a body for failures. @internal */
export const excerpt = (bytes: Uint8Array): string => {
  // eslint-disable-next-line no-control-regex
  const text = textDecoder.decode(bytes.subarray(0, excerptLength * 4)).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?")
  return text.length > excerptLength ? text.slice(0, excerptLength) + "…" : text
}

/**
 * The failure for a non-2xx answer. Its headers and body excerpt go through
 * the redactor: an error body may echo a token, and failures get logged.
 */
const statusFailure = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  decoder: ContentDecoder.Decoder,
  redactor: Redaction.Redactor
): Effect.Effect<never, CourierError.Unauthorized | CourierError.BadResponse> =>
  Effect.flatMap(readPrefix(request, response, decoder, errorBodyLimit), (bytes): Effect.Effect<
    never,
    CourierError.Unauthorized | CourierError.BadResponse
  > => {
    const headers = redactor.headers(response.headers)
    const bodyExcerpt = redactor.body(bytes, response.headers["content-type"], excerptLength)
    if (response.status === 401) {
      return Effect.fail(new CourierError.Unauthorized({ request: request.info, status: 401, headers, bodyExcerpt }))
    }
    let errorBody: Option.Option<unknown> = Option.none()
    if (request.decodeErrorBody !== undefined && bytes.byteLength > 0) {
      try {
        errorBody = request.decodeErrorBody(JSON.parse(textDecoder.decode(bytes)))
      } catch {
        errorBody = Option.none()
      }
    }
    return Effect.fail(
      new CourierError.BadResponse({
        request: request.info,
        status: response.status,
        headers,
        bodyExcerpt,
        errorBody
      })
    )
  })

const countEncodings = (value: string | undefined): number =>
  value === undefined ? 0 : value.split(",").filter((s) => s.trim() !== "" && s.trim().toLowerCase() !== "identity").length

/**
 * Builds the transport-level `execute` of a client: redirects, status
 * handling and the body read, over a platform `HttpClient`.
 *
 * @internal
 */
export const make = (
  transport: HttpClient.HttpClient,
  decoder: ContentDecoder.Decoder,
  policy: CourierConfig.ResolvedConfig,
  redactor: Redaction.Redactor
) => {
  // The platform's spans record the full URL (query secrets included) and its
  // propagation sends trace headers to every origin, so both are off here:
  // tracing with redacted attributes, scoped to the base origin, is a
  // concern of its own to add as a Layer.
  const http = transport.pipe(
    HttpClient.withTracerPropagation(false),
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const acceptEncoding = decoder.acceptEncoding
  const hop = (
    request: CourierRequest.CourierRequest,
    redirects: number
  ): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> =>
    Effect.flatMap(sendOnce(http, request), (response) => {
      const status = response.status
      if (Redirect.isRedirect(status) && request.maxRedirects > 0 && response.headers["location"] !== undefined) {
        if (redirects >= request.maxRedirects) {
          return Effect.zipRight(
            readPrefix(request, response, decoder, 0),
            Effect.fail(
              new CourierError.LimitExceeded({
                request: request.info,
                reason: "TooManyRedirects",
                limit: request.maxRedirects
              })
            )
          )
        }
        const next = Redirect.follow(policy, request, status, response.headers["location"])
        return Effect.zipRight(
          readPrefix(request, response, decoder, redirectDrainLimit),
          "reason" in next
            ? Effect.fail(new CourierError.RequestRefused({ request: next.info, reason: next.reason, detail: next.detail }))
            : hop(next, redirects + 1)
        )
      }
      const encodings = countEncodings(response.headers["content-encoding"])
      if (encodings > policy.maxContentEncodings) {
        return Effect.zipRight(
          readPrefix(request, response, decoder, 0),
          Effect.fail(
            new CourierError.LimitExceeded({
              request: request.info,
              reason: "TooManyEncodings",
              limit: policy.maxContentEncodings
            })
          )
        )
      }
      if (status < 200 || status >= 300) {
        return statusFailure(request, response, decoder, redactor)
      }
      if (request.streaming) {
        return Effect.succeed<CourierResponse.CourierResponse>({
          request,
          status,
          headers: response.headers,
          body: { _tag: "Streaming", stream: bodyStream(request, response, decoder, Number.MAX_SAFE_INTEGER) }
        })
      }
      return Effect.map(
        readAll(request, response, decoder, request.maxResponseBytes),
        (bytes): CourierResponse.CourierResponse => ({
          request,
          status,
          headers: response.headers,
          body: { _tag: "Buffered", bytes }
        })
      )
    })
  return (request: CourierRequest.CourierRequest): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> => {
    if (acceptEncoding !== undefined && request.headers["accept-encoding"] === undefined) {
      request = { ...request, headers: { ...request.headers, "accept-encoding": acceptEncoding } }
    }
    // The connect timeout is the transport pool's (undici's Agent), per client: a
    // per-request value is never enforced, so a failure must report the client's.
    if (!Duration.equals(request.timeouts.connect, policy.timeouts.connect)) {
      request = { ...request, timeouts: { ...request.timeouts, connect: policy.timeouts.connect } }
    }
    return hop(request, 0)
  }
}
