/**
 * The wire shapes of the OpenFeature Remote Evaluation Protocol (OFREP) that
 * the flags client reads and writes: the evaluation request, and the bulk
 * response `{ flags: [...] }` whose entries are either an evaluated flag or
 * an error for that flag.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A value the evaluation context may carry: what JSON can say.
 *
 * @since 0.1.0
 */
export type ContextValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<ContextValue>
  | { readonly [key: string]: ContextValue }

/**
 * The evaluation context sent with every evaluation.
 *
 * @since 0.1.0
 */
export interface EvaluationContext {
  readonly targetingKey?: string | undefined
  readonly [key: string]: ContextValue | undefined
}

/**
 * One evaluated flag.
 *
 * @since 0.1.0
 */
export const Evaluated = Schema.Struct({
  key: Schema.String,
  value: Schema.Unknown,
  reason: Schema.optional(Schema.String),
  variant: Schema.optional(Schema.String),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/**
 * @since 0.1.0
 */
export interface Evaluated extends Schema.Schema.Type<typeof Evaluated> {}

/**
 * A flag the server could not evaluate (`FLAG_NOT_FOUND`, `PARSE_ERROR`,
 * `TYPE_MISMATCH`, `TARGETING_KEY_MISSING`, `INVALID_CONTEXT`, `GENERAL`).
 *
 * @since 0.1.0
 */
export const Failed = Schema.Struct({
  key: Schema.String,
  errorCode: Schema.String,
  errorDetails: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export interface Failed extends Schema.Schema.Type<typeof Failed> {}

/**
 * One entry of a bulk response. An entry with an `errorCode` is a failure,
 * whatever else it carries.
 *
 * @since 0.1.0
 */
export const Entry = Schema.Union(Failed, Evaluated)

/**
 * @since 0.1.0
 */
export type Entry = Evaluated | Failed

/**
 * The bulk response's envelope; each entry is decoded on its own so one bad
 * entry does not discard the others.
 *
 * @since 0.1.0
 */
export const BulkResponse = Schema.Struct({ flags: Schema.Array(Schema.Unknown) })

/**
 * Whether an entry is an error entry.
 *
 * @since 0.1.0
 */
export const isFailed = (entry: Entry): entry is Failed => "errorCode" in entry

/**
 * The default path of bulk evaluation, relative to the client's base URL.
 *
 * @since 0.1.0
 */
export const bulkPath = "/ofrep/v1/evaluate/flags"
