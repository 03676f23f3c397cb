import * as CourierClient from "@courier/client/CourierClient"
import type * as ConfigError from "effect/ConfigError"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Context from "effect/Context"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as FeatureFlags from "../FeatureFlags.js"
import * as Ofrep from "../Ofrep.js"
import { entries, makeWarnOnce, values } from "./decode.js"
import * as Durations from "./durations.js"
import { evaluate } from "./evaluate.js"
import { listen } from "./events.js"

/** @internal */
export const context = (options: FeatureFlags.Options): Ofrep.EvaluationContext => {
  const out: Record<string, Ofrep.ContextValue> = { ...options.attributes }
  const appVersion = options.appVersion ?? options.app?.appVersion
  const platform = options.platform ?? options.app?.platform
  if (options.targetingKey !== undefined) out["targetingKey"] = options.targetingKey
  if (appVersion !== undefined) out["appVersion"] = appVersion
  if (platform !== undefined) out["platform"] = platform
  return out
}

interface State<D extends FeatureFlags.Definitions> {
  readonly snapshot: FeatureFlags.Snapshot<D>
  /** The entries as sent, to tell a real change from a re-sent 200. */
  readonly signature: string
}

const signatureOf = (flags: ReadonlyArray<Ofrep.Entry>): string =>
  JSON.stringify([...flags].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0))

/** @internal */
export const make = <D extends FeatureFlags.Definitions>(
  definitions: D,
  options: FeatureFlags.Options = {}
): Effect.Effect<FeatureFlags.Service<D>, ConfigError.ConfigError, CourierClient.CourierClient | Scope.Scope> =>
  Effect.gen(function*() {
    const durations = yield* Durations.resolve(options)
    const client = yield* CourierClient.CourierClient
    const warn = makeWarnOnce()
    const sent = context(options)
    const contextKey = JSON.stringify(sent)
    const path = options.path ?? Ofrep.bulkPath
    const interval = durations.pollInterval
    const store = options.store

    const defaults = yield* values(definitions, new Map(), warn, false)
    const state = yield* SubscriptionRef.make<State<D>>({
      snapshot: { values: defaults, source: "default", evaluations: new Map() },
      signature: ""
    })
    let etag: string | undefined

    const accept = (flags: ReadonlyArray<Ofrep.Entry>, source: FeatureFlags.Source) =>
      Effect.gen(function*() {
        const signature = signatureOf(flags)
        const current = yield* SubscriptionRef.get(state)
        if (current.signature === signature && current.snapshot.source === source) return
        const evaluations = new Map(flags.map((entry) => [entry.key, entry] as const))
        const typed = yield* values(definitions, evaluations, warn, true)
        yield* SubscriptionRef.set(state, { snapshot: { values: typed, source, evaluations }, signature })
      })

    if (store !== undefined) {
      const loaded = yield* store.load.pipe(
        Effect.tapError((error) => Effect.logWarning("feature flags: the store could not be read", error)),
        Effect.orElseSucceed(() => Option.none<unknown>())
      )
      if (Option.isSome(loaded)) {
        const stored = loaded.value
        const flags = yield* entries(stored, warn)
        if (flags !== undefined) {
          yield* accept(flags, "stored")
          const record = stored as { readonly etag?: unknown; readonly context?: unknown }
          // An ETag names the flags evaluated for one context; reusing it
          // for another would keep values the server never gave this one.
          if (typeof record.etag === "string" && record.context === contextKey) etag = record.etag
        }
      }
    }

    // One evaluation at a time: the poller and the event stream share the
    // ETag, and two in flight could store an older answer over a newer one.
    const lock = yield* Effect.makeSemaphore(1)
    let failing = false
    const evaluateOnce = lock.withPermits(1)(Effect.gen(function*() {
      const outcome = yield* evaluate(client, path, sent, etag, warn)
      if (outcome._tag === "Failed") {
        if (!failing) yield* Effect.logWarning(`feature flags: evaluation failed (${outcome.reason}); serving the last values`)
        failing = true
        return outcome
      }
      if (failing) yield* Effect.logInfo("feature flags: evaluation works again")
      failing = false
      if (outcome._tag !== "Updated") return outcome
      etag = outcome.etag
      yield* accept(outcome.flags, "server")
      if (store !== undefined) {
        yield* store.save({ flags: outcome.flags, etag: outcome.etag, context: contextKey }).pipe(
          Effect.catchAll((error) => Effect.logWarning("feature flags: the store could not be written", error))
        )
      }
      return outcome
    }))

    const first = yield* Deferred.make<void>()
    // A server's Retry-After is obeyed up to an hour: past 24.8 days a timer
    // cannot be set at all (the sleep would never wake), and a flag server
    // asking for days should not freeze the flags for that long.
    const maxRetryAfter = Duration.hours(1)
    const baseRetry = Duration.seconds(1)
    const poll = Effect.gen(function*() {
      let failures = 0
      while (true) {
        const outcome = yield* evaluateOnce
        yield* Deferred.succeed(first, undefined)
        let wait = interval
        switch (outcome._tag) {
          case "Failed":
            wait = Duration.min(interval, Duration.times(baseRetry, 2 ** Math.min(failures, 30)))
            failures++
            break
          case "RateLimited":
            failures = 0
            wait = Option.match(outcome.retryAfter, {
              onNone: () => interval,
              onSome: (d) => Duration.max(Duration.min(d, maxRetryAfter), interval)
            })
            break
          default:
            failures = 0
        }
        yield* Effect.sleep(wait)
      }
    })
    yield* Effect.forkScoped(poll)
    if (options.events !== undefined) {
      yield* Effect.forkScoped(listen(client, {
        path: options.events.path,
        minDelay: durations.minDelay,
        maxDelay: durations.maxDelay,
        idleTimeout: durations.idleTimeout
      }, Effect.asVoid(evaluateOnce)))
    }
    yield* Deferred.await(first).pipe(
      Effect.timeout(durations.startupTimeout),
      Effect.catchTag("TimeoutException", () =>
        Effect.logWarning("feature flags: no evaluation within the start-up timeout; serving the last values"))
    )

    const snapshot = Effect.map(SubscriptionRef.get(state), (s) => s.snapshot)
    return {
      definitions,
      get: (key) => Effect.map(snapshot, (s) => s.values[key]),
      values: Effect.map(snapshot, (s) => s.values),
      snapshot,
      changes: Stream.map(state.changes, (s) => s.snapshot),
      refresh: Effect.asVoid(evaluateOnce)
    } satisfies FeatureFlags.Service<D>
  })

/** @internal */
export const layer = <I, D extends FeatureFlags.Definitions>(
  tag: Context.Tag<I, FeatureFlags.Service<D>>,
  definitions: D,
  options?: FeatureFlags.Options
): Layer.Layer<I, ConfigError.ConfigError, CourierClient.CourierClient> => Layer.scoped(tag, make(definitions, options))
