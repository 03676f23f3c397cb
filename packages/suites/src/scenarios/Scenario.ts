/**
 * What a scenario is, and the fast-check generator of scenarios. A scenario
 * is plain data (printable, replayable from its seed): the kind of request,
 * what the servers answer on each hop of its redirect chain, the state of
 * the tokens and of the token endpoint, the per-call deadline, and the
 * default headers that carry secrets.
 */
import * as fc from "fast-check"

export const kinds = ["get", "head", "post", "postKey", "upload", "oneShot", "download", "ndjson"] as const
/**
 * `post`, `oneShot`: POST without an Idempotency-Key (JSON, one-shot stream);
 * `postKey`: POST with one; `upload`: PUT of a replayable stream;
 * `download`: the body to a file; `ndjson`: newline-delimited JSON, drained.
 */
export type Kind = typeof kinds[number]

/** A POST without an Idempotency-Key: it may reach each server it is sent to once (or again after a 401). */
export const nonIdempotent = (kind: Kind): boolean => kind === "post" || kind === "oneShot"

/** What a 2xx answer carries. */
export type Shape =
  | "json" // a body the call's schema accepts
  | "gzip" // the same, gzip-encoded
  | "drip" // the same, 1-byte chunks 5 ms apart
  | "secret" // a body that fails the schema and carries a `password` field
  | "empty" // 204 with `content-encoding: gzip` and no body
  | "notModified" // 304 with `content-encoding: gzip` and no body

export type Step =
  | { readonly _tag: "ok"; readonly shape: Shape; readonly delay: number }
  | {
    readonly _tag: "status"
    readonly status: 400 | 401 | 429 | 500 | 503
    /** The Retry-After header sent as is, if any. */
    readonly retryAfter: string | undefined
    readonly delay: number
  }
  | {
    readonly _tag: "redirect"
    readonly status: 301 | 302 | 303 | 307 | 308
    /** The Location carries `token=<secret>` in its query. */
    readonly tokenInLocation: boolean
    readonly delay: number
  }
  | { readonly _tag: "reset"; readonly afterBody: boolean }
  | { readonly _tag: "closeMidBody"; readonly delay: number }
  | { readonly _tag: "stall" }

/**
 * One hop of the chain: served by the base origin `A`, by a second origin
 * `B`, or `refused` (a port nothing listens on; only as the last hop). The
 * n-th request of a call on the hop gets the n-th step; the last repeats.
 * Every hop but the last ends with a redirect to the next.
 */
export interface Hop {
  readonly origin: "A" | "B" | "refused"
  readonly steps: ReadonlyArray<Step>
}

export type Refresh =
  | "ok" // 200 with new tokens
  | "slow" // 200 after `refreshDelay`
  | "fail500" // 500, always
  | "transient503" // 503 once, then 200
  | "reset" // TCP reset once, then 200
  | "rejected401"
  | "rejected400"

export interface Scenario {
  readonly kind: Kind
  /** Calls of this kind started together (each with its own marker). */
  readonly calls: 1 | 2
  readonly hops: ReadonlyArray<Hop>
  /**
   * `expired`: the base origin refuses the first access token; `expiring`:
   * it accepts it for one request, then refuses it (it expires mid-call).
   */
  readonly token: "valid" | "expired" | "expiring"
  /** The 401 the base origin sends for a bad token echoes the Authorization header (as text or as JSON). */
  readonly echo: "text" | "json"
  readonly refresh: Refresh
  /**
   * `memory`: one client, one memory store. `sharedFile`: two clients (one
   * call each), each with its own file store on the same file, as two
   * processes of one program.
   */
  readonly store: "memory" | "sharedFile"
  readonly refreshDelay: number
  /** The call's `total` timeout, and its `receive` timeout if any, in ms. */
  readonly total: number
  readonly receive: number | undefined
  /** Default headers carrying secrets: `x-api-key`, `cookie`. */
  readonly apiKey: boolean
  readonly cookie: boolean
  /** The call's `maxRedirects` (0: a redirect is the answer), or the default. */
  readonly maxRedirects: 0 | 1 | undefined
  /** The Logging Layer's mode: `development` logs headers and bodies at Debug. */
  readonly logging: "production" | "development"
  /** A per-call header the transport must not take from a caller. */
  readonly forbiddenHeader: "transfer-encoding" | "upgrade" | "connection" | "expect" | undefined
}

