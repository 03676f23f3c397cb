/**
 * Recorders for the secret searches: every log line (with its renderings
 * by Effect's loggers) and every span (with everything an exporter could
 * send, as text).
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { randomBytes } from "node:crypto"


export interface LogLine {
  readonly message: unknown
  readonly level: string
  readonly annotations: Record<string, unknown>
  readonly rendered: ReadonlyArray<string>
}

export const captureLogs = () => {
  const lines: Array<LogLine> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push({
      message: Array.isArray(options.message) && options.message.length === 1 ? options.message[0] : options.message,
      level: options.logLevel.label,
      annotations: Object.fromEntries(HashMap.toEntries(options.annotations)),
      rendered: [
        Logger.jsonLogger.log(options),
        Logger.logfmtLogger.log(options),
        Logger.stringLogger.log(options),
        JSON.stringify(Logger.structuredLogger.log(options))
      ]
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

export class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = randomBytes(8).toString("hex")
  readonly traceId: string
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }> = []
  readonly links: Array<Tracer.SpanLink>
  readonly sampled = true
  status: Tracer.SpanStatus
  exit: Exit.Exit<unknown, unknown> | undefined
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    this.traceId = Option.isSome(parent) ? parent.value.traceId : randomBytes(16).toString("hex")
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    this.exit = exit
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push({ name, attributes })
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
  /** Everything a span exporter could send, as text. */
  render(): string {
    return [
      this.name,
      JSON.stringify(Object.fromEntries(this.attributes)),
      JSON.stringify(this.events),
      this.exit === undefined ? "" : Exit.isFailure(this.exit) ? Cause.pretty(this.exit.cause) : String(this.exit),
      this.exit === undefined ? "" : JSON.stringify(this.exit)
    ].join("\n")
  }
}

export const recordSpans = () => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = new RecordedSpan(name, parent, context, links, startTime, kind)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}
