/**
 * The one table from a failure to the exit code and the single line printed
 * on stderr. Scripts branch on these codes, so they never change meaning:
 *
 * | code | meaning                                                          |
 * | ---- | ---------------------------------------------------------------- |
 * | 0    | success                                                          |
 * | 1    | a local failure (writing a file, the token file) or a bug        |
 * | 2    | usage, or a request refused before sending (`RequestRefused`)    |
 * | 3    | `Network`: refused, reset, DNS, TLS, a proxy, a body cut short   |
 * | 4    | `Timeout`                                                        |
 * | 5    | `Unauthorized`: a 401 after any refresh; log in again (or, when  |
 * |      | the token endpoint was unavailable, try again later)             |
 * | 6    | `BadResponse`: any other non-2xx status                          |
 * | 7    | `Parse`: a JSON content type whose body is not JSON              |
 * | 8    | `LimitExceeded`: too large, too many redirects                   |
 * | 9    | `CircuitOpen`, `RateLimited`, `BulkheadFull`: reserved; these    |
 * |      | come only from resilience Layers the CLI does not install        |
 * | 130  | interrupted (Ctrl-C, SIGINT, SIGTERM)                            |
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as CourierError from "@courier/client/CourierError"
import * as Duration from "effect/Duration"

/** The exit codes by name. */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Network: 3,
  Timeout: 4,
  Unauthorized: 5,
  BadResponse: 6,
  Parse: 7,
  LimitExceeded: 8,
  HeldBack: 9,
  Interrupted: 130
} as const

/** An exit code of the table. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** How a failed run ends: the code and the one line for stderr (no newline). */
export interface Report {
  readonly code: ExitCode
  readonly line: string
}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g

/** Whatever the text holds (a server's body excerpt, an argument), it stays one printable line. */
export const oneLine = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(ansi, "").replace(/[\x00-\x1f\x7f]+/g, " ").replace(/\s+/g, " ").trim()

const where = (request: CourierError.RequestInfo): string => `${request.method} ${request.url}`

const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return "<base-url>"
  }
}

const refusalHint: Partial<Record<CourierError.RefusalReason, string>> = {
  InvalidUrl: "give an absolute http(s) URL, or a path with --base-url or COURIER_BASE_URL",
  EscapesBaseUrl: "use a path under the base URL, or change --base-url",
  UnsupportedScheme: "only http:// and https:// URLs are supported",
  CredentialsInUrl: "pass credentials as a header item (Authorization:...) or use courier login",
  InvalidHeader: "header names and values cannot contain CR, LF or NUL; Connection, Keep-Alive, Transfer-Encoding, Upgrade, Expect, TE and Trailer are set by the transport",
  InvalidQuery: "check the name==value items",
  InvalidBody: "check the field items",
  InsecureRedirect: "the server redirected from https to http; use the https URL it should have given",
  BodyNotReplayable: "the request body cannot be sent again; retry the command"
}

const timeoutText: Record<CourierError.TimeoutPhase, string> = {
  connect: "no connection was established",
  send: "the request body was not sent",
  receive: "the server sent nothing",
  total: "the request did not complete"
}

const timeoutHint: Record<CourierError.TimeoutPhase, string> = {
  connect: "check the address or raise --connect-timeout",
  send: "the server stopped reading; try again later",
  receive: "the server stalled; try again later",
  total: "raise --timeout (seconds; 0 for none) if the server is known to be this slow"
}

const courier = (error: CourierError.CourierError): Report => {
  switch (error._tag) {
    case "RequestRefused":
      return {
        code: ExitCode.Usage,
        // The detail's own advice speaks of library options; the hint speaks of flags.
        line: `${where(error.request)}: refused before sending (${error.reason}): ${error.detail.split(";")[0]}; ${
          refusalHint[error.reason] ?? "check the URL and the request items"
        }`
      }
    case "Network":
      return { code: ExitCode.Network, line: error.message }
    case "Timeout":
      return {
        code: ExitCode.Timeout,
        line: `${where(error.request)}: ${timeoutText[error.phase]} within ${
          Duration.format(error.duration)
        } (${error.phase} timeout); ${timeoutHint[error.phase]}`
      }
    case "Unauthorized":
      // The token endpoint was down: the stored session is intact, logging in is not the fix.
      if (error.reason === "RefreshUnavailable") {
        return {
          code: ExitCode.Unauthorized,
          line: `${where(error.request)}: 401 Unauthorized and the token endpoint is unavailable; the session is kept, try again later`
        }
      }
      return {
        code: ExitCode.Unauthorized,
        line: `${where(error.request)}: 401 Unauthorized${
          error.cause === undefined ? "" : " and the session could not be refreshed"
        }; log in with: courier login ${originOf(error.request.url)} --user NAME`
      }
    case "BadResponse":
      return { code: ExitCode.BadResponse, line: error.message }
    case "Parse":
      return {
        code: ExitCode.Parse,
        line: `${error.message}; the server's body does not match its content type`
      }
    case "LimitExceeded":
      return {
        code: ExitCode.LimitExceeded,
        line: error.reason === "TooManyRedirects"
          ? `${where(error.request)}: more than ${error.limit} redirects; raise --max-redirects if the chain is expected`
          : error.reason === "ResponseTooLarge"
          ? `${where(error.request)}: the response body is larger than ${error.limit} bytes; save it with: courier download URL -o FILE`
          : error.message
      }
    case "CircuitOpen":
    case "RateLimited":
    case "BulkheadFull":
      // The CLI installs none of these Layers; mapped so the table stays total.
      return { code: ExitCode.HeldBack, line: error.message }
  }
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

/** The exit code and line of any failure the program can end with. */
export const report = (error: unknown): Report => {
  const made = build(error)
  return { code: made.code, line: `courier: ${oneLine(made.line)}` }
}

const build = (error: unknown): Report => {
  if (CourierError.isCourierError(error)) return courier(error)
  if (ValidationError.isValidationError(error)) {
    const doc: HelpDoc.HelpDoc | undefined = "error" in error ? error.error : undefined
    const text = doc === undefined ? "" : oneLine(HelpDoc.toAnsiText(doc))
    return { code: ExitCode.Usage, line: `${text === "" ? "invalid command line" : text}; see courier --help` }
  }
  switch (tagOf(error)) {
    case "UsageError":
      return { code: ExitCode.Usage, line: (error as { message: string }).message }
    case "LoginRejected":
      return { code: ExitCode.Unauthorized, line: (error as { message: string }).message }
    case "LocalError":
      return { code: ExitCode.Failure, line: (error as { message: string }).message }
    case "QuitException":
      return { code: ExitCode.Interrupted, line: "interrupted" }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: ExitCode.Failure, line: `unexpected failure: ${message}` }
}
