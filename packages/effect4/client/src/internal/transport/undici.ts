/**
 * The transport on undici 8: one `dispatcher.request` per hop, undici's own
 * `headersTimeout`/`bodyTimeout` for the receive phase, and at most two
 * plain timers per hop (the call's deadline when it has one, the send
 * timer for a streamed upload), each aborting the hop with its phase known.
 * No fiber is forked and no `Effect.timeout` wraps a hop.
 */
import * as Bytes from "@courier/core/Bytes"
import { BodySourceFailure } from "@courier/core/TransportFailure"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import type { Dispatcher } from "undici"
import { LimitExceeded, type Network, type Timeout, type TimeoutPhase } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import { remainingMillis } from "../core/request.js"
import { fromCause, timeout } from "./failure.js"

type Request = CourierRequest.CourierRequest
type Fired = { readonly phase: TimeoutPhase; readonly duration: Duration.Duration }

// Node's timers (and undici's) hold at most 2^31-1 ms: a longer delay fires at
// once. A timer that long is no timer at all in practice, so it is not armed.
const maxTimer = 2_147_483_647

/** A phase timeout in timer milliseconds; 0 for none (infinite, or past what a timer holds). */
const millis = (d: Duration.Duration): number => {
  if (!Duration.isFinite(d)) return 0
  const ms = Math.max(1, Math.ceil(Duration.toMillis(d)))
  return ms > maxTimer ? 0 : ms
}

/** The state of one hop, shared by its timers and its body readers. */
class Hop {
  fired: Fired | undefined = undefined
  deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined
  sendTimer: ReturnType<typeof setTimeout> | undefined = undefined
  body: Readable | undefined = undefined
  readonly controller = new AbortController()
  constructor(readonly request: Request) {}

  arm(ms: number, fired: Fired): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.fired = fired
      this.controller.abort()
      this.body?.destroy(new Error(`${fired.phase} timeout`))
    }, ms)
    // A timer must not keep the process alive for a call nobody waits on.
    timer.unref()
    return timer
  }

  clear(): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer)
    if (this.sendTimer !== undefined) clearTimeout(this.sendTimer)
    this.deadlineTimer = undefined
    this.sendTimer = undefined
  }

  failure(cause: unknown): Network | Timeout {
    return fromCause(this.request, cause, this.fired)
  }
}

const ignore = () => {}

