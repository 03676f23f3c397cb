/**
 * The Node transport's `send`: one hop written directly on undici's
 * `dispatch`. The platform's undici client wraps every request in an
 * AbortController, a `FinalizationRegistry` entry, a span, a Node `Readable`
 * for the body and a response wrapper: most of its cost per request. Here
 * one handler per request receives undici's callbacks, and one watchdog
 * timer (`core/timer.ts`) keeps the send and receive phases and the call's
 * deadline; undici's own `headersTimeout` and `bodyTimeout` are off, as the
 * watchdog enforces the request's timeouts in their place.
 */
import type * as Headers from "@effect/platform/Headers"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import type * as Pieces from "../../internal/body/pieces.js"
import { reportProgress } from "../../internal/body/progress.js"
import { type UploadSource, uploadSource } from "../../internal/body/request.js"
import * as Deadline from "../../internal/core/deadline.js"
import * as Failure from "../../internal/core/failure.js"
import { Watchdog } from "../../internal/core/timer.js"
import { Handler, interrupted } from "./handler.js"
import * as PiecesReadable from "./piecesReadable.js"
import { toReadable } from "./readable.js"
import { Response } from "./response.js"

const millisOf = (d: Duration.Duration): number => (Duration.isFinite(d) ? Duration.toMillis(d) : Infinity)

type UndiciBody = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

/** Sends and waits for the head. */
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
 * The transport on a dispatcher.
 *
 * @internal
 */
export const make = (dispatcher: Undici.Dispatcher, connectTimeout: Duration.Duration): Transport.Service => ({
  send: (request) =>
    Effect.clockWith((clock) => {
      const handler = new Handler()
      const toFailure = (error: unknown) => Failure.fromTransport(request, error, connectTimeout)
      const { timeouts } = request
      const idle = handler.idle = millisOf(timeouts.receive)
      const watchdog = handler.watchdog = new Watchdog(clock, Deadline.at(request), (phase) =>
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
            new Response(status, responseHeaders, setCookie, handler, request, connectTimeout),
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
