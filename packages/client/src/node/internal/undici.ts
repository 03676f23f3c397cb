/**
 * A lean transport written directly on undici's `dispatch`, behind the
 * `@effect/platform` `HttpClient` interface.
 *
 * The platform's undici client wraps every request in an AbortController, a
 * `FinalizationRegistry` entry, a span, a Node `Readable` for the body and a
 * response wrapper: most of its cost per request. Here one handler object
 * per request receives undici's callbacks and serves both faces:
 *
 * - the platform face (`execute`), for code that uses the `HttpClient`;
 * - Courier's native exchange, which adds one watchdog timer for the send,
 *   receive and total timeouts and reads the body with no Effect `Stream`.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Pieces from "../../internal/body/pieces.js"
import { Collector, plain } from "@courier/core/Bytes"
import * as Exchange from "../../internal/transport/exchange.js"
import * as Failure from "../../internal/core/failure.js"
import { reportProgress } from "../../internal/body/progress.js"
import { type UploadSource, uploadSource } from "../../internal/body/request.js"
import { Watchdog } from "../../internal/core/timer.js"
import * as PiecesReadable from "./piecesReadable.js"
import { toReadable } from "./readable.js"

/**
 * Body bytes buffered ahead of the reader; past it the socket is paused.
 * Enough that the socket keeps being read while a stream's consumer writes
 * the previous chunks (to a file, say) instead of taking turns with it.
 */
const highWaterMark = 256 * 1024

/** Why Courier itself ended an exchange (a reader stopped, the fiber was interrupted). */
class Stopped extends Error {
  constructor(readonly why: string) {
    super(why)
  }
}
const interrupted = new Stopped("interrupted")
const stoppedReading = new Stopped("the body is not read further")

interface Sink {
  readonly data: (chunk: Uint8Array) => void
  readonly end: () => void
  readonly error: (error: unknown) => void
}

type Head = (status: number, headers: Headers.Headers, setCookie: ReadonlyArray<string>) => void

const millisOf = (d: Duration.Duration): number => (Duration.isFinite(d) ? Duration.toMillis(d) : Infinity)

/**
 * One request's life as undici reports it: the head, then the body, buffered
 * up to `highWaterMark` until a reader takes it.
 */
class Handler implements Undici.Dispatcher.DispatchHandler {
  private controller: Undici.Dispatcher.DispatchController | undefined = undefined
  private pendingAbort: Error | undefined = undefined
  private head: Head | undefined = undefined
  private headFailure: ((error: unknown) => void) | undefined = undefined
  private headDone = false
  private paused = false
  /** What arrived before a reader asked for it. */
  private pending = new Collector()
  ended = false
  failed = false
  failure: unknown = undefined
  sink: Sink | undefined = undefined
  watchdog: Watchdog | undefined = undefined
  /** Receive timeout in ms (between chunks); Infinity when none. */
  idle = Infinity

  start(head: Head, headFailure: (error: unknown) => void): void {
    this.head = head
    this.headFailure = headFailure
  }

  onRequestStart(controller: Undici.Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.pendingAbort !== undefined) controller.abort(this.pendingAbort)
  }

  onResponseStart(
    _controller: Undici.Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | Array<string> | undefined>
  ): void {
    // 1xx informational answers come before the real one.
    if (status < 200 || this.failed) return
    this.headDone = true
    const raw = headers["set-cookie"]
    const setCookie: ReadonlyArray<string> = raw === undefined ? [] : typeof raw === "string" ? [raw] : raw
    this.watchdog?.start("receive", this.idle)
    const head = this.head!
    this.head = undefined
    this.headFailure = undefined
    head(status, Headers.fromInput(headers as Headers.Input), setCookie)
  }

  onResponseData(_controller: Undici.Dispatcher.DispatchController, chunk: Uint8Array): void {
    if (this.failed || chunk.byteLength === 0) return
    this.watchdog?.touch(this.idle)
    if (this.sink !== undefined) return this.sink.data(chunk)
    this.pending.push(chunk)
    if (this.pending.size >= highWaterMark) this.pause()
  }

  onResponseEnd(): void {
    if (this.failed) return
    this.ended = true
    this.watchdog?.stop()
    this.sink?.end()
  }

  onResponseError(_controller: Undici.Dispatcher.DispatchController | undefined, error: Error): void {
    this.settleFailure(error)
  }

  /** Ends the exchange from Courier's side (a timer, a limit, an interruption): the socket is closed. */
  fail(error: unknown): void {
    if (this.ended || this.failed) return
    const reason = error instanceof Error ? error : new Stopped("stopped")
    if (this.controller === undefined) this.pendingAbort = reason
    else this.controller.abort(reason)
    this.settleFailure(error)
  }

  private settleFailure(error: unknown): void {
    if (this.ended || this.failed) return
    this.failed = true
    this.failure = error
    this.watchdog?.stop()
    if (!this.headDone) {
      const headFailure = this.headFailure
      this.head = undefined
      this.headFailure = undefined
      headFailure?.(error)
    } else {
      this.sink?.error(error)
    }
  }

  /** Our own backpressure: no reader yet, or a slow one. The receive timer waits too. */
  private pause(): void {
    if (this.paused || this.controller === undefined) return
    this.paused = true
    this.controller.pause()
    this.watchdog?.start("receive", Infinity)
  }

  /** A reader wants bytes: let them flow and time the server again. */
  flow(): void {
    if (!this.paused) return
    this.paused = false
    this.watchdog?.start("receive", this.idle)
    this.controller?.resume()
  }

  /** Bytes buffered ahead of the reader. */
  get buffered(): number {
    return this.pending.size
  }

  /** Takes the buffered chunks. */
  take(): Array<Uint8Array> {
    return this.pending.take()
  }

  /** Takes the buffered bytes as the start of a collection the caller continues. */
  takeCollector(): Collector {
    const pending = this.pending
    this.pending = new Collector()
    return pending
  }
}

