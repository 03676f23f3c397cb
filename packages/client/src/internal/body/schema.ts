/**
 * Encoding a JSON body through the Schema it was given (`Body.json(value,
 * { schema })`), when the request is prepared.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const bodyEncoders = new WeakMap<Schema.Schema.Any, (value: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/**
 * The body's value encoded by its schema, or why not. The detail names the
 * path and kind of each issue, never the value: a body may carry a secret,
 * and a refusal gets logged.
 *
 * @internal
 */
export const encodeBody = (
  schema: Schema.Schema<unknown, unknown, never>,
  value: unknown
): { readonly value: unknown } | string => {
  let encode = bodyEncoders.get(schema)
  if (encode === undefined) {
    encode = Schema.encodeUnknownEither(schema, { errors: "all" })
    bodyEncoders.set(schema, encode)
  }
  let result: Either.Either<unknown, ParseResult.ParseError>
  try {
    result = encode(value)
  } catch (error) {
    // A transformation that throws, or a value nested past the stack.
    return `the JSON body cannot be encoded by its schema: ${error instanceof Error ? error.name : "error"}`
  }
  if (Either.isRight(result)) return { value: result.right }
  const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
  const shown = issues.slice(0, 5).map((issue) =>
    `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")} (${issue._tag})`
  )
  const more = issues.length > shown.length ? ` and ${issues.length - shown.length} more` : ""
  return `the JSON body does not match its schema at ${shown.join(", ")}${more}`
}
