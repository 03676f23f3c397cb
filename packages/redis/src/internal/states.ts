import type { CircuitBreaker, RateLimiter } from "@courier/client"
import * as Schema from "effect/Schema"

// The shapes of the states the shared stores keep, checked on every read:
// a key of this namespace may hold anything (another program's data, an
// older format, a value set by hand), and the Layers' pure functions would
// throw on it. Typed against the client's own `State`, so a change there
// fails to compile here.

const Closed = Schema.Struct({
  _tag: Schema.Literal("Closed"),
  consecutiveFailures: Schema.Number,
  window: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number, Schema.Number))
})
const Open = Schema.Struct({ _tag: Schema.Literal("Open"), until: Schema.Number })
const HalfOpen = Schema.Struct({ _tag: Schema.Literal("HalfOpen"), probesOut: Schema.Number, succeeded: Schema.Number })

const Breaker: Schema.Schema<CircuitBreaker.State> = Schema.Union(Closed, Open, HalfOpen)

const Limiter: Schema.Schema<RateLimiter.State> = Schema.Struct({
  tokens: Schema.Number,
  updatedAt: Schema.Number,
  pausedUntil: Schema.Number,
  learnt: Schema.optional(Schema.UndefinedOr(Schema.Struct({ requests: Schema.Number, windowMillis: Schema.Number })))
})

/** @internal */
export const isBreakerState: (u: unknown) => u is CircuitBreaker.State = Schema.is(Breaker)

/** @internal */
export const isLimiterState: (u: unknown) => u is RateLimiter.State = Schema.is(Limiter)
