/**
 * Client spans as a Layer over the client: one span per `execute` call,
 * named `http.client <METHOD>` (`http.client HTTP` for a custom method),
 * kind `client`, a child of the caller's current span, with OpenTelemetry
 * HTTP attributes:
 *
 * - `http.request.method` (`_OTHER` plus `http.request.method_original`
 *   for a custom method), `url.full` (redacted: no user info, secret query
 *   values replaced), `url.scheme`, `server.address`, `server.port`;
 * - `courier.attempt`, and `http.request.resend_count` from the second attempt;
 * - `http.response.status_code` when the server answered;
 * - on a failure, `error.type` (the failure's tag) and
 *   `courier.failure.reason` or `courier.timeout.phase`.
 *
 * No attribute holds a header or a body. The span is ended with a stand-in
 * for the failure that carries only its tag and reason, since tracers record
 * the exit and a failure's message can quote the response body.
 *
 * With `propagate` (the default), `traceparent` and `b3` headers naming the
 * span (and, in `b3`, its parent) are added to requests whose origin is the
 * base URL's, and to no other origin. A header the request sets itself is
 * left alone.
 *
 * Spans are recorded only when a tracer is installed (`Effect.withTracer`,
 * or a Layer of an OpenTelemetry exporter). Under effect's own tracer, which
 * exports nothing, no span is made: the headers still go out, sampled, with
 * a new span id in the caller's trace (or a new trace), so the server's
 * spans still join it. With tracing disabled (`References.TracerEnabled`
 * false) nothing is sent.
 *
 * @example
 * ```ts
 * import { Tracing } from "@courier/client-effect4"
 *
 * const Spans = Tracing.layer({ propagate: true })
 * ```
 *
 * @since 0.1.0
 */
import type * as Redaction from "@courier/core/Redaction"
import type * as Layer from "effect/Layer"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/tracing.js"

/**
 * @since 0.1.0
 */
export interface Options {
  /** Send trace context headers to the base URL's origin. Default true. */
  readonly propagate?: boolean | undefined
  /** Names added to the redaction rules for this Layer. */
  readonly redaction?: Redaction.Options | undefined
}

/**
 * The tracing Layer, over the client below it.
 *
 * @since 0.1.0
 */
export const layer: (
  options?: Options
) => Layer.Layer<CourierClient.CourierClient, never, CourierClient.CourierClient> = internal.layer
