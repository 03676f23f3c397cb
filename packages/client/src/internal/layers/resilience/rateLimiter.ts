import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Client from "../../core/client.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import type * as CourierResponse from "../../../CourierResponse.js"
import type * as RateLimiter from "../../../RateLimiter.js"
import { decodeDuration } from "../../core/config.js"
import * as Deadline from "../../core/deadline.js"
import * as Metrics from "../metrics.js"
import { retryAfter } from "../retry.js"
import { originKey } from "./breaker.js"
import { exhaustedFor, policyOf } from "@courier/core/RateLimitHeaders"
import * as Store from "./store.js"
import { isLocal } from "../../core/localStore.js"

interface Settings {
  readonly key: (request: CourierRequest.CourierRequest) => string
  readonly bucket: { readonly capacity: number; readonly millisPerToken: number } | undefined
  readonly maxWait: number
  readonly defaultPause: number
}

const settingsOf = (options: RateLimiter.Options): Settings | string => {
  const maxWait = decodeDuration(options.maxWait ?? Duration.seconds(30))
  if (maxWait === undefined) return "maxWait is not a duration"
  const defaultPause = decodeDuration(options.pauseWithoutRetryAfter ?? Duration.seconds(1))
  if (defaultPause === undefined) return "pauseWithoutRetryAfter is not a duration"
  let bucket: Settings["bucket"] = undefined
  if (options.limit !== undefined) {
    const per = decodeDuration(options.limit.per)
    if (per === undefined) return "limit.per is not a duration"
    const requests = options.limit.requests
    if (!(Number.isInteger(requests) && requests >= 1)) return "limit.requests must be a whole number of at least 1"
    bucket = { capacity: requests, millisPerToken: Duration.toMillis(per) / requests }
  }
  return {
    key: options.key ?? originKey,
    bucket,
    maxWait: Duration.toMillis(maxWait),
    defaultPause: Duration.toMillis(defaultPause)
  }
}

type Decision =
  | { readonly _tag: "Go" }
  | { readonly _tag: "Wait"; readonly millis: number; readonly reserved: boolean }
  | { readonly _tag: "Reject"; readonly retryAt: number }

const go: Decision = { _tag: "Go" }

const initial = (settings: Settings, now: number): RateLimiter.State => ({
  tokens: settings.bucket?.capacity ?? 0,
  updatedAt: now,
  pausedUntil: 0
})

/** The configured bucket, or the one the server's `RateLimit-Policy` announced. */
const bucketOf = (settings: Settings, state: RateLimiter.State): Settings["bucket"] =>
  settings.bucket ??
    (state.learnt === undefined
      ? undefined
      : { capacity: state.learnt.requests, millisPerToken: state.learnt.windowMillis / state.learnt.requests })

const refilled = (settings: Settings, state: RateLimiter.State, now: number): RateLimiter.State => {
  const bucket = bucketOf(settings, state)
  if (bucket === undefined || now <= state.updatedAt) return state
  const tokens = Math.min(bucket.capacity, state.tokens + (now - state.updatedAt) / bucket.millisPerToken)
  return { ...state, tokens, updatedAt: now }
}

/**
 * Whether a call may go now, must wait, or cannot be sent within `latest`
 * (epoch ms). A call that waits for a token takes it now (the bucket goes
 * below zero), so concurrent callers line up behind each other instead of
 * all waking for the same token; one already `holding` a token only waits
 * out a pause.
 */
const decide = (settings: Settings, now: number, latest: number, holding: boolean) =>
(current: Option.Option<RateLimiter.State>): readonly [Decision, RateLimiter.State] => {
  const state = refilled(settings, Option.getOrElse(current, () => initial(settings, now)), now)
  if (now < state.pausedUntil) {
    const retryAt = state.pausedUntil
    return [retryAt >= latest ? { _tag: "Reject", retryAt } : { _tag: "Wait", millis: retryAt - now, reserved: false }, state]
  }
  const bucket = bucketOf(settings, state)
  if (holding || bucket === undefined) return [go, state]
  if (state.tokens >= 1) return [go, { ...state, tokens: state.tokens - 1 }]
  const millis = Math.ceil((1 - state.tokens) * bucket.millisPerToken)
  if (now + millis >= latest) return [{ _tag: "Reject", retryAt: now + millis }, state]
  return [{ _tag: "Wait", millis, reserved: true }, { ...state, tokens: state.tokens - 1 }]
}

/** The pause the server asked for by this answer, in milliseconds, if any. */
const pauseAsked = (
  settings: Settings,
  status: number,
  headers: Readonly<Record<string, string>>,
  now: number
): number | undefined => {
  if (status === 429) {
    const asked = retryAfter(headers, now)
    if (Option.isSome(asked)) return Duration.toMillis(asked.value)
    return exhaustedFor(headers) ?? settings.defaultPause
  }
  return exhaustedFor(headers)
}

/**
 * The state with the server's announced quota as its bucket. A new or
 * changed quota starts full, less the call that brought it.
 */
