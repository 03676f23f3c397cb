import { describe, expect, it } from "@effect/vitest"
import * as CourierError from "@courier/client/CourierError"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { LocalError, LoginRejected, UsageError } from "../src/CliError.js"
import { ExitCode, oneLine, report } from "../src/ExitCode.js"

const request = { method: "GET", url: "http://127.0.0.1:1/x?token=<redacted>" }

describe("ExitCode", () => {
  it("keeps the documented codes", () => {
    expect(ExitCode).toEqual({
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
    })
  })

  it("maps every Courier failure to its code", () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      [new CourierError.RequestRefused({ request, reason: "InvalidHeader", detail: "bad" }), 2],
      [new CourierError.Network({ request, reason: "ConnectionRefused", code: "ECONNREFUSED", cause: undefined }), 3],
      [new CourierError.Timeout({ request, phase: "total", duration: Duration.seconds(1) }), 4],
      [new CourierError.Unauthorized({ request, status: 401, headers: {}, bodyExcerpt: "" }), 5],
      [new CourierError.BadResponse({ request, status: 500, headers: {}, bodyExcerpt: "boom", errorBody: Option.none() }), 6],
      [
        new CourierError.Parse({
          request,
          status: 200,
          reason: "InvalidJson",
          contentType: "application/json",
          issues: [],
          bodyExcerpt: "{",
          cause: undefined
        }),
        7
      ],
      [new CourierError.LimitExceeded({ request, reason: "TooManyRedirects", limit: 2 }), 8],
      [new CourierError.LimitExceeded({ request, reason: "ResponseTooLarge", limit: 10 }), 8],
      [new CourierError.CircuitOpen({ request, key: "k", state: "Open", retryAt: 0, retryAfter: Duration.zero }), 9],
      [new CourierError.RateLimited({ request, key: "k", retryAt: 0, retryAfter: Duration.zero }), 9],
      [new CourierError.BulkheadFull({ request, key: "k", maxConcurrent: 1, maxQueue: 0 }), 9]
    ]
    for (const [error, code] of cases) expect(report(error).code, String((error as { _tag: string })._tag)).toBe(code)
  })

  it("maps the command's own failures", () => {
    expect(report(new UsageError({ message: "no" })).code).toBe(2)
    expect(report(new LocalError({ message: "disk full" })).code).toBe(1)
    expect(report(new LoginRejected({ message: "wrong password" })).code).toBe(5)
    expect(report(ValidationError.missingValue(HelpDoc.p("Missing argument <url>")))).toEqual({
      code: 2,
      line: "courier: Missing argument <url>; see courier --help"
    })
    expect(report({ _tag: "QuitException" }).code).toBe(130)
    expect(report(new Error("bug")).code).toBe(1)
  })

  it("says what to do in one line", () => {
    const timeout = report(new CourierError.Timeout({ request, phase: "total", duration: Duration.seconds(1) }))
    expect(timeout.line).toMatch(/^courier: GET http:\/\/127\.0\.0\.1:1\/x.*total timeout.*--timeout/)
    const redirects = report(new CourierError.LimitExceeded({ request, reason: "TooManyRedirects", limit: 2 }))
    expect(redirects.line).toContain("--max-redirects")
    const unauthorized = report(new CourierError.Unauthorized({ request, status: 401, headers: {}, bodyExcerpt: "" }))
    expect(unauthorized.line).toContain("courier login http://127.0.0.1:1 --user NAME")
    const unavailable = report(
      new CourierError.Unauthorized({ request, status: 401, headers: {}, bodyExcerpt: "", reason: "RefreshUnavailable" })
    )
    expect(unavailable.code).toBe(5)
    expect(unavailable.line).toContain("try again later")
    expect(unavailable.line).not.toContain("courier login")
    const bad = report(
      new CourierError.BadResponse({
        request,
        status: 500,
        headers: {},
        bodyExcerpt: "line one\r\nline two\u001b[31m",
        errorBody: Option.none()
      })
    )
    expect(bad.line).not.toMatch(/[\r\n\u001b]/)
    expect(bad.line).toContain("line one line two")
  })

  it("oneLine removes control characters and escape sequences", () => {
    expect(oneLine("a\nb\u001b[1;31mc\u0000d  e ")).toBe("a bc d e")
  })
})
