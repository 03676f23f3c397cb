/**
 * Request logging as a Layer over the client, through effect's loggers (so
 * `Logger.consoleJson` or `Logger.consoleLogFmt` make it machine-readable),
 * never the console directly.
 *
 * Every `execute` call writes exactly one request line, message `http`, with
 * these annotations:
 *
 * - `http.method`, `http.url` (redacted: no user info, no fragment, the
 *   values of secret query parameters such as `token` or `api_key` replaced);
 * - `http.status` when the server answered;
 * - `http.failure` (the failure's `_tag`), `http.reason` and `http.phase`
 *   when the failure has them; never its message or body;
 * - `http.outcome`: `ok`, the failure's tag, `interrupted` or `defect`;
 * - `http.duration_ms` (Clock time, so `TestClock` makes it deterministic);
 * - `http.attempt`;
 * - `http.role`: `refresh` for the auth Layer's refresh call, `replay` for
 *   the request sent again after a refresh (absent for other requests).
 *
 * A routine success logs at `level` (Debug), so it stays out of effect's
 * default output (minimum level Info). A success worth noticing (an attempt
 * after a retry, a refresh call, a replay after a refresh) logs at
 * `retryLevel` (Info); a failure at `failureLevel` (Warn); a defect at
 * Error. An interrupted call logs at Debug with `http.outcome=interrupted`.
 *
 * The level is decided first: a line under the minimum log level builds
 * nothing (no annotations, no redaction).
 *
 * In `development` mode, when Debug is enabled, each call also writes one
 * Debug line `http.detail` with the same annotations plus
 * `http.request.headers`, `http.request.body`, `http.response.headers` and
 * `http.response.body`, redacted (`authorization`, `cookie`, `set-cookie`
 * and the other secret headers show as `<redacted>`, and so do secret JSON
 * and form fields such as `password` or `refresh_token`), bodies cut to
 * `maxBodyBytes`. Only buffered bodies are shown: a streaming body is never
 * read by logging. `production` mode does no header or body work at all.
 *
 * @example
 * ```ts
 * import { Logging } from "@courier/client-effect4"
 *
 * const Quiet = Logging.layer()
 * const Everything = Logging.layer({ level: "Info", mode: "development", redaction: { headers: ["x-session"] } })
 * ```
 *
 * @since 0.1.0
 */
import type * as Redaction from "@courier/core/Redaction"
import type * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/logging.js"

/**
 * `production` logs the request line only; `development` adds headers and bodies at Debug.
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
  readonly level?: LogLevel.Severity | undefined
  /**
   * The level of a success after a retry (`http.attempt` above 1), of the
   * refresh call and of the replay after a refresh. Default `Info`, and
   * never below `level`.
   */
  readonly retryLevel?: LogLevel.Severity | undefined
  /** The level of the request line of a failure. Default `Warn`. */
  readonly failureLevel?: LogLevel.Severity | undefined
  /** Development mode: the longest body excerpt, in characters. Default 4096. */
  readonly maxBodyBytes?: number | undefined
  /** Names added to the redaction rules for this Layer. */
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
