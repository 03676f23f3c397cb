import * as Telemetry from "@courier/core/Telemetry"
import * as TraceContext from "@courier/core/TraceContext"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Client from "../core/client.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Redaction from "../../Redaction.js"
import * as Rules from "../redaction/rules.js"
import type * as Tracing from "../../Tracing.js"
import * as Outcome from "../core/outcome.js"
import { forClient } from "../redaction/rules.js"

// A span ends with a `SpanFailure`, never the real failure: a Courier
// failure's message can quote the response body, and tracers export it.
const sanitize = (
  outcome: Outcome.Outcome,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>
): Exit.Exit<void, unknown> => {
  switch (outcome._tag) {
    case "Success":
      return Exit.void
    case "Failure": {
      const error = outcome.error
      return Exit.fail(new Telemetry.SpanFailure(error._tag, Outcome.phaseOf(error) ?? Outcome.reasonOf(error)))
    }
    case "Interrupted":
      // Only interruptions in that cause: nothing from the request in it.
      return Exit.isFailure(exit) ? Exit.failCause(exit.cause) : Exit.void
    case "Defect":
      return Exit.die(new Telemetry.SpanFailure("Defect", outcome.name))
  }
}


const defaultPort = (url: URL): number => url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80

const startAttributes = (
  redactor: Redaction.Redactor,
  request: CourierRequest.CourierRequest
): Record<string, unknown> => {
  const method = Outcome.methodLabel(request.method)
  const attributes: Record<string, unknown> = {
    "http.request.method": method,
    "url.full": redactor.url(request.url),
    "url.scheme": request.url.protocol.slice(0, -1),
    "server.address": request.url.hostname,
    "server.port": defaultPort(request.url),
    "courier.attempt": request.attempt
  }
  if (method === "_OTHER") attributes["http.request.method_original"] = request.method
  if (request.attempt > 1) attributes["http.request.resend_count"] = request.attempt - 1
  return attributes
}

/**
 * The request with trace context headers, unless it sets them itself: `b3`
 * and `traceparent` as @effect/platform's HttpTraceContext.toHeaders writes
 * them, without the platform Headers object it builds (an object whose
 * prototype is swapped, which V8 makes slow).
 */
const withContext = (
  request: CourierRequest.CourierRequest,
  traceId: string,
  spanId: string,
  sampled: boolean,
  parentSpanId: string | undefined
): CourierRequest.CourierRequest => {
  const added = TraceContext.headersFor(request.headers, { traceId, spanId, sampled, parentSpanId })
  return added === undefined ? request : { ...request, headers: { ...request.headers, ...added } }
}

/** The request with the span's context headers. */
const propagated = (request: CourierRequest.CourierRequest, span: Tracer.Span): CourierRequest.CourierRequest =>
  // A disabled tracer hands out a no-op span, whose ids are not W3C ids: headersFor adds nothing.
  withContext(request, span.traceId, span.spanId, span.sampled, Option.getOrUndefined(span.parent)?.spanId)

const endAttributes = (span: Tracer.Span, outcome: Outcome.Outcome): void => {
  switch (outcome._tag) {
    case "Success":
      span.attribute("http.response.status_code", outcome.response.status)
      return
    case "Failure": {
      const status = Outcome.statusOf(outcome.error)
      if (status !== undefined) span.attribute("http.response.status_code", status)
      span.attribute("error.type", outcome.error._tag)
      const reason = Outcome.reasonOf(outcome.error)
      if (reason !== undefined) span.attribute("courier.failure.reason", reason)
      const phase = Outcome.phaseOf(outcome.error)
      if (phase !== undefined) span.attribute("courier.timeout.phase", phase)
      return
    }
    case "Interrupted":
      return
    case "Defect":
      span.attribute("error.type", "_OTHER")
      return
  }
}

// Effect's own tracer, the one in place when the program installs none. It
// keeps its spans in memory and hands them to no exporter: recording one per
// attempt (an attribute map, timings, random ids, a parent for every log
// line's span event) would cost every call and show nowhere.
const nativeTracer: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** The caller's span that trace context continues, as Effect picks a new span's parent. */
const parentOf = (current: Tracer.AnySpan | undefined): Tracer.AnySpan | undefined => {
  let span = current
  while (span !== undefined && Context.get(span.context, Tracer.DisablePropagation)) {
    span = span._tag === "Span" ? Option.getOrUndefined(span.parent) : undefined
  }
  return span
}

// Random ids as Effect's and OpenTelemetry's tracers make them (from
// Math.random), four bytes a draw, through a table: Number#toString(16) is
// slow enough to show in a profile.
const byteHex: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
const hex8 = (): string => {
  const r = (Math.random() * 0x1_0000_0000) >>> 0
  return byteHex[r >>> 24] + byteHex[(r >>> 16) & 255] + byteHex[(r >>> 8) & 255] + byteHex[r & 255]
}

/**
 * The request with trace context naming a new span id in the caller's trace
 * (or a new trace), as the headers of a span Effect's tracer would make:
 * sampled, `b3` naming the parent span.
 */
const propagatedWithoutSpan = (
  request: CourierRequest.CourierRequest,
  parent: Tracer.AnySpan | undefined
): CourierRequest.CourierRequest => {
  if (parent !== undefined && !TraceContext.isTraceId(parent.traceId)) return request
  const traceId = parent === undefined ? hex8() + hex8() + hex8() + hex8() : parent.traceId
  return withContext(request, traceId, hex8() + hex8(), true, parent?.spanId)
}

// The span names form a small set: made once per method, not once per call.
const spanNames = new Map<string, string>()
const spanName = (method: string): string => {
  let name = spanNames.get(method)
  if (name === undefined) {
    name = `http.client ${Outcome.methodLabel(method) === "_OTHER" ? "HTTP" : method}`
    if (spanNames.size < 64) spanNames.set(method, name)
  }
  return name
}

/** @internal */
export const layer = (options: Tracing.Options = {}) =>
  Client.layerDecorate((execute, client) =>
    Effect.map(Rules.Redaction, (inContext) => {
      const current = forClient(inContext, client.config.credentialHeaders)
      const redactor = options.redaction === undefined ? current : Rules.extend(current, options.redaction)
      const propagate = options.propagate ?? true
      // Trace context goes only to the base URL's origin: a traceparent
      // names our trace and span to whoever receives it.
      const origin = client.config.baseUrl?.origin
      const propagates = (request: CourierRequest.CourierRequest) =>
        propagate && origin !== undefined && request.url.origin === origin

      const recorded = (request: CourierRequest.CourierRequest) =>
        Effect.acquireUseRelease(
          Effect.makeSpan(spanName(request.method), {
            kind: "client",
            attributes: startAttributes(redactor, request),
            captureStackTrace: false
          }),
          (span) => Effect.withParentSpan(execute(propagates(request) ? propagated(request, span) : request), span),
          (span, exit) =>
            Effect.clockWith((clock) => {
              const outcome = Outcome.of(exit)
              endAttributes(span, outcome)
              span.end(clock.unsafeCurrentTimeNanos(), sanitize(outcome, exit))
              return Effect.void
            })
        )

      return (request: CourierRequest.CourierRequest) =>
        Effect.withFiberRuntime((fiber) => {
          // A disabled tracer makes no-op spans, and they propagate nothing.
          if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return execute(request)
          if (fiber.currentTracer !== nativeTracer) return recorded(request)
          // No tracer installed: the trace context still goes out, so the
          // server's spans join the caller's trace, but no span is recorded.
          return propagates(request) ? execute(propagatedWithoutSpan(request, parentOf(fiber.currentSpan))) : execute(request)
        })
    })
  )