/** Reads the whole body; `onLimit` builds the failure past `limit` bytes. */
const readAll = <E>(
  handler: Handler,
  limit: number,
  onLimit: () => E,
  onError: (error: unknown) => E
): Effect.Effect<Uint8Array, E> =>
  Effect.async<Uint8Array, E>((resume) => {
    if (handler.failed) return resume(Effect.fail(onError(handler.failure)))
    const collected = handler.takeCollector()
    if (collected.size > limit) {
      const error = onLimit()
      handler.fail(error)
      return resume(Effect.fail(error))
    }
    if (handler.ended) return resume(Effect.succeed(collected.bytes()))
    let exceeded: E | undefined
    handler.sink = {
      data: (chunk) => {
        if (collected.size + chunk.byteLength <= limit) return collected.push(chunk)
        exceeded = onLimit()
        handler.fail(exceeded)
      },
      end: () => resume(Effect.succeed(collected.bytes())),
      error: (error) => resume(Effect.fail(exceeded ?? onError(error)))
    }
    handler.flow()
    return Effect.sync(() => handler.fail(interrupted))
  })

/** Reads at most `limit` bytes; never fails (a failure ends the prefix). */
const readPrefix = (handler: Handler, limit: number): Effect.Effect<Uint8Array> =>
  Effect.async<Uint8Array>((resume) => {
    const collected = handler.takeCollector()
    const done = () => resume(Effect.succeed(collected.bytes().subarray(0, limit)))
    if (collected.size >= limit || handler.failed || handler.ended) {
      if (!handler.ended) handler.fail(stoppedReading)
      return done()
    }
    handler.sink = {
      data: (chunk) => {
        // Only what fits is kept: the rest of the chunk is dropped with the socket.
        const room = limit - collected.size
        collected.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk)
        if (collected.size >= limit) handler.fail(stoppedReading)
      },
      end: done,
      error: done
    }
    handler.flow()
    return Effect.sync(() => handler.fail(interrupted))
  })

/** The body chunk by chunk: each pull takes what is buffered or waits for the next chunk. */
const rawStream = <E>(handler: Handler, onError: (error: unknown) => E): Stream.Stream<Uint8Array, E> => {
  const pull = Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<E>>((resume) => {
    if (handler.buffered > 0) {
      const chunks = handler.take()
      handler.flow()
      return resume(Effect.succeed(Chunk.unsafeFromArray(chunks)))
    }
    if (handler.failed) return resume(Effect.fail(Option.some(onError(handler.failure))))
    if (handler.ended) return resume(Effect.fail(Option.none()))
    handler.sink = {
      data: (chunk) => {
        handler.sink = undefined
        resume(Effect.succeed(Chunk.of(plain(chunk))))
      },
      end: () => {
        handler.sink = undefined
        resume(Effect.fail(Option.none()))
      },
      error: (error) => {
        handler.sink = undefined
        resume(Effect.fail(Option.some(onError(error))))
      }
    }
    handler.flow()
    return Effect.sync(() => {
      handler.sink = undefined
    })
  })
  return Stream.ensuring(
    Stream.repeatEffectChunkOption(pull),
    Effect.sync(() => handler.fail(stoppedReading))
  )
}

const discard = (handler: Handler): Effect.Effect<void> => Effect.sync(() => handler.fail(stoppedReading))

/**
 * The response, both faces: a platform `HttpClientResponse`, and Courier's
 * native reads (which fail with Courier's typed failures).
 */
class Response extends Inspectable.Class implements Exchange.Response {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [Exchange.ResponseTypeId]: Exchange.ResponseTypeId = Exchange.ResponseTypeId

