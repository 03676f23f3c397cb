import * as Telemetry from "@courier/core/Telemetry"
import * as TraceContext from "@courier/core/TraceContext"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import * as CourierClient from "../../CourierClient.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Tracing from "../../Tracing.js"
import * as Outcome from "./outcome.js"
import { redactorFor } from "./redactor.js"

// A span ends with a `SpanFailure`, never the real failure: a Courier
// failure's message can quote the response body, and tracers export it.
const sanitize = (
  outcome: Outcome.Outcome,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>
): Exit.Exit<void, unknown> => {
  switch (outcome._tag) {
    case "Success":
      return Exit.void
    case "Failure":
      return Exit.fail(new Telemetry.SpanFailure(outcome.error._tag, Outcome.phaseOf(outcome.error) ?? Outcome.reasonOf(outcome.error)))
    case "Interrupted":
      // Only interruptions in that cause: nothing from the request in it.
      return Exit.isFailure(exit) ? Exit.failCause(exit.cause) : Exit.void
    case "Defect":
      return Exit.die(new Telemetry.SpanFailure("Defect", outcome.name))
  }
}

const defaultPort = (url: URL): number => url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80

const startAttributes = (url: string, request: CourierRequest.CourierRequest): Record<string, unknown> => {
  const method = Outcome.methodLabel(request.method)
  const attributes: Record<string, unknown> = {
    "http.request.method": method,
    "url.full": url,
    "url.scheme": request.url.protocol.slice(0, -1),
    "server.address": request.url.hostname,
    "server.port": defaultPort(request.url),
    "courier.attempt": request.attempt
  }
  if (method === "_OTHER") attributes["http.request.method_original"] = request.method
  if (request.attempt > 1) attributes["http.request.resend_count"] = request.attempt - 1
  return attributes
}

const endAttributes = (span: Tracer.Span, outcome: Outcome.Outcome): void => {
  switch (outcome._tag) {
    case "Success":
      span.attribute("http.response.status_code", outcome.response.status)
      return
    case "Failure": {
      const status = Outcome.statusOf(outcome.error)
      if (status !== undefined) span.attribute("http.response.status_code", status)
      span.attribute("error.type", outcome.error._tag)
      const phase = Outcome.phaseOf(outcome.error)
      const reason = Outcome.reasonOf(outcome.error)
      if (phase !== undefined) span.attribute("courier.timeout.phase", phase)
      else if (reason !== undefined) span.attribute("courier.failure.reason", reason)
      return
    }
    case "Interrupted":
      return
    case "Defect":
      span.attribute("error.type", "Defect")
      return
  }
}

/**
 * The request with `traceparent` and `b3` naming `span` (each unless the
 * request sets its own; none when the ids are not W3C ids).
 */
const propagated = (request: CourierRequest.CourierRequest, span: Tracer.Span): CourierRequest.CourierRequest => {
  const parent = span.parent._tag === "Some" ? span.parent.value.spanId : undefined
  const added = TraceContext.headersFor(request.headers, {
    traceId: span.traceId,
    spanId: span.spanId,
    sampled: span.sampled,
    parentSpanId: parent
  })
  return added === undefined ? request : { ...request, headers: { ...request.headers, ...added } }
}

const byteHex: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
const randomHex = (bytes: number): string => {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  let out = ""
  for (const value of values) out += byteHex[value]
  return out
}

/**
 * The request with trace context naming a new span id in the caller's trace
 * (or a new trace), as a span of effect's own tracer would: sampled, `b3`
 * naming the caller's span.
 */
const propagatedWithoutSpan = (
  request: CourierRequest.CourierRequest,
  parent: Tracer.AnySpan | undefined
): CourierRequest.CourierRequest => {
  if (parent !== undefined && !TraceContext.isTraceId(parent.traceId)) return request
  const added = TraceContext.headersFor(request.headers, {
    traceId: parent === undefined ? randomHex(16) : parent.traceId,
    spanId: randomHex(8),
    sampled: true,
    parentSpanId: parent?.spanId
  })
  return added === undefined ? request : { ...request, headers: { ...request.headers, ...added } }
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
  CourierClient.layerDecorate((execute, client) =>
    Effect.sync(() => {
      const redactor = redactorFor(client, options.redaction)
      const propagate = options.propagate ?? true
      // Trace context goes only to the base URL's origin: a traceparent names
      // our trace and span to whoever receives it.
      const origin = client.config.baseUrl?.origin
      const propagates = (request: CourierRequest.CourierRequest) =>
        propagate && origin !== undefined && request.url.origin === origin

      const recorded = (request: CourierRequest.CourierRequest) =>
        Effect.flatMap(
          Effect.makeSpan(spanName(request.method), {
            kind: "client",
            attributes: startAttributes(redactor.url(request.url), request)
          }),
          (span) =>
            Effect.onExit(
              Effect.withParentSpan(execute(propagates(request) ? propagated(request, span) : request), span),
              (exit) =>
                Effect.clockWith((clock) => {
                  const outcome = Outcome.of(exit)
                  endAttributes(span, outcome)
                  span.end(clock.currentTimeNanosUnsafe(), sanitize(outcome, exit))
                  return Effect.void
                })
            )
        )

      return (request: CourierRequest.CourierRequest) =>
        Effect.withFiber((fiber) => {
          // A disabled tracer: no span, and nothing to propagate.
          if (!fiber.getRef(References.TracerEnabled)) return execute(request)
          if (fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer) return recorded(request)
          // Effect's own tracer keeps its spans in memory and hands them to no
          // exporter: a span per call would cost every call and show nowhere.
          // The trace context still goes out, so the server's spans join the
          // caller's trace.
          if (!propagates(request)) return execute(request)
          return execute(propagatedWithoutSpan(request, Context.getOrUndefined(fiber.context, Tracer.ParentSpan)))
        })
    })
  )
