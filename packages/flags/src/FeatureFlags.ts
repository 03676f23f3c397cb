/**
 * Feature flags sent by the backend, read as typed values. Each flag is
 * declared with a Schema and a default; the service evaluates them over
 * OFREP (`POST /ofrep/v1/evaluate/flags` through the `CourierClient`, so
 * auth, retry, timeouts and logging apply), polls with `If-None-Match`,
 * optionally listens to a server-sent event stream that says when to
 * evaluate again, and keeps the last values the server sent in a
 * {@link FlagStore.FlagStore}.
 *
 * Program code never sees a flag failure: a flag the server does not send,
 * sends with an error, or sends with a value its Schema rejects reads as
 * its default, and is logged once (per flag and problem).
 *
 * @example
 * ```ts
 * import { FeatureFlags } from "@courier/flags"
 * import * as Context from "effect/Context"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 *
 * const flags = {
 *   enable_new_ui: FeatureFlags.flag(Schema.Boolean, false),
 *   max_items: FeatureFlags.flag(Schema.Number, 10)
 * }
 * class AppFlags extends Context.Tag("app/AppFlags")<AppFlags, FeatureFlags.Service<typeof flags>>() {}
 *
 * // Needs a CourierClient; blocks start-up until the first evaluation or 5 seconds.
 * const AppFlagsLive = FeatureFlags.layer(AppFlags, flags, { targetingKey: "user-42", pollInterval: "30 seconds" })
 *
 * const program = Effect.gen(function*() {
 *   const flags = yield* AppFlags
 *   const newUi = yield* flags.get("enable_new_ui") // boolean
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as CourierClient from "@courier/client/CourierClient"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as FlagStore from "./FlagStore.js"
import * as internal from "./internal/featureFlags.js"
import type * as Ofrep from "./Ofrep.js"

/**
 * One declared flag: its Schema (applied to the JSON value the server
 * sends) and the value used when the server's is missing or invalid.
 *
 * @since 0.1.0
 */
export interface Flag<S extends Schema.Schema.AnyNoContext> {
  readonly schema: S
  readonly default: Schema.Schema.Type<S>
}

/**
 * Declares a flag.
 *
 * @since 0.1.0
 */
export const flag = <S extends Schema.Schema.AnyNoContext>(schema: S, defaultValue: Schema.Schema.Type<S>): Flag<S> => ({
  schema,
  default: defaultValue
})

/**
 * The declared flags, by key.
 *
 * @since 0.1.0
 */
export type Definitions = { readonly [key: string]: Flag<Schema.Schema.AnyNoContext> }

/**
 * The typed values of declared flags.
 *
 * @since 0.1.0
 */
export type Values<D extends Definitions> = { readonly [K in keyof D]: Schema.Schema.Type<D[K]["schema"]> }

/**
 * Where the current values come from: the defaults (nothing heard yet),
 * the store (the last values of an earlier run), or the server.
 *
 * @since 0.1.0
 */
export type Source = "default" | "stored" | "server"

/**
 * The state of the service at one moment.
 *
 * @since 0.1.0
 */
export interface Snapshot<D extends Definitions> {
  readonly values: Values<D>
  readonly source: Source
  /**
   * Every entry of the last accepted response by key, declared or not,
   * with entries that failed their Schema left out of `values` only.
   */
  readonly evaluations: ReadonlyMap<string, Ofrep.Entry>
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service<D extends Definitions> {
  readonly definitions: D
  /** The current value of one declared flag. */
  readonly get: <K extends keyof D & string>(key: K) => Effect.Effect<Values<D>[K]>
  /** The current values of every declared flag. */
  readonly values: Effect.Effect<Values<D>>
  readonly snapshot: Effect.Effect<Snapshot<D>>
  /**
   * The current snapshot, then one each time an evaluation changes what
   * the server said (a 304, or a 200 with the same flags, emits nothing).
   */
  readonly changes: Stream.Stream<Snapshot<D>>
  /** Evaluates now (waiting for one already in flight), whatever the schedule. */
  readonly refresh: Effect.Effect<void>
}

/**
 * Options. Durations take a `Duration` or anything `Duration.decode`
 * accepts.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The bulk evaluation path, relative to the client's base URL. Default `/ofrep/v1/evaluate/flags`. */
  readonly path?: string | undefined
  /** Sent as `context.targetingKey`. */
  readonly targetingKey?: string | undefined
  /** Sent as `context.appVersion`; default: `app.appVersion`. */
  readonly appVersion?: string | undefined
  /** Sent as `context.platform`; default: `app.platform`. */
  readonly platform?: string | undefined
  /** The options given to `AppHeaders.layer`, to take `appVersion` and `platform` from. */
  readonly app?: { readonly appVersion?: string | undefined; readonly platform?: string | undefined } | undefined
  /** More context attributes (user attributes); the three above win over these. */
  readonly attributes?: { readonly [key: string]: Ofrep.ContextValue } | undefined
  /**
   * Time between evaluations. Default 60 seconds, at least 1 second (a
   * shorter one, or a value that is not a duration, fails `make` with a
   * `ConfigError`, as do the other durations here). A 429 waits its
   * `Retry-After` instead when that is longer (up to an hour); after a failure the next
   * try comes sooner (1 second, doubling up to this interval).
   */
  readonly pollInterval?: Duration.DurationInput | undefined
  /**
   * A server-sent event stream (`GET` at `path`): every event triggers an
   * evaluation. A dropped stream reconnects after `minDelay` (default 1
   * second, or the server's `retry:`), doubled for each connection in a row
   * that delivered no event, up to `maxDelay` (default 30 seconds), and
   * resumes with `Last-Event-ID`.
   * `idleTimeout` (default 60 seconds) drops a stream that sends nothing,
   * not even a comment, for that long.
   */
  readonly events?: {
    readonly path: string
    readonly minDelay?: Duration.DurationInput | undefined
    readonly maxDelay?: Duration.DurationInput | undefined
    readonly idleTimeout?: Duration.DurationInput | undefined
  } | undefined
  /** How long `make` and `layer` wait for the first evaluation. Default 5 seconds. */
  readonly startupTimeout?: Duration.DurationInput | undefined
  /** Where the last values are kept between runs. Default: nowhere. */
  readonly store?: FlagStore.FlagStore | undefined
}

/**
 * The evaluation context sent for these options.
 *
 * @since 0.1.0
 */
export const context: (options: Options) => Ofrep.EvaluationContext = internal.context

/**
 * Starts the service: loads the store, then waits for the first evaluation
 * (success or failure) or `startupTimeout`, whichever comes first. Polling
 * and the event stream run until the scope closes.
 *
 * @since 0.1.0
 */
export const make: <D extends Definitions>(
  definitions: D,
  options?: Options
) => Effect.Effect<Service<D>, ConfigError.ConfigError, CourierClient.CourierClient | Scope.Scope> = internal.make

/**
 * {@link make} as a Layer of your own tag.
 *
 * @since 0.1.0
 */
export const layer: <I, D extends Definitions>(
  tag: Context.Tag<I, Service<D>>,
  definitions: D,
  options?: Options
) => Layer.Layer<I, ConfigError.ConfigError, CourierClient.CourierClient> = internal.layer
