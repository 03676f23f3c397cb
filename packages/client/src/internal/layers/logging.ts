import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Client from "../core/client.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Logging from "../../Logging.js"
import type * as Redaction from "../../Redaction.js"
import * as Rules from "../redaction/rules.js"
import { currentRole, type Role } from "../core/callRole.js"
import * as Outcome from "../core/outcome.js"
import { forClient } from "../redaction/rules.js"

/** @internal */
export const message = "http"
/** @internal */
export const detailMessage = "http.detail"

const defaultMaxBodyBytes = 4 * 1024
const encoder = new TextEncoder()

interface Settings {
  readonly development: boolean
  readonly level: LogLevel.LogLevel
  readonly retryLevel: LogLevel.LogLevel
  readonly failureLevel: LogLevel.LogLevel
  readonly maxBodyBytes: number
  readonly redactor: Redaction.Redactor
}

const durationMs = (clock: Clock.Clock, start: bigint): number =>
  Math.round(Number(clock.unsafeCurrentTimeNanos() - start) / 10_000) / 100

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
): LogLevel.LogLevel => {
  switch (outcome._tag) {
    case "Success":
      return role !== "request" || request.attempt > 1 ? settings.retryLevel : settings.level
    case "Failure":
      return settings.failureLevel
    case "Interrupted":
      // Not a failure of the request: the caller gave up (a total timeout, a
      // race, a shutdown). Visible only when debugging.
      return LogLevel.Debug
    case "Defect":
      return LogLevel.Error
  }
}

/** The annotations of the request line: method, redacted URL, attempt, duration and how it ended. */
const summary = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  role: Role,
  duration: number
): Record<string, unknown> => {
  const annotations: Record<string, unknown> = {
    "http.method": request.method,
    "http.url": settings.redactor.url(request.url)
  }
  switch (outcome._tag) {
    case "Success":
      annotations["http.status"] = outcome.response.status
      annotations["http.outcome"] = "ok"
      break
    case "Failure": {
      const error = outcome.error
      const status = Outcome.statusOf(error)
      const reason = Outcome.reasonOf(error)
      const phase = Outcome.phaseOf(error)
      if (status !== undefined) annotations["http.status"] = status
      annotations["http.failure"] = error._tag
      if (reason !== undefined) annotations["http.reason"] = reason
      if (phase !== undefined) annotations["http.phase"] = phase
      annotations["http.outcome"] = error._tag
      break
    }
    case "Interrupted":
      annotations["http.outcome"] = "interrupted"
      break
    case "Defect":
      annotations["http.failure"] = "Defect"
      annotations["http.reason"] = outcome.name
      annotations["http.outcome"] = "defect"
      break
  }
  annotations["http.duration_ms"] = duration
  annotations["http.attempt"] = request.attempt
  if (role !== "request") annotations["http.role"] = role
  return annotations
}

const requestBody = (settings: Settings, request: CourierRequest.CourierRequest): string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Bytes":
      return settings.redactor.body(body.bytes, request.headers["content-type"] ?? body.contentType, settings.maxBodyBytes)
    case "Stream":
      return "<stream>"
    default:
      // Json, Text and Form are serialised to Bytes when the request is prepared.
      return `<${body._tag}>`
  }
}

const responseBody = (settings: Settings, response: CourierResponse.CourierResponse): string =>
  response.body._tag === "Buffered"
    ? settings.redactor.body(response.body.bytes, response.headers["content-type"], settings.maxBodyBytes)
    : "<stream, not read by logging>"

/** Headers and bodies for the development line, every one through the redactor. */
const details = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  annotations: Record<string, unknown>
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...annotations }
  out["http.request.headers"] = settings.redactor.headers(request.headers)
  const sent = requestBody(settings, request)
  if (sent !== undefined) out["http.request.body"] = sent
  if (outcome._tag === "Success") {
    out["http.response.headers"] = settings.redactor.headers(outcome.response.headers)
    out["http.response.body"] = responseBody(settings, outcome.response)
  } else if (outcome._tag === "Failure" && "headers" in outcome.error) {
    const error: CourierError.Unauthorized | CourierError.BadResponse = outcome.error
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

const emit = (
  settings: Settings,
  request: CourierRequest.CourierRequest,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>,
  clock: Clock.Clock,
  start: bigint
): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const minimum = fiber.getFiberRef(FiberRef.currentMinimumLogLevel)
    const outcome = Outcome.of(exit)
    const role = fiber.getFiberRef(currentRole)
    const level = levelOf(settings, request, outcome, role)
    const shown = LogLevel.greaterThanEqual(level, minimum)
    const debug = settings.development && LogLevel.greaterThanEqual(LogLevel.Debug, minimum)
    // Below the minimum level nothing is built: a quiet success costs a few comparisons.
    if (!shown && !debug) return Effect.void
    const annotations = summary(settings, request, outcome, role, durationMs(clock, start))
    const main = shown ? Effect.annotateLogs(Effect.logWithLevel(level, message), annotations) : Effect.void
    if (!debug) return main
    return Effect.zipRight(
      main,
      Effect.annotateLogs(Effect.logDebug(detailMessage), details(settings, request, outcome, annotations))
    )
  })

const maxLevel = (a: LogLevel.LogLevel, b: LogLevel.LogLevel): LogLevel.LogLevel =>
  LogLevel.greaterThanEqual(a, b) ? a : b

/** @internal */
export const layer = (options: Logging.Options = {}) =>
  Client.layerDecorate((execute, client) =>
    Effect.map(Rules.Redaction, (inContext) => {
      const current = forClient(inContext, client.config.credentialHeaders)
      const settings: Settings = {
        development: options.mode === "development",
        level: options.level ?? LogLevel.Debug,
        // A success worth noticing is never quieter than a routine one.
        retryLevel: maxLevel(options.retryLevel ?? LogLevel.Info, options.level ?? LogLevel.Debug),
        failureLevel: options.failureLevel ?? LogLevel.Warning,
        maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
        redactor: options.redaction === undefined ? current : Rules.extend(current, options.redaction)
      }
      return (request: CourierRequest.CourierRequest) =>
        Effect.clockWith((clock) => {
          const start = clock.unsafeCurrentTimeNanos()
          return Effect.onExit(execute(request), (exit) => emit(settings, request, exit, clock, start))
        })
    })
  )
