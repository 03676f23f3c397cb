/**
 * Request logging as a Layer over the client, through Effect's logger (so
 * `Logger.json` or `Logger.logFmt` make it machine-readable), never the
 * console.
 *
 * Every `execute` call writes exactly one request line, message `http`, with
 * these annotations:
 *
 * - `http.method`, `http.url` (redacted by the current `Redaction` rules),
 * - `http.status` when the server answered,
 * - `http.failure` (the failure's `_tag`), `http.reason` and `http.phase`
 *   when the failure has them,
 * - `http.outcome`: `ok`, the failure's tag, `interrupted` or `defect`,
 * - `http.duration_ms` (Clock time, so `TestClock` makes it deterministic),
 * - `http.attempt`,
 * - `http.role`: `refresh` for the auth Layer's refresh call, `replay` for
 *   the request sent again after a refresh (absent for other requests).
 *
 * A routine success logs at `level` (Debug), so it stays out of Effect's
 * default output (minimum level Info): a CLI does not print a line per call
 * into its own stdout. A success that is worth noticing (an attempt after a
 * retry, a refresh call, a replay after a refresh) logs at `retryLevel`
 * (Info); a failure at `failureLevel` (Warning, retried attempts included);
 * a defect at Error. An interrupted call (the caller's total timeout, a
 * race, a shutdown) is not a failure of the request: it logs at Debug with
 * `http.outcome=interrupted`. `level: LogLevel.Info` shows every success.
 *
 * The level is decided first: a line under the minimum log level builds
 * nothing (no annotations, no redaction).
 *
 * Placed above the retry Layer it logs once per call; below it, once per
 * attempt (`http.attempt` tells them apart).
 *
 * In `development` mode, when Debug is enabled (`Logger.minimumLogLevel`),
 * each call also writes one Debug line `http.detail` with the same
 * annotations plus `http.request.headers`, `http.request.body`,
 * `http.response.headers` and `http.response.body`, all redacted, bodies cut
 * to `maxBodyBytes`. Only buffered bodies are shown: a streaming response
 * is never read by logging. `production` mode does no header or body work
 * at all.
 *
 * @example
 * ```ts
 * import { Logging } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 * import * as Logger from "effect/Logger"
 * import * as LogLevel from "effect/LogLevel"
 *
 * const Client = Logging.layer({ mode: "development", redaction: { headers: ["x-session"] } }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 *
 * // logfmt lines; the development detail lines appear at Debug.
 * const withLogs = <A, E, R>(program: Effect.Effect<A, E, R>) =>
 *   program.pipe(Effect.provide(Logger.logFmt), Logger.withMinimumLogLevel(LogLevel.Debug))
 * ```
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/logging.js"
import type * as Redaction from "./Redaction.js"

/**
 * `production` logs the request line only; `development` adds headers and
 * bodies at Debug.
 *
 * @since 0.1.0
 */
export type Mode = "production" | "development"

/**
 * @since 0.1.0
 */
export interface Options {
  /** Default `production`. */
  readonly mode?: Mode | undefined
  /** The level of the request line of a routine success. Default `Debug`; `Info` shows every call. */
  readonly level?: LogLevel.LogLevel | undefined
  /**
   * The level of a success after a retry (`http.attempt` above 1), of the
   * refresh call and of the replay after a refresh. Default `Info`, and never
   * below `level`.
   */
  readonly retryLevel?: LogLevel.LogLevel | undefined
  /** The level of the request line of a failure. Default `Warning`. */
  readonly failureLevel?: LogLevel.LogLevel | undefined
  /** Development mode: the longest body excerpt, in characters. Default 4096. */
  readonly maxBodyBytes?: number | undefined
  /** Rules added to the current `Redaction` redactor for this Layer. */
  readonly redaction?: Redaction.Options | undefined
}

/**
 * The message of the request line.
 *
 * @since 0.1.0
 */
export const message: string = internal.message

/**
 * The message of the development-mode Debug line.
 *
 * @since 0.1.0
 */
export const detailMessage: string = internal.detailMessage

/**
 * The logging Layer, over the client below it.
 *
 * @since 0.1.0
 */
export const layer: (
  options?: Options
) => Layer.Layer<CourierClient.CourierClient, never, CourierClient.CourierClient> = internal.layer