  constructor(
    private requestOf: HttpClientRequest.HttpClientRequest | (() => HttpClientRequest.HttpClientRequest),
    readonly status: number,
    readonly headers: Headers.Headers,
    readonly setCookie: ReadonlyArray<string>,
    private readonly handler: Handler,
    /** Courier's failure for a transport error, or undefined on the platform face. */
    private readonly courier: ((error: unknown) => CourierError.Network | CourierError.Timeout) | undefined,
    private readonly limitFailure: ((limit: number) => CourierError.LimitExceeded) | undefined
  ) {
    super()
  }

  /** Built when asked for: Courier's own path never needs the platform request. */
  get request(): HttpClientRequest.HttpClientRequest {
    if (typeof this.requestOf === "function") this.requestOf = this.requestOf()
    return this.requestOf
  }

  readAll(limit: number): Effect.Effect<Uint8Array, Exchange.BodyError> {
    return readAll<Exchange.BodyError>(this.handler, limit, () => this.limitFailure!(limit), this.courier!)
  }

  readPrefix(limit: number): Effect.Effect<Uint8Array> {
    return readPrefix(this.handler, limit)
  }

  get raw(): Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> {
    return rawStream(this.handler, this.courier!)
  }

  get discard(): Effect.Effect<void> {
    return discard(this.handler)
  }

  // The platform face.

  private responseError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  private readonly onResponseError = (cause: unknown) => this.responseError(cause)

  private cachedBytes: Effect.Effect<Uint8Array, HttpClientError.ResponseError> | undefined = undefined
  private get bytes(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return this.cachedBytes ??= Effect.runSync(Effect.cached(
      readAll(this.handler, Number.MAX_SAFE_INTEGER, () => this.onResponseError("too large"), this.onResponseError)
    ))
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return rawStream(this.handler, this.onResponseError)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.bytes, (bytes) => new TextDecoder().decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text) as unknown),
        catch: this.onResponseError
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(this.bytes, (bytes) => bytes.slice().buffer as ArrayBuffer)
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.onResponseError }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () => new globalThis.Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": this.headers["content-type"] ?? "" } }).formData(),
        catch: this.onResponseError
      }))
  }

  get cookies(): Cookies.Cookies {
    return this.setCookie.length === 0 ? Cookies.empty : Cookies.fromSetCookie(this.setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", status: this.status }
  }
}

type UndiciBody = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

/** Sends and waits for the head. `configure` runs before dispatch (timers, body hooks). */
const dispatchHead = <E>(
  dispatcher: Undici.Dispatcher,
  options: Undici.Dispatcher.DispatchOptions,
  handler: Handler,
  onHead: (status: number, headers: Headers.Headers, setCookie: ReadonlyArray<string>) => Response,
  onError: (error: unknown) => E
): Effect.Effect<Response, E> =>
  Effect.async<Response, E>((resume) => {
    handler.start(
      (status, headers, setCookie) => resume(Effect.succeed(onHead(status, headers, setCookie))),
      (error) => resume(Effect.fail(onError(error)))
    )
    try {
      dispatcher.dispatch(options, handler)
    } catch (error) {
      handler.onResponseError(undefined, error instanceof Error ? error : new Error(String(error)))
    }
    return Effect.sync(() => handler.fail(interrupted))
  })

/** Dispatch options for a URL (origin and path split without parsing it again). */
const target = (url: URL): { readonly origin: string; readonly path: string } => ({
  origin: url.origin,
  path: url.pathname + url.search
})

interface PiecesSource {
  readonly _tag: "Pieces"
  readonly pieces: ReadonlyArray<Pieces.Piece>
  readonly contentType: string
  readonly contentLength: number | undefined
}

/**
 * What a request uploads on this transport: a body of bytes and files on
 * disk (`Body.file`, `Multipart.file` parts) as its pieces, read with
 * `node:fs`; any other as the core describes it.
 */
const upload = (request: CourierRequest.CourierRequest): UploadSource | PiecesSource => {
  const body = request.body
  const pieces = body._tag === "Stream" ? PiecesReadable.piecesOf(body) : undefined
  if (body._tag !== "Stream" || pieces === undefined) return uploadSource(request, false)
  return { _tag: "Pieces", pieces, contentType: body.contentType, contentLength: body.contentLength }
}

/**
 * Courier's native exchange on a dispatcher.
 *
 * @internal
 */
