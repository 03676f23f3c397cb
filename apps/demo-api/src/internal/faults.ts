import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Respondable from "@effect/platform/HttpServerRespondable"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import { BadRequest, json, pathInt, queryInt, queryNumber, queryString } from "./http.js"

/** @internal Faults applied to every resource route. */
export interface ResourceFaults {
  readonly latency: Option.Option<Duration.Duration>
  readonly errorRate: number
}

const injectedError = (code: number) => json({ error: "injected fault", code }, code)

/** @internal Wraps a route handler with the configured latency and error rate. */
export const withFaults = (faults: ResourceFaults) =>
<E, R>(
  handler: HttpApp.HttpApp<Respondable.Respondable, E, R>
): HttpApp.HttpApp<Respondable.Respondable, E, R> => {
  if (Option.isNone(faults.latency) && faults.errorRate <= 0) return handler
  return Effect.gen(function*() {
    if (Option.isSome(faults.latency)) yield* Effect.sleep(faults.latency.value)
    if (faults.errorRate > 0 && (yield* Random.next) < faults.errorRate) return injectedError(503)
    return yield* handler
  })
}

const statusText = (code: number): string => Http.STATUS_CODES[code] ?? `status ${code}`

// 204, 205 and 304 must not carry a body; Node would drop it anyway.
const bodiless = new Set([204, 205, 304])

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/**
 * @internal
 * `/fault/*`, on every method so retry policies that depend on the method can
 * be tried. Per-key counters live as long as the server.
 */
export const make = Effect.gen(function*() {
  const flakyCalls = yield* Ref.make(HashMap.empty<string, number>())
  const rateLimitCalls = yield* Ref.make(HashMap.empty<string, number>())
  const nextCall = (ref: Ref.Ref<HashMap.HashMap<string, number>>, key: string) =>
    Ref.modify(ref, (calls): [number, HashMap.HashMap<string, number>] => {
      const call = Option.getOrElse(HashMap.get(calls, key), () => 0) + 1
      return [call, HashMap.set(calls, key, call)]
    })

  const latency = Effect.gen(function*() {
    const ms = yield* queryInt("ms", { default: 1_000, min: 0, max: 600_000 })
    yield* Effect.sleep(Duration.millis(ms))
    return json({ ok: true, delayedMs: ms })
  })

  // Chunk i goes out i * interval after the head, so the head and first
  // chunk arrive at once and the gaps are what a read timeout should see.
  const drip = Effect.gen(function*() {
    const chunks = yield* queryInt("chunks", { default: 10, min: 1, max: 100_000 })
    const interval = yield* queryInt("interval", { default: 500, min: 0, max: 600_000 })
    const bytes = yield* queryInt("bytes", { default: 1, min: 1, max: 1024 * 1024 })
    const chunk = new Uint8Array(bytes).fill(0x2e)
    const body = Stream.range(0, chunks - 1).pipe(
      Stream.mapEffect((i) =>
        i === 0 ? Effect.succeed(chunk) : Effect.as(Effect.sleep(Duration.millis(interval)), chunk)
      )
    )
    return HttpServerResponse.stream(body, {
      contentType: "text/plain",
      headers: { "content-length": String(chunks * bytes) }
    })
  })

  const flaky = Effect.gen(function*() {
    const key = yield* queryString("key", "default")
    const failures = yield* queryInt("failures", { default: 2, min: 0, max: 1_000_000 })
    const status = yield* queryInt("status", { default: 503, min: 400, max: 599 })
    const attempt = yield* nextCall(flakyCalls, key)
    return attempt <= failures
      ? json({ error: statusText(status), code: status, attempt }, status)
      : json({ ok: true, attempts: attempt })
  })

  const rateLimit = Effect.gen(function*() {
    const key = yield* queryString("key", "default")
    const retryAfter = yield* queryInt("retryAfter", { default: 1, min: 0, max: 86_400 })
    const attempt = yield* nextCall(rateLimitCalls, key)
    return attempt === 1
      ? json({ error: "rate limited", retryAfter }, 429, { "retry-after": String(retryAfter) })
      : json({ ok: true, attempts: attempt })
  })

  const status = Effect.gen(function*() {
    const code = yield* pathInt("code", 200, 599, "BadRequest")
    return bodiless.has(code)
      ? HttpServerResponse.empty({ status: code })
      : json({ error: statusText(code), code }, code)
  })

  const redirect = Effect.gen(function*() {
    const to = yield* queryString("to", "")
    const code = yield* queryInt("status", { default: 302, min: 300, max: 399 })
    if (to === "") return yield* new BadRequest({ error: "query parameter to is required", issues: [] })
    if (!redirectStatuses.has(code)) {
      return yield* new BadRequest({ error: "status must be one of 301, 302, 303, 307, 308", issues: [] })
    }
    return HttpServerResponse.redirect(to, { status: code })
  })

  const errorRate = Effect.gen(function*() {
    const rate = yield* queryNumber("rate", { default: 0.5, min: 0, max: 1 })
    return (yield* Random.next) < rate ? injectedError(503) : json({ ok: true })
  })

  return HttpRouter.empty.pipe(
    HttpRouter.all("/fault/latency", latency),
    HttpRouter.all("/fault/stall", Effect.never),
    HttpRouter.all("/fault/drip", drip),
    HttpRouter.all("/fault/flaky", flaky),
    HttpRouter.all("/fault/ratelimit", rateLimit),
    HttpRouter.all("/fault/status/:code", status),
    HttpRouter.all("/fault/redirect", redirect),
    HttpRouter.all(
      "/fault/bad-json",
      Effect.succeed(HttpServerResponse.text(`{"ok": true, "items": [1, 2,`, { contentType: "application/json" }))
    ),
    HttpRouter.all(
      "/fault/html",
      Effect.succeed(HttpServerResponse.html(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
          "<body><center><h1>502 Bad Gateway</h1></center><hr><center>demo-proxy</center></body></html>\n"
      ))
    ),
    HttpRouter.all("/fault/error-rate", errorRate)
  )
})
