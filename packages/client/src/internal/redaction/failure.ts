/**
 * The one way a failure shows what the server sent back. Every failure that
 * carries a body excerpt, headers or schema issues (a non-2xx status, a body
 * that is not JSON or does not match its schema, an NDJSON line, an SSE
 * event) builds them here, and the development log line of a failure shows
 * them as they are.
 *
 * The rules (secret header names, query parameters, body fields) cannot see a
 * secret in free text: a `text/plain` 401 saying `invalid credentials: Bearer
 * abc`. But the request knows what it sent, so the values of its secret
 * headers, secret query parameters and secret body fields (a refresh token
 * in a JSON or form body) are masked wherever they come back
 * (`@courier/core/SentSecrets`, which the effect 4 line uses too). That search
 * costs a scan of the excerpt per secret, so it runs only when a failure is
 * built, never on a success.
 */
import * as SentSecrets from "@courier/core/SentSecrets"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as CourierError from "../../CourierError.js"
import type * as Redaction from "../../Redaction.js"
import * as Rules from "./rules.js"
import { redactParseError } from "./issue.js"
import { forClient } from "./rules.js"

/** @internal */
export interface FailureRedactor extends Redaction.Redactor {
  /** `text` with every credential value the request sent replaced by `<redacted>`. */
  readonly mask: (text: string) => string
  /** The parse error with every value it quotes redacted and masked. */
  readonly parseError: (error: ParseResult.ParseError) => ParseResult.ParseError
}

/** What a failure knows of the request that was sent. */
type SentRequest = SentSecrets.SentRequest

/**
 * The redactor for a failure of `request`: `redactor`'s rules, plus the
 * credential values `request` sent (its headers as they went on the wire).
 *
 * @internal
 */
export const forFailure = (
  redactor: Redaction.Redactor,
  request: SentRequest
): FailureRedactor => {
  const secrets = SentSecrets.secretsOf(redactor, request)
  const mask = (text: string): string => SentSecrets.mask(text, secrets)
  const maskCut = (text: string): string => SentSecrets.maskCut(text, secrets)
  const self: FailureRedactor = {
    ...redactor,
    headers: (headers) => {
      const out = redactor.headers(headers)
      if (secrets.length === 0) return out
      for (const name of Object.keys(out)) out[name] = mask(out[name])
      return out
    },
    body: (bytes, contentType, maxBytes) => {
      const shown = redactor.body(bytes, contentType, maxBytes)
      return secrets.length === 0 ? shown : maskCut(mask(shown))
    },
    mask: secrets.length === 0 ? (text) => text : mask,
    parseError: (error) => redactParseError(self, error, self.mask)
  }
  return self
}

/**
 * The failure redactor from the one in context, read only when a failure is
 * built.
 *
 * @internal
 */
export const failureRedactor = (
  credentialHeaders: Iterable<string>,
  request: SentRequest
): Effect.Effect<FailureRedactor> =>
  Effect.map(Rules.Redaction, (redactor) => forFailure(forClient(redactor, credentialHeaders), request))

/** How much of a body a failure shows. @internal */
export const excerptLength = 512

// V8 quotes the start of the text it could not parse: `Unexpected token 'B', "Bearer abc"... is not valid JSON`.
const quotedInput = /, "[\s\S]*"(?:\.\.\.)? is not valid JSON$/

/** The syntax error without the excerpt of the body V8 puts in its message. */
const withoutInput = (error: SyntaxError): SyntaxError =>
  quotedInput.test(error.message) ? new SyntaxError(error.message.replace(quotedInput, " is not valid JSON")) : error

/**
 * A `Parse` failure, for a buffered body, an NDJSON line or an SSE event
 * alike: the excerpt, the issues and the cause all go through `redactor`.
 *
 * @internal
 */
export const parseFailure = (
  redactor: FailureRedactor,
  options: {
    readonly request: CourierError.RequestInfo
    readonly status: number
    /** The response's content type, as reported. */
    readonly contentType: string | undefined
    /** The bytes that failed: the body, one line, one event's data. */
    readonly bytes: Uint8Array
    /** How to read `bytes` for the excerpt, when it differs from `contentType` (an NDJSON line is JSON). */
    readonly excerptType?: string | undefined
    readonly reason: CourierError.ParseReason
    readonly cause: ParseResult.ParseError | SyntaxError | undefined
    readonly issues?: ReadonlyArray<CourierError.ParseIssue> | undefined
  }
): CourierError.Parse => {
  const cause = options.cause
  const safe = cause instanceof ParseResult.ParseError
    ? redactor.parseError(cause)
    : cause instanceof SyntaxError
    ? withoutInput(cause)
    : undefined
  return new CourierError.Parse({
    request: options.request,
    status: options.status,
    reason: options.reason,
    contentType: options.contentType,
    issues: options.issues ?? (safe instanceof ParseResult.ParseError
      ? ParseResult.ArrayFormatter.formatErrorSync(safe).map((issue) => ({ path: issue.path, message: redactor.mask(issue.message) }))
      : []),
    bodyExcerpt: redactor.body(options.bytes, options.excerptType ?? options.contentType, excerptLength),
    cause: safe
  })
}

const encoder = new TextEncoder()

/**
 * Decodes one JSON document of a stream (an NDJSON line, an SSE event's
 * data) for `request`, failing like a buffered body that fails `client.get`:
 * the document is redacted as JSON, whatever the stream's content type.
 *
 * @internal
 */
export const decodeDocument = <A>(
  credentialHeaders: Iterable<string>,
  /** The request as it went on the wire, read when a failure is built. */
  sent: () => CourierRequestLike,
  contentType: string,
  decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
) =>
(text: string): Effect.Effect<A, CourierError.Parse> => {
  const fail = (reason: CourierError.ParseReason, cause: ParseResult.ParseError | SyntaxError) => {
    const request = sent()
    return Effect.flatMap(failureRedactor(credentialHeaders, request), (redactor) =>
      Effect.fail(parseFailure(redactor, {
        request: request.info,
        status: 200,
        contentType,
        excerptType: "application/json",
        bytes: encoder.encode(text),
        reason,
        cause
      })))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return fail("InvalidJson", error as SyntaxError)
  }
  const result = decode(json)
  return Either.isRight(result) ? Effect.succeed(result.right) : fail("SchemaMismatch", result.left)
}

interface CourierRequestLike {
  readonly headers: Readonly<Record<string, string>>
  readonly info: CourierError.RequestInfo
}
