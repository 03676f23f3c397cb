import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { BadRequest, decodeBody, json } from "./http.js"

/** @internal The flags the demo serves at start. */
export const seedFlags: Readonly<Record<string, unknown>> = {
  enable_new_ui: false,
  welcome_message: "Welcome to Courier",
  max_items: 20,
  theme: { accent: "teal", density: "comfortable" }
}

interface FlagState {
  readonly flags: Readonly<Record<string, unknown>>
  /** Bumped by every change; the ETag and the event id are made of it. */
  readonly version: number
}

const EvaluationRequest = Schema.Struct({
  context: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
const SetBody = Schema.Struct({ value: Schema.Unknown })

const etagOf = (version: number) => `"flags-${version}"`

// Every flag is static in the demo: the same value for every context.
const evaluated = (key: string, value: unknown) => ({
  key,
  value,
  reason: "STATIC",
  variant: typeof value === "boolean" ? (value ? "on" : "off") : "default",
  metadata: {}
})

const encoder = new TextEncoder()

/**
 * @internal
 * OFREP over the demo's flags: bulk evaluation with an ETag (304 on a
 * matching `If-None-Match`), single evaluation, a server-sent event stream
 * that announces changes (id = version, replayed on a `Last-Event-ID`
 * behind the current one), and routes to change a flag.
 */
export const make = Effect.gen(function*() {
  const state = yield* Ref.make<FlagState>({ flags: seedFlags, version: 1 })
  const changes = yield* PubSub.unbounded<FlagState>()

  const change = (key: string, update: (current: unknown) => Effect.Effect<unknown, BadRequest>) =>
    Effect.gen(function*() {
      const current = yield* Ref.get(state)
      const value = yield* update(current.flags[key])
      const next = { flags: { ...current.flags, [key]: value }, version: current.version + 1 }
      yield* Ref.set(state, next)
      yield* PubSub.publish(changes, next)
      return json(evaluated(key, value))
    })

  const bulk = Effect.gen(function*() {
    yield* decodeBody(EvaluationRequest)
    const request = yield* HttpServerRequest.HttpServerRequest
    const { flags, version } = yield* Ref.get(state)
    const etag = etagOf(version)
    if (request.headers["if-none-match"] === etag) return HttpServerResponse.empty({ status: 304, headers: { etag } })
    return json({ flags: Object.entries(flags).map(([key, value]) => evaluated(key, value)) }, 200, { etag })
  })

  const single = Effect.gen(function*() {
    yield* decodeBody(EvaluationRequest)
    const { key = "" } = yield* HttpRouter.params
    const { flags } = yield* Ref.get(state)
    if (!Object.hasOwn(flags, key)) {
      return json({ key, errorCode: "FLAG_NOT_FOUND", errorDetails: `flag ${key} does not exist` }, 404)
    }
    return json(evaluated(key, flags[key]))
  })

  const event = (version: number) => encoder.encode(`id: ${version}\nevent: flags-changed\ndata: {"etag":${JSON.stringify(etagOf(version))}}\n\n`)

  const events = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const lastSeen = Number(request.headers["last-event-id"] ?? Number.NaN)
    // A comment every 15 seconds keeps idle timeouts on the way from closing the stream.
    const heartbeat = Stream.fromSchedule(Schedule.spaced("15 seconds")).pipe(Stream.as(encoder.encode(": keep-alive\n\n")))
    // Subscribed before the state is read and before the first byte: a change
    // lands either in the version read or in the subscription.
    const body = Stream.unwrapScoped(Effect.gen(function*() {
      const subscription = yield* PubSub.subscribe(changes)
      const current = yield* Ref.get(state)
      // A new client learns the current version at once, so a change between
      // its last evaluation and this connection is not lost; a resuming
      // client hears it only when it missed a change.
      const replay = Number.isInteger(lastSeen) && lastSeen >= current.version ? [] : [event(current.version)]
      const live = Stream.fromQueue(subscription).pipe(Stream.map((next) => event(next.version)))
      return Stream.concat(
        Stream.fromIterable([encoder.encode("retry: 1000\n\n"), ...replay]),
        Stream.merge(live, heartbeat)
      )
    }))
    return HttpServerResponse.stream(body, {
      contentType: "text/event-stream",
      headers: { "cache-control": "no-cache" }
    })
  })

  const flip = Effect.gen(function*() {
    const { key = "" } = yield* HttpRouter.params
    return yield* change(key, (current) =>
      typeof current === "boolean"
        ? Effect.succeed(!current)
        : Effect.fail(new BadRequest({ error: `flag ${key} is not a boolean`, issues: [] })))
  })

  const set = Effect.gen(function*() {
    const { key = "" } = yield* HttpRouter.params
    const { value } = yield* decodeBody(SetBody)
    return yield* change(key, () => Effect.succeed(value))
  })

  return HttpRouter.empty.pipe(
    HttpRouter.post("/ofrep/v1/evaluate/flags", bulk),
    HttpRouter.post("/ofrep/v1/evaluate/flags/:key", single),
    HttpRouter.get("/flags/events", events),
    HttpRouter.post("/flags/:key/flip", flip),
    HttpRouter.put("/flags/:key", set)
  )
})
