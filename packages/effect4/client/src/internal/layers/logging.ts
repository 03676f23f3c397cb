import type * as Redaction from "@courier/core/Redaction"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as CourierClient from "../../CourierClient.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Logging from "../../Logging.js"
import { CurrentRole, type Role } from "./callRole.js"
import * as Outcome from "./outcome.js"
import { redactorFor } from "./redactor.js"

/** @internal */
export const message = "http"
/** @internal */
export const detailMessage = "http.detail"

interface Settings {
  readonly development: boolean
  readonly level: LogLevel.Severity
  readonly retryLevel: LogLevel.Severity
  readonly failureLevel: LogLevel.Severity
  readonly maxBodyBytes: number
  readonly redactor: Redaction.Redactor
}

/**
 * The level of the request line, known before anything is built: a routine
 * success is quiet (Debug by default), a success that needed a retry, a
 * refresh or a replay after one says so (Info), a failure warns.
 */
const levelOf = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  role: Role
): LogLevel.Severity => {
  switch (outcome._tag) {
    case "Success":
      return role !== "request" || request.attempt > 1 ? settings.retryLevel : settings.level
    case "Failure":
      return settings.failureLevel
    case "Interrupted":
      // Not a failure of the request: the caller gave up (a total timeout, a
      // race, a shutdown). Visible only when debugging.
      return "Debug"
    case "Defect":
      return "Error"
  }
}

/** The request line's annotations: method, redacted URL, attempt, duration and how it ended. */
const summary = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  role: Role,
  durationMs: number
): Record<string, unknown> => {
  const out: Record<string, unknown> = {
    "http.method": request.method,
    "http.url": settings.redactor.url(request.url)
  }
  switch (outcome._tag) {
    case "Success":
      out["http.status"] = outcome.response.status
      out["http.outcome"] = "ok"
      break
    case "Failure": {
      const error = outcome.error
      const status = Outcome.statusOf(error)
      const reason = Outcome.reasonOf(error)
      const phase = Outcome.phaseOf(error)
      if (status !== undefined) out["http.status"] = status
      out["http.failure"] = error._tag
      if (reason !== undefined) out["http.reason"] = reason
      if (phase !== undefined) out["http.phase"] = phase
      out["http.outcome"] = error._tag
      break
    }
    case "Interrupted":
      out["http.outcome"] = "interrupted"
      break
    case "Defect":
      out["http.failure"] = "Defect"
      out["http.reason"] = outcome.name
      out["http.outcome"] = "defect"
      break
  }
  out["http.duration_ms"] = durationMs
  out["http.attempt"] = request.attempt
  if (role !== "request") out["http.role"] = role
  return out
}

const encoder = new TextEncoder()

/** The request body as the development line shows it; a stream is never read by logging. */
const requestBody = (settings: Settings, request: CourierRequest.CourierRequest): string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Bytes":
      return settings.redactor.body(body.bytes, request.headers["content-type"] ?? body.contentType, settings.maxBodyBytes)
    case "Text":
      return settings.redactor.body(encoder.encode(body.text), body.contentType, settings.maxBodyBytes)
    default:
      return `<${body._tag}>`
  }
}

/** The development line adds headers and buffered bodies, every one through the redactor. */
const details = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  annotations: Record<string, unknown>
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...annotations, "http.request.headers": settings.redactor.headers(request.headers) }
  const sent = requestBody(settings, request)
  if (sent !== undefined) out["http.request.body"] = sent
  if (outcome._tag === "Success") {
    const response = outcome.response
    out["http.response.headers"] = settings.redactor.headers(response.headers)
    out["http.response.body"] = response.body._tag === "Buffered"
      ? settings.redactor.body(response.body.bytes, response.headers["content-type"], settings.maxBodyBytes)
      : "<stream, not read by logging>"
  } else if (outcome._tag === "Failure" && "headers" in outcome.error) {
    const error = outcome.error
    out["http.response.headers"] = settings.redactor.headers(error.headers)
    if (error.bodyExcerpt !== "") {
      out["http.response.body"] = settings.redactor.body(
        encoder.encode(error.bodyExcerpt),
        error.headers["content-type"],
        settings.maxBodyBytes
      )
    }
  }
  return out
}

const maxLevel = (a: LogLevel.Severity, b: LogLevel.Severity): LogLevel.Severity =>
  LogLevel.isGreaterThanOrEqualTo(a, b) ? a : b

const line = (level: LogLevel.Severity, text: string, annotations: Record<string, unknown>): Effect.Effect<void> =>
  Effect.annotateLogs(Effect.logWithLevel(level)(text), annotations)

/** @internal */
export const layer = (options: Logging.Options = {}) =>
  CourierClient.layerDecorate((execute, client) =>
    Effect.sync(() => {
      const level = options.level ?? "Debug"
      const settings: Settings = {
        development: options.mode === "development",
        level,
        // A success worth noticing is never quieter than a routine one.
        retryLevel: maxLevel(options.retryLevel ?? "Info", level),
        failureLevel: options.failureLevel ?? "Warn",
        maxBodyBytes: options.maxBodyBytes ?? 4096,
        redactor: redactorFor(client, options.redaction)
      }
      const emit = (
        request: CourierRequest.CourierRequest,
        exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>,
        minimum: LogLevel.LogLevel,
        role: Role,
        durationMs: number
      ): Effect.Effect<void> => {
        const outcome = Outcome.of(exit)
        const chosen = levelOf(settings, request, outcome, role)
        const shown = LogLevel.isGreaterThanOrEqualTo(chosen, minimum)
        const debug = settings.development && LogLevel.isGreaterThanOrEqualTo("Debug", minimum)
        // Below the minimum level nothing is built: a quiet success costs a few comparisons.
        if (!shown && !debug) return Effect.void
        const annotations = summary(settings, request, outcome, role, durationMs)
        const main = shown ? line(chosen, message, annotations) : Effect.void
        return debug ? Effect.andThen(main, line("Debug", detailMessage, details(settings, request, outcome, annotations))) : main
      }
      return (request: CourierRequest.CourierRequest) =>
        Effect.withFiber((fiber) => {
          const clock = fiber.getRef(Clock.Clock)
          const start = clock.currentTimeNanosUnsafe()
          return Effect.onExit(execute(request), (exit) => {
            const durationMs = Math.round(Number(clock.currentTimeNanosUnsafe() - start) / 10_000) / 100
            return emit(request, exit, fiber.getRef(References.MinimumLogLevel), fiber.getRef(CurrentRole), durationMs)
          })
        })
    })
  )
