/**
 * Schema issues without the secrets of the body they describe. A
 * `ParseError` keeps every `actual` value it met, and its message, JSON and
 * inspection print them: a mismatching answer that echoes a request (its
 * headers, its query, its JSON body) or carries tokens would put them in
 * every log line that shows the failure. The values are replaced by what
 * the redactor makes of them; any value under a sensitive name is replaced
 * whole, and a plain string goes through `mask` (the credential values the
 * request sent).
 */
import * as ParseResult from "effect/ParseResult"
import type * as Redaction from "../../Redaction.js"
import { placeholder } from "./rules.js"

const encoder = new TextEncoder()
/** Issue trees deeper than this are cut: the walk recurses. */
const maxDepth = 64

/** A value as the redactor shows it: objects and arrays redacted field by field, primitives kept. */
const redactValue = (redactor: Redaction.Redactor, value: unknown, mask: (text: string) => string): unknown => {
  if (value === null || typeof value !== "object") {
    // A string that is itself a JSON document is redacted as one.
    if (typeof value !== "string") return value
    return /^\s*[[{]/.test(value) ? redactText(redactor, value) : mask(value)
  }
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    return placeholder
  }
  if (text === undefined) return placeholder
  const shown = redactText(redactor, text)
  try {
    return JSON.parse(shown)
  } catch {
    // Invalid or too large to redact: the redactor's summary stands in for it.
    return shown
  }
}

/** JSON text redacted field by field; anything else becomes the redactor's summary of it. */
const redactText = (redactor: Redaction.Redactor, text: string): string =>
  redactor.body(encoder.encode(text), "application/json", Number.MAX_SAFE_INTEGER)

const isSensitivePath = (redactor: Redaction.Redactor, path: ParseResult.Pointer["path"]): boolean =>
  (Array.isArray(path) ? path : [path]).some((key) => typeof key === "string" && redactor.isSensitiveBodyField(key))

const redactIssue = (
  redactor: Redaction.Redactor,
  issue: ParseResult.ParseIssue,
  mask: (text: string) => string,
  hidden: boolean,
  depth: number
): ParseResult.ParseIssue => {
  const actual = (value: unknown): unknown => hidden ? placeholder : redactValue(redactor, value, mask)
  if (depth >= maxDepth) return new ParseResult.Unexpected(placeholder, "the issue is nested too deeply to show")
  const next = (inner: ParseResult.ParseIssue, hide = hidden) => redactIssue(redactor, inner, mask, hide, depth + 1)
  switch (issue._tag) {
    case "Type":
      return new ParseResult.Type(issue.ast, actual(issue.actual), issue.message)
    case "Forbidden":
      return new ParseResult.Forbidden(issue.ast, actual(issue.actual), issue.message)
    case "Unexpected":
      return new ParseResult.Unexpected(actual(issue.actual), issue.message)
    case "Missing":
      return issue
    case "Pointer": {
      const hide = hidden || isSensitivePath(redactor, issue.path)
      return new ParseResult.Pointer(issue.path, actual(issue.actual), next(issue.issue, hide))
    }
    case "Refinement":
      return new ParseResult.Refinement(issue.ast, actual(issue.actual), issue.kind, next(issue.issue))
    case "Transformation":
      return new ParseResult.Transformation(issue.ast, actual(issue.actual), issue.kind, next(issue.issue))
    case "Composite": {
      const issues = Array.isArray(issue.issues)
        ? issue.issues.map((inner: ParseResult.ParseIssue) => next(inner))
        : next(issue.issues as ParseResult.ParseIssue)
      // The partial output is built from the body too.
      return new ParseResult.Composite(
        issue.ast,
        actual(issue.actual),
        issues as ParseResult.Composite["issues"],
        issue.output === undefined ? undefined : actual(issue.output)
      )
    }
  }
}

/**
 * The error with every `actual` value redacted: safe to keep as a failure's
 * cause and to format into its message.
 *
 * @internal
 */
export const redactParseError = (
  redactor: Redaction.Redactor,
  error: ParseResult.ParseError,
  mask: (text: string) => string = (text) => text
): ParseResult.ParseError => new ParseResult.ParseError({ issue: redactIssue(redactor, error.issue, mask, false, 0) })
