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
 * in a JSON or form body) are masked wherever they come back. That search costs a scan of the
 * excerpt per secret, so it runs only when a failure is built, never on a
 * success.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as CourierError from "../../CourierError.js"
import type * as Body from "../../Body.js"
import type * as Redaction from "../../Redaction.js"
import * as Rules from "./rules.js"
import { redactParseError } from "./issue.js"
import { forClient, placeholder } from "./rules.js"

/**
 * Shorter values are not searched for: masking `1` or `on` everywhere would
 * blank the excerpt and hide nothing worth hiding.
 */
const minSecretLength = 6
/** How the redactor marks a cut excerpt: `…(N bytes)`. */
const cutMark = /…\(\d+ bytes\)$/

/** @internal */
export interface FailureRedactor extends Redaction.Redactor {
  /** `text` with every credential value the request sent replaced by `<redacted>`. */
  readonly mask: (text: string) => string
  /** The parse error with every value it quotes redacted and masked. */
  readonly parseError: (error: ParseResult.ParseError) => ParseResult.ParseError
}

const decodeBase64 = (text: string): string | undefined => {
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** What a failure knows of the request that was sent. */
interface SentRequest {
  readonly headers: Readonly<Record<string, string>>
  readonly url?: URL | undefined
  readonly body?: Body.Body | undefined
}

/** Nesting and node count of a JSON body searched for secret fields: enough for any credential body, bounded for any other. */
const maxFieldDepth = 8
const maxFieldNodes = 1000

/** The string and number values under secret field names of a JSON body (before any schema encoding). */
const fieldValues = (redactor: Redaction.Redactor, value: unknown, add: (value: string) => void): void => {
  let nodes = 0
  const walk = (node: unknown, depth: number, secret: boolean): void => {
    if (++nodes > maxFieldNodes) return
    if (typeof node === "string" || typeof node === "number" || typeof node === "bigint") {
      if (secret) add(String(node))
      return
    }
    if (depth >= maxFieldDepth || typeof node !== "object" || node === null) return
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1, secret)
      return
    }
    for (const [name, child] of Object.entries(node)) walk(child, depth + 1, secret || redactor.isSensitiveBodyField(name))
  }
  walk(value, 0, false)
}

/** Bodies larger than this are not parsed for secret fields (a credential body is small). */
const maxParsedBody = 64 * 1024
const utf8 = new TextDecoder()

/**
 * The values of secret fields in a request body: as the program gave it
 * (`Body.json`, `Body.form`) or as the core serialised it (JSON or
 * form-encoded bytes), which is what a hop carries.
 */
const bodySecrets = (redactor: Redaction.Redactor, body: Body.Body | undefined, add: (value: string) => void): void => {
  if (body === undefined) return
  switch (body._tag) {
    case "Json":
      return fieldValues(redactor, body.value, add)
    case "Form": {
      for (const [name, value] of Object.entries(body.fields)) {
        if (!redactor.isSensitiveBodyField(name)) continue
        for (const one of Array.isArray(value) ? value : [value]) if (one !== null && one !== undefined) add(String(one))
      }
      return
    }
    case "Bytes": {
      if (body.bytes.length > maxParsedBody) return
      const type = body.contentType.toLowerCase()
      if (type.startsWith("application/x-www-form-urlencoded")) {
        for (const [name, value] of new URLSearchParams(utf8.decode(body.bytes))) {
          if (redactor.isSensitiveBodyField(name)) add(value)
        }
      } else if (/^application\/(?:[\w.+-]*\+)?json\b/.test(type)) {
        try {
          fieldValues(redactor, JSON.parse(utf8.decode(body.bytes)), add)
        } catch {
          // Not JSON after all: there are no fields to take secrets from.
        }
      }
      return
    }
    default:
      return
  }
}

/**
 * The credential values the request sent (secret headers, query parameters
 * and body fields), in every form a
 * server is likely to echo them: whole, without the auth scheme, a cookie's
 * values one by one, Basic credentials decoded (and the password alone), and
 * each of those JSON-escaped and percent-encoded. Longest first, so a value
 * is masked before a part of it could be.
 */
const secretsOf = (redactor: Redaction.Redactor, request: SentRequest): ReadonlyArray<string> => {
  const headers = request.headers
  const found = new Set<string>()
  const add = (value: string) => {
    const trimmed = value.trim()
    if (trimmed.length >= minSecretLength) found.add(trimmed)
  }
  if (request.url !== undefined) {
    for (const [name, value] of request.url.searchParams) if (redactor.isSensitiveQueryParam(name)) add(value)
  }
  bodySecrets(redactor, request.body, add)
  for (const name of Object.keys(headers)) {
    if (!redactor.isSensitiveHeader(name)) continue
    const value = String(headers[name])
    add(value)
    const scheme = /^([A-Za-z][\w.+-]*)\s+(\S.*)$/.exec(value.trim())
    if (scheme !== null) {
      add(scheme[2])
      if (scheme[1].toLowerCase() === "basic") {
        const decoded = decodeBase64(scheme[2])
        if (decoded !== undefined) {
          add(decoded)
          const colon = decoded.indexOf(":")
          if (colon !== -1) add(decoded.slice(colon + 1))
        }
      }
    }
    for (const pair of value.split(";")) {
      const eq = pair.indexOf("=")
      if (eq > 0) add(pair.slice(eq + 1))
    }
  }
  for (const secret of Array.from(found)) {
    add(JSON.stringify(secret).slice(1, -1))
    try {
      add(encodeURIComponent(secret))
    } catch {
      // A lone surrogate has no percent-encoded form; the value itself is still masked.
    }
  }
  return Array.from(found).sort((a, b) => b.length - a.length)
}

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
  const secrets = secretsOf(redactor, request)
  const mask = (text: string): string => {
    let out = text
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(placeholder)
    }
    return out
  }
  /** An excerpt cut in the middle of a secret would still show its start. */
  const maskCut = (text: string): string => {
    const mark = cutMark.exec(text)
    if (mark === null) return text
    const head = text.slice(0, mark.index)
    for (const secret of secrets) {
      for (let length = Math.min(secret.length - 1, head.length); length >= 2; length--) {
        if (head.endsWith(secret.slice(0, length))) return `${head.slice(0, head.length - length)}${placeholder}${mark[0]}`
      }
    }
    return text
  }
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