const headersOf = (raw: Record<string, string | Array<string> | undefined>) => {
  const headers: Record<string, string> = {}
  let setCookie: ReadonlyArray<string> = []
  for (const name of Object.keys(raw)) {
    const value = raw[name]
    if (value === undefined) continue
    if (name === "set-cookie") setCookie = Array.isArray(value) ? value : [value]
    headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return { headers, setCookie }
}

const response = (hop: Hop, data: Dispatcher.ResponseData): Transport.Response => {
  const body = data.body as Readable
  hop.body = body
  // Dropping a body destroys it, and a destroyed stream emits `error`: with
  // no reader listening, that would be an uncaught exception.
  body.on("error", ignore)
  const { headers, setCookie } = headersOf(data.headers)
  const finish = () => hop.clear()
  const drop = () => {
    hop.clear()
    if (!body.readableEnded) body.destroy()
  }
  // One reader of the body: every event handler resumes at most once.
  const read = <A, E>(
    onChunk: (chunk: Uint8Array, resume: (effect: Effect.Effect<A, E>) => void) => void,
    onEnd: () => Effect.Effect<A, E>,
    onError: (cause: unknown) => Effect.Effect<A, E>
  ): Effect.Effect<A, E> =>
    Effect.callback<A, E>((resume) => {
      let done = false
      const once = (effect: Effect.Effect<A, E>) => {
        if (done) return
        done = true
        body.off("data", data)
        body.off("end", end)
        body.off("error", error)
        resume(effect)
      }
      const data = (chunk: Uint8Array) => onChunk(chunk, once)
      const end = () => {
        finish()
        once(onEnd())
      }
      const error = (cause: unknown) => {
        finish()
        once(onError(cause))
      }
      if (body.readableEnded) return end()
      if (body.destroyed) return error(body.errored ?? new Error("the body was already dropped"))
      body.on("data", data)
      body.on("end", end)
      body.on("error", error)
      return Effect.sync(() => {
        if (!done) {
          done = true
          drop()
        }
      })
    })

  return {
    status: data.statusCode,
    headers,
    setCookie,
    readAll: (limit) => {
      const chunks: Array<Uint8Array> = []
      let size = 0
      return read<Uint8Array, Transport.BodyError>(
        (chunk, resume) => {
          size += chunk.byteLength
          if (size > limit) {
            drop()
            resume(Effect.fail(new LimitExceeded({ request: hop.request.info, reason: "ResponseTooLarge", limit })))
          } else chunks.push(chunk)
        },
        () => Effect.succeed(Bytes.concat(chunks, size)),
        (cause) => Effect.fail(hop.failure(cause))
      )
    },
    readPrefix: (limit) => {
      const chunks: Array<Uint8Array> = []
      let size = 0
      const prefix = () => Bytes.concat(chunks, size).subarray(0, limit)
      if (limit <= 0 && !body.readableEnded) {
        drop()
        return Effect.succeed(new Uint8Array(0))
      }
      return read<Uint8Array, never>(
        (chunk, resume) => {
          chunks.push(chunk)
          size += chunk.byteLength
          if (size >= limit) {
            drop()
            resume(Effect.succeed(prefix()))
          }
        },
        () => Effect.succeed(prefix()),
        () => Effect.succeed(prefix())
      )
    },
    raw: Stream.fromAsyncIterable(body as AsyncIterable<Uint8Array>, (cause) => hop.failure(cause)).pipe(
      Stream.ensuring(Effect.sync(drop))
    ),
    discard: Effect.sync(drop)
  }
}

const bodyOf = (
  hop: Hop,
  body: CourierRequest.CourierRequest["body"]
): Effect.Effect<string | Uint8Array | Readable | null> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Text":
      return Effect.succeed(body.text)
    case "Bytes":
      return Effect.succeed(body.bytes)
    case "Stream":
      return Effect.map(
        Stream.toReadableStreamEffect(
          // The marker survives undici's wrapping: the failure reads as RequestBody.
          Stream.mapError(Stream.suspend(body.make), (cause) => new BodySourceFailure(cause))
        ),
        (web) => {
          const readable = Readable.fromWeb(web as import("node:stream/web").ReadableStream<Uint8Array>)
          readable.on("error", ignore)
          readable.once("end", () => {
            if (hop.sendTimer !== undefined) clearTimeout(hop.sendTimer)
            hop.sendTimer = undefined
          })
          return readable
        }
      )
    default:
      // Json, Form and Multipart are serialised when the request is prepared.
      return Effect.succeed(null)
  }
}

const sendHop = (dispatcher: Dispatcher, request: Request, left: number): Effect.Effect<Transport.Response, Network | Timeout> => {
  const hop = new Hop(request)
  return Effect.flatMap(bodyOf(hop, request.body), (body) =>
    Effect.callback<Transport.Response, Network | Timeout>((resume) => {
      if (left <= maxTimer) hop.deadlineTimer = hop.arm(left, { phase: "total", duration: request.timeouts.total })
      if (body instanceof Readable && millis(request.timeouts.send) > 0) {
        hop.sendTimer = hop.arm(millis(request.timeouts.send), { phase: "send", duration: request.timeouts.send })
      }
      let headers: Record<string, string> = request.headers as Record<string, string>
      if (request.body._tag === "Stream" && request.body.contentLength !== undefined && headers["content-length"] === undefined) {
        headers = { ...headers, "content-length": String(request.body.contentLength) }
      }
      const receive = millis(request.timeouts.receive)
      dispatcher.request({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body,
        signal: hop.controller.signal,
        headersTimeout: receive,
        bodyTimeout: receive
      }).then(
        (data) => {
          if (body instanceof Readable && hop.sendTimer !== undefined) {
            clearTimeout(hop.sendTimer)
            hop.sendTimer = undefined
          }
          resume(Effect.succeed(response(hop, data)))
        },
        (cause: unknown) => {
          hop.clear()
          resume(Effect.fail(hop.failure(cause)))
        }
      )
      return Effect.sync(() => {
        hop.clear()
        hop.controller.abort()
        hop.body?.destroy()
        if (body instanceof Readable) body.destroy()
      })
    }))
}

/** @internal */
export const make = (dispatcher: Dispatcher): Transport.Service => ({
  send: (request) =>
    Effect.flatMap(remainingMillis(request), (left) =>
      left <= 0
        ? Effect.fail(timeout(request, "total", request.timeouts.total))
        : sendHop(dispatcher, request, left))
})
