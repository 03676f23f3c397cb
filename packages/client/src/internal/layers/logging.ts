import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Inspectable from "effect/Inspectable"
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

/**
 * The request line's annotations (method, redacted URL, attempt, duration and
 * how it ended), added to the fiber's own as `Effect.annotateLogs` would.
 */
const summary = (
  into: HashMap.HashMap<string, unknown>,
  settings: Settings,
  request: CourierRequest.CourierRequest,
  outcome: Outcome.Outcome,
  role: Role,
  duration: number
): HashMap.HashMap<string, unknown> =>
  HashMap.mutate(into, (annotations) => {
    HashMap.set(annotations, "http.method", request.method)
    HashMap.set(annotations, "http.url", settings.redactor.url(request.url))
    switch (outcome._tag) {
      case "Success":
        HashMap.set(annotations, "http.status", outcome.response.status)
        HashMap.set(annotations, "http.outcome", "ok")
        break
      case "Failure": {
        const error = outcome.error
        const status = Outcome.statusOf(error)
        const reason = Outcome.reasonOf(error)
        const phase = Outcome.phaseOf(error)
        if (status !== undefined) HashMap.set(annotations, "http.status", status)
        HashMap.set(annotations, "http.failure", error._tag)
        if (reason !== undefined) HashMap.set(annotations, "http.reason", reason)
        if (phase !== undefined) HashMap.set(annotations, "http.phase", phase)
        HashMap.set(annotations, "http.outcome", error._tag)
        break
      }
      case "Interrupted":
        HashMap.set(annotations, "http.outcome", "interrupted")
        break
      case "Defect":
        HashMap.set(annotations, "http.failure", "Defect")
        HashMap.set(annotations, "http.reason", outcome.name)
        HashMap.set(annotations, "http.outcome", "defect")
        break
    }
    HashMap.set(annotations, "http.duration_ms", duration)
    HashMap.set(annotations, "http.attempt", request.attempt)
    if (role !== "request") HashMap.set(annotations, "http.role", role)
  })

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
  annotations: HashMap.HashMap<string, unknown>
): HashMap.HashMap<string, unknown> =>
  HashMap.mutate(annotations, (out) => {
    HashMap.set(out, "http.request.headers", settings.redactor.headers(request.headers))
    const sent = requestBody(settings, request)
    if (sent !== undefined) HashMap.set(out, "http.request.body", sent)
    if (outcome._tag === "Success") {
      HashMap.set(out, "http.response.headers", settings.redactor.headers(outcome.response.headers))
      HashMap.set(out, "http.response.body", responseBody(settings, outcome.response))
    } else if (outcome._tag === "Failure" && "headers" in outcome.error) {
      const error: CourierError.Unauthorized | CourierError.BadResponse = outcome.error
      HashMap.set(out, "http.response.headers", settings.redactor.headers(error.headers))
      if (error.bodyExcerpt !== "") {
        HashMap.set(
          out,
          "http.response.body",
          settings.redactor.body(encoder.encode(error.bodyExcerpt), error.headers["content-type"], settings.maxBodyBytes)
        )
      }
    }
  })

/**
 * Hands one line to the fiber's loggers, as `Effect.logWithLevel` inside
 * `Effect.annotateLogs` does (same message, level, annotations, spans,
 * date, redaction context), without the two fiber-ref updates the
 * annotations would take and the effects around them: the line is written
 * where the call ends, with its annotations built once.
 */
const write = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  clock: Clock.Clock,
  level: LogLevel.LogLevel,
  text: string,
  annotations: HashMap.HashMap<string, unknown>
): void => {
  const loggers = fiber.getFiberRef(FiberRef.currentLoggers)
  if (HashSet.size(loggers) === 0) return
  const spans = fiber.getFiberRef(FiberRef.currentLogSpan)
  const context = fiber.getFiberRefs()
  const fiberId = fiber.id()
  const date = new Date(clock.unsafeCurrentTimeMillis())
  Inspectable.withRedactableContext(context, () => {
    for (const logger of loggers) {
      logger.log({ fiberId, logLevel: level, message: [text], cause: Cause.empty, context, spans, annotations, date })
    }
  })
}

const emit = (
  settings: Settings,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  request: CourierRequest.CourierRequest,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>,
  clock: Clock.Clock,
  start: bigint
): void => {
  const minimum = fiber.getFiberRef(FiberRef.currentMinimumLogLevel)
  const outcome = Outcome.of(exit)
  const role = fiber.getFiberRef(currentRole)
  const level = levelOf(settings, request, outcome, role)
  const shown = LogLevel.greaterThanEqual(level, minimum)
  const debug = settings.development && LogLevel.greaterThanEqual(LogLevel.Debug, minimum)
  // Below the minimum level nothing is built: a quiet success costs a few comparisons.
  if (!shown && !debug) return
  const annotations = summary(
    fiber.getFiberRef(FiberRef.currentLogAnnotations),
    settings,
    request,
    outcome,
    role,
    durationMs(clock, start)
  )
  if (shown) write(fiber, clock, level, message, annotations)
  if (debug) write(fiber, clock, LogLevel.Debug, detailMessage, details(settings, request, outcome, annotations))
}

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
        Effect.withFiberRuntime((fiber) => {
          const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
          const start = clock.unsafeCurrentTimeNanos()
          // The handler runs on this fiber, when the call has ended.
          return Effect.onExit(execute(request), (exit) => {
            emit(settings, fiber, request, exit, clock, start)
            return Effect.void
          })
        })
    })
  )