export const makeExchange = (
  dispatcher: Undici.Dispatcher,
  connectTimeout: Duration.Duration,
  platformRequest: (request: CourierRequest.CourierRequest) => HttpClientRequest.HttpClientRequest
): Exchange.Exchange => ({
  send: (request) =>
    Effect.clockWith((clock) => {
      const handler = new Handler()
      const toFailure = (error: unknown) => Failure.fromTransport(request, error, connectTimeout)
      // Once the head arrived, a connection that ends is a body cut short.
      const toBodyFailure = (error: unknown): CourierError.Network | CourierError.Timeout => {
        const failure = toFailure(error)
        return failure._tag === "Network" && failure.reason === "ConnectionReset"
          ? new CourierError.Network({ request: failure.request, reason: "IncompleteBody", code: failure.code, cause: failure.cause })
          : failure
      }
      const { timeouts } = request
      const idle = handler.idle = millisOf(timeouts.receive)
      const watchdog = handler.watchdog = new Watchdog(clock, request.deadline ?? Infinity, (phase) =>
        handler.fail(
          new CourierError.Timeout({
            request: request.info,
            phase,
            duration: phase === "send" ? timeouts.send : phase === "receive" ? timeouts.receive : timeouts.total
          })
        ))
      const source = upload(request)
      let headers = request.headers
      if (source._tag !== "Empty" && headers["content-type"] === undefined && source.contentType !== undefined) {
        headers = { ...headers, "content-type": source.contentType }
      }
      const { origin, path } = target(request.url)
      const send = (body: UndiciBody | null) =>
        dispatchHead(
          dispatcher,
          { origin, path, method: request.method as Undici.Dispatcher.HttpMethod, headers, body, headersTimeout: 0, bodyTimeout: 0 },
          handler,
          (status, responseHeaders, setCookie) =>
            new Response(
              () => platformRequest(request),
              status,
              responseHeaders,
              setCookie,
              handler,
              toBodyFailure,
              (limit) => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
            ),
          toFailure
        )
      if (source._tag === "Empty" || source._tag === "Bytes") {
        // No upload to time: the receive timer runs from the start.
        watchdog.start("receive", idle)
        return send(source._tag === "Bytes" ? source.bytes : null)
      }
      // The send timer runs while the body is pulled, the receive timer from its end.
      const sendMillis = millisOf(timeouts.send)
      const started = () => watchdog.start("send", sendMillis)
      const ended = () => watchdog.start("receive", idle)
      const { contentLength } = source
      if (contentLength !== undefined && headers["content-length"] === undefined) {
        headers = { ...headers, "content-length": String(contentLength) }
      }
      if (source._tag === "Pieces") {
        const onProgress = request.onUploadProgress
        if (onProgress === undefined) return send(PiecesReadable.toReadable(source.pieces, { started, ended, progress: undefined }))
        return Effect.flatMap(Effect.runtime<never>(), (runtime) =>
          send(PiecesReadable.toReadable(source.pieces, {
            started,
            ended,
            progress: { runtime, report: (transferred) => reportProgress(onProgress, transferred, contentLength) }
          })))
      }
      const stream = Stream.concat(
        Stream.unwrap(Effect.sync(() => {
          started()
          return source.stream
        })),
        Stream.execute(Effect.sync(ended))
      )
      return Effect.flatMap(toReadable(stream), send)
    })
})

const platformBody = (body: HttpBody.HttpBody): Effect.Effect<UndiciBody | null> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Uint8Array":
    case "Raw":
      return Effect.succeed(body.body as UndiciBody)
    case "FormData":
      return Effect.succeed(body.formData as unknown as UndiciBody)
    case "Stream":
      return NodeStream.toReadable(body.stream)
  }
}

/**
 * Responses handed to platform code whose body is never read: the exchange
 * is aborted when the response is garbage-collected, as the platform does.
 */
const unread = new FinalizationRegistry<Handler>((handler) => handler.fail(stoppedReading))

/**
 * A platform `HttpClient` on a dispatcher, carrying Courier's native
 * exchange for the core to find.
 *
 * @internal
 */
export const make = (dispatcher: Undici.Dispatcher, connectTimeout: Duration.Duration): HttpClient.HttpClient => {
  const client = HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(effect, (request) => {
        const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
        if (url._tag === "Left") {
          return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
        }
        const requestError = (cause: unknown) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
        return Effect.flatMap(platformBody(request.body), (body) => {
          const handler = new Handler()
          const { origin, path } = target(url.right)
          return Effect.map(
            dispatchHead(
              dispatcher,
              {
                origin,
                path: path + url.right.hash,
                method: request.method,
                headers: request.headers,
                body,
                headersTimeout: 60 * 60 * 1000,
                bodyTimeout: 0
              },
              handler,
              (status, headers, setCookie) =>
                new Response(request, status, headers, setCookie, handler, undefined, undefined),
              requestError
            ),
            (response) => {
              unread.register(response, handler)
              return response
            }
          )
        })
      }),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )
  const native = makeExchange(
    dispatcher,
    connectTimeout,
    (request) => HttpClientRequest.make(request.method as "GET")(request.url, { headers: request.headers })
  )
  return Object.assign(client, { [Exchange.TypeId]: native })
}