const adoptPolicy = (
  settings: Settings,
  policy: { readonly requests: number; readonly windowMillis: number },
  now: number
) =>
(current: Option.Option<RateLimiter.State>): readonly [void, RateLimiter.State] => {
  const state = Option.getOrElse(current, () => initial(settings, now))
  const known = state.learnt
  if (known !== undefined && known.requests === policy.requests && known.windowMillis === policy.windowMillis) {
    return [undefined, state]
  }
  return [undefined, { ...state, learnt: policy, tokens: policy.requests - 1, updatedAt: now }]
}

/**
 * The answer a call ended with, and the key it is learnt under. With the
 * default key (the origin) that is the origin of the hop that answered:
 * after a redirect to another origin, a 429 or a quota is that origin's,
 * not the one the call started at. A custom `key` reads the call's request,
 * so what is learnt stays under the call's key.
 */
const answerOf = (
  byOrigin: boolean,
  callKey: string,
  exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>
):
  | { readonly key: string; readonly status: number; readonly headers: Readonly<Record<string, string>> }
  | undefined =>
{
  if (Exit.isSuccess(exit)) {
    const response = exit.value
    return { key: byOrigin ? response.request.url.origin : callKey, status: response.status, headers: response.headers }
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return undefined
  const error = failure.value
  if (error._tag !== "BadResponse" && error._tag !== "Unauthorized") return undefined
  let key = callKey
  // A failure names its hop by a (redacted) URL; its origin is intact.
  if (byOrigin && (error.request.redirects ?? 0) > 0) {
    try {
      key = new URL(error.request.url).origin
    } catch {
      // An unreadable URL keeps the call's key.
    }
  }
  return { key, status: error.status, headers: error.headers }
}

/** @internal */
export const layer = (options: RateLimiter.Options = {}) =>
  Client.layerDecorate((execute) => {
    const settings = settingsOf(options)
    if (typeof settings === "string") return Effect.fail(ConfigError.InvalidData(["rateLimit"], settings))
    return Effect.map(
      options.store === undefined ? Store.makeMemory<RateLimiter.State>() : Effect.succeed(options.store),
      (store) => {
        const admit = (
          request: CourierRequest.CourierRequest,
          key: string,
          holding: boolean,
          waited: boolean
        ): Effect.Effect<void, CourierError.RateLimited> =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const latest = Math.min(Deadline.at(request), now + settings.maxWait + 1)
            return Effect.flatMap(store.modify(key, decide(settings, now, latest, holding)), (decision) => {
              switch (decision._tag) {
                case "Go":
                  return waited ? Metric.increment(Metrics.rateLimitWaits) : Effect.void
                case "Reject":
                  return Effect.zipRight(
                    Metric.increment(Metrics.rateLimitRejections),
                    Effect.fail(
                      new CourierError.RateLimited({
                        request: request.info,
                        key,
                        retryAt: decision.retryAt,
                        retryAfter: Duration.millis(decision.retryAt - now)
                      })
                    )
                  )
                case "Wait":
                  // Checked again after the wait: a pause learnt meanwhile holds this call too.
                  return Effect.zipRight(
                    Effect.sleep(Duration.millis(decision.millis)),
                    admit(request, key, holding || decision.reserved, true)
                  )
              }
            })
          })

        const learn = (
          callKey: string,
          exit: Exit.Exit<CourierResponse.CourierResponse, CourierError.CourierError>
        ): Effect.Effect<void> => {
          const answer = answerOf(options.key === undefined, callKey, exit)
          if (answer === undefined) return Effect.void
          const key = answer.key
          return Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const policy = settings.bucket === undefined ? policyOf(answer.headers) : undefined
            const adopt = policy === undefined ? Effect.void : store.modify(key, adoptPolicy(settings, policy, now))
            const pause = pauseAsked(settings, answer.status, answer.headers, now)
            if (pause === undefined || pause <= 0) return adopt
            const until = now + pause
            return Effect.zipRight(adopt, Effect.flatMap(
              store.modify(key, (current) => {
                const state = Option.getOrElse(current, () => initial(settings, now))
                return until > state.pausedUntil
                  ? [true, { ...state, pausedUntil: until }] as const
                  : [false, state] as const
              }),
              (extended) =>
                extended
                  ? Effect.zipRight(
                    Metric.increment(Metrics.rateLimitPauses),
                    Effect.logInfo(`rate limit: holding calls for ${Duration.format(Duration.millis(pause))}`).pipe(
                      Effect.annotateLogs({ "ratelimit.key": key, "http.status": answer.status })
                    )
                  )
                  : Effect.void
            ))
          })
        }

        return (request: CourierRequest.CourierRequest) => {
          const key = settings.key(request)
          return Effect.zipRight(
            admit(request, key, false, false),
            Effect.onExit(execute(request), (exit) => learn(key, exit))
          )
        }
      }
    )
  }, { waitsOutside: options.store !== undefined && !isLocal(options.store) })
