/**
 * Trace context on the wire: W3C `traceparent` and Zipkin `b3` (single
 * header), as effect's HTTP trace context writes them, so a server's spans
 * join the client's trace.
 */

const hex32 = /^[0-9a-f]{32}$/
const hex16 = /^[0-9a-f]{16}$/

/** What the headers name: the trace, the client span, and the span it is a child of. */
export interface Ids {
  readonly traceId: string
  readonly spanId: string
  readonly sampled: boolean
  readonly parentSpanId?: string | undefined
}

/** Whether `id` is a W3C trace id (32 lower-case hex digits). */
export const isTraceId = (id: string): boolean => hex32.test(id)

/** Whether the ids are W3C ids (an external tracer may use others, which are not propagated). */
export const isW3c = (ids: Ids): boolean => hex32.test(ids.traceId) && hex16.test(ids.spanId)

/**
 * The trace context headers to add to `headers` (lower-cased names): each
 * of `traceparent` and `b3` that the request does not set itself. Undefined
 * when there is nothing to add or the ids are not W3C ids.
 */
export const headersFor = (
  headers: Readonly<Record<string, string>>,
  ids: Ids
): Readonly<Record<string, string>> | undefined => {
  if (!isW3c(ids)) return undefined
  const b3 = headers["b3"] === undefined
    ? `${ids.traceId}-${ids.spanId}-${ids.sampled ? "1" : "0"}${ids.parentSpanId === undefined ? "" : `-${ids.parentSpanId}`}`
    : undefined
  const traceparent = headers["traceparent"] === undefined
    ? `00-${ids.traceId}-${ids.spanId}-${ids.sampled ? "01" : "00"}`
    : undefined
  if (b3 === undefined && traceparent === undefined) return undefined
  return {
    ...(b3 === undefined ? {} : { b3 }),
    ...(traceparent === undefined ? {} : { traceparent })
  }
}
