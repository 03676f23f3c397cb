/**
 * Decoding a buffered response into what the program asked for: by a v4
 * schema (JSON, then the schema), or as json, text, bytes or nothing. A
 * `Parse` failure quotes the body only through the redactor, and its
 * issues name paths and expectations, never the values received.
 */
import * as ContentCoding from "@courier/core/ContentCoding"
import type * as Redaction from "@courier/core/Redaction"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as CourierConfig from "../../CourierConfig.js"
import { Parse, type ParseIssue } from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"
import { excerptLength, mask } from "./failure.js"

const textDecoder = new TextDecoder()

// The default messages append the value received ("Expected number, got
// \"s3cret\""): the value may be a token, so only the expectation is kept.
const withoutInput = (message: string): string =>
  message
    .replace(/, got [\s\S]*$/, "")
    .replace(/^Invalid data [\s\S]*$/, "Expected a valid value")
    .replace(/^Unexpected key with value [\s\S]*$/, "Expected no excess property")
    .replace(/^Expected exactly one member to match the input [\s\S]*$/, "Expected exactly one member to match")

const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => withoutInput(SchemaIssue.defaultLeafHook(issue)),
  checkHook: (issue) => {
    const message = SchemaIssue.defaultCheckHook(issue)
    return message === undefined ? undefined : withoutInput(message)
  }
})

/** @internal */
export const issuesOf = (issue: SchemaIssue.Issue): ReadonlyArray<ParseIssue> =>
  formatter(issue).issues.map((one) => ({
    path: (one.path ?? []).map((key) => typeof key === "object" && key !== null && "key" in key ? key.key : key),
    message: one.message
  }))

const decoders = new WeakMap<object, (u: unknown) => Result.Result<unknown, Schema.SchemaError>>()

const decoderOf = (schema: Schema.Codec<unknown, unknown>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownResult(schema, { errors: "all", onExcessProperty: "ignore" })
    decoders.set(schema, decoder)
  }
  return decoder
}

/**
 * The body decoded, or the `Parse` failure.
 *
 * @internal
 */
export const decode = (
  response: CourierResponse.CourierResponse,
  responseType: CourierConfig.ResponseType,
  schema: Schema.Codec<unknown, unknown> | undefined,
  redactor: Redaction.Redactor
): Result.Result<unknown, Parse> => {
  const request = response.request
  const bytes = response.body._tag === "Buffered" && !ContentCoding.hasNoBody(request.method, response.status)
    ? response.body.bytes
    : new Uint8Array(0)
  if (schema === undefined) {
    switch (responseType) {
      case "none":
        return Result.succeed(undefined)
      case "bytes":
        return Result.succeed(bytes)
      case "text":
        return Result.succeed(textDecoder.decode(bytes))
      case "json":
        break
    }
  }
  const contentType = response.headers["content-type"]
  const fail = (reason: Parse["reason"], cause: SyntaxError | undefined, issues: ReadonlyArray<ParseIssue> = []) => {
    const secrets = Object.entries(request.headers)
      .filter(([name]) => redactor.isSensitiveHeader(name))
      .map(([, value]) => value.slice(value.indexOf(" ") + 1))
      .filter((value) => value.length >= 6)
    return Result.fail(
      new Parse({
        request: request.info,
        status: response.status,
        reason,
        contentType,
        issues,
        bodyExcerpt: mask(redactor.body(bytes, contentType, excerptLength), secrets),
        cause
      })
    )
  }
  let json: unknown = undefined
  if (bytes.byteLength > 0) {
    try {
      json = JSON.parse(textDecoder.decode(bytes))
    } catch (error) {
      // V8 quotes the start of the text in its message; the body may hold a token.
      return fail(
        "InvalidJson",
        error instanceof SyntaxError ? new SyntaxError(error.message.replace(/"[\s\S]*"/, "<body>")) : undefined
      )
    }
  } else if (schema === undefined) {
    // Plain json of an empty body is "no value", not a failure (a 201 without content).
    return Result.succeed(undefined)
  }
  if (schema === undefined) return Result.succeed(json)
  const decoded = decoderOf(schema)(json)
  if (Result.isSuccess(decoded)) return Result.succeed(decoded.success)
  if (bytes.byteLength === 0) return fail("EmptyBody", undefined)
  return fail("SchemaMismatch", undefined, issuesOf(decoded.failure.issue))
}