const delay = fc.constantFrom(0, 0, 0, 20, 60)

const retryAfter = fc.constantFrom<string | undefined>(
  undefined,
  undefined,
  "0",
  "1",
  "31", // over the default maxRetryAfter (30 s): fails at once
  "99999999999", // eleven digits
  "Fri, 31 Dec 2100 23:59:59 GMT"
)

const okStep = (kind: Kind): fc.Arbitrary<Step> =>
  fc.record({
    _tag: fc.constant("ok" as const),
    shape: kind === "download" || kind === "ndjson" || kind === "head"
      ? fc.constantFrom<Shape>("json", "json", "gzip", "drip", "secret")
      : fc.constantFrom<Shape>("json", "json", "gzip", "drip", "secret", "empty", "notModified"),
    delay
  })

const failStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("status" as const), status: fc.constantFrom<401 | 429 | 503 | 500 | 400>(401, 401, 429, 503, 503, 500, 400), retryAfter, delay }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("reset" as const), afterBody: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("closeMidBody" as const), delay }) },
  { weight: 1, arbitrary: fc.constant({ _tag: "stall" as const }) }
)

const redirectStep: fc.Arbitrary<Step> = fc.record({
  _tag: fc.constant("redirect" as const),
  status: fc.constantFrom<301 | 302 | 303 | 307 | 308>(301, 302, 303, 303, 307, 308),
  tokenInLocation: fc.boolean(),
  delay
})

/** Steps of a hop: zero to two failures first, then its final answer (a redirect unless it is the last hop). */
const hopSteps = (kind: Kind, last: boolean): fc.Arbitrary<ReadonlyArray<Step>> =>
  fc.tuple(
    fc.array(failStep, { maxLength: 2 }),
    last ? fc.oneof({ weight: 3, arbitrary: okStep(kind) }, { weight: 1, arbitrary: failStep }) : redirectStep
  ).map(([prefix, final]) => [...prefix, final])

const hops = (kind: Kind): fc.Arbitrary<ReadonlyArray<Hop>> =>
  fc.integer({ min: 1, max: 3 }).chain((count) =>
    fc.tuple(
      ...Array.from({ length: count }, (_, i) => {
        const last = i === count - 1
        const origin = i === 0
          ? fc.constant("A" as const)
          : last
          ? fc.constantFrom("A" as const, "A" as const, "B" as const, "B" as const, "refused" as const)
          : fc.constantFrom("A" as const, "A" as const, "B" as const)
        return origin.chain((o) =>
          o === "refused"
            ? fc.constant<Hop>({ origin: o, steps: [] })
            : hopSteps(kind, last).map((steps): Hop => ({ origin: o, steps }))
        )
      })
    )
  )

export const scenario: fc.Arbitrary<Scenario> = fc.constantFrom(...kinds).chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    calls: fc.constantFrom(1 as const, 1 as const, 2 as const),
    hops: hops(kind),
    token: fc.constantFrom("valid" as const, "expired" as const, "expiring" as const),
    echo: fc.constantFrom("text" as const, "json" as const),
    store: fc.constantFrom("memory" as const, "memory" as const, "sharedFile" as const),
    refresh: fc.constantFrom<Refresh>("ok", "ok", "slow", "fail500", "transient503", "reset", "rejected401", "rejected400"),
    refreshDelay: fc.constantFrom(100, 400, 3000),
    total: fc.constantFrom(400, 800, 1500, 2500),
    receive: fc.constantFrom(undefined, undefined, 250, 1000),
    logging: fc.constantFrom("production" as const, "development" as const),
    maxRedirects: fc.constantFrom<0 | 1 | undefined>(undefined, undefined, undefined, undefined, 0, 1),
    apiKey: fc.boolean(),
    cookie: fc.boolean(),
    forbiddenHeader: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom("transfer-encoding" as const, "upgrade" as const, "connection" as const, "expect" as const) }
    )
  }).map((s): Scenario => s.store === "sharedFile" ? { ...s, calls: 2 } : s)
)

/** The scenario fast-check generates from `seed`: one seed, one scenario, so any run replays alone. */
export const fromSeed = (seed: number): Scenario => fc.sample(scenario, { seed, numRuns: 1 })[0]!
