/**
 * One undici request's life as undici reports it: the head, then the body,
 * buffered up to `highWaterMark` until a reader takes it. The watchdog (the
 * hop's one timer) is told of each phase and of each chunk.
 */
import * as Headers from "@effect/platform/Headers"
import type * as Undici from "undici"
import { Collector } from "@courier/core/Bytes"
import type { Watchdog } from "../../internal/core/timer.js"

/**
 * Body bytes buffered ahead of the reader; past it the socket is paused.
 * Enough that the socket keeps being read while a stream's consumer writes
 * the previous chunks (to a file, say) instead of taking turns with it.
 */
const highWaterMark = 256 * 1024

/** Why Courier itself ended an exchange (a reader stopped, the fiber was interrupted). */
/** @internal */
export class Stopped extends Error {
  constructor(readonly why: string) {
    super(why)
  }
}
/** @internal */
export const interrupted = new Stopped("interrupted")
/** @internal */
export const stoppedReading = new Stopped("the body is not read further")

/** @internal */
export interface Sink {
  readonly data: (chunk: Uint8Array) => void
  readonly end: () => void
  readonly error: (error: unknown) => void
}

/** @internal */
export type Head = (status: number, headers: Headers.Headers, setCookie: ReadonlyArray<string>) => void

/** @internal */
export class Handler implements Undici.Dispatcher.DispatchHandler {
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

