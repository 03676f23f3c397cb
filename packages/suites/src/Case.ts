/**
 * A shared case, the checks it records, and how a runner runs one. Checks do
 * not throw: a case records every mismatch (what, expected, got), so one run
 * of a line reports all that differs, not the first.
 */
import { isDeepStrictEqual } from "node:util"
import type { Line, Outcome, Scope } from "./Line.js"

/** Renders a value for a failure message, bytes and long strings shortened. */
export const show = (value: unknown): string => {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`
  if (typeof value === "string") return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…` : value)
  try {
    const json = JSON.stringify(value, (_, v: unknown) =>
      v instanceof Uint8Array ? `<${v.byteLength} bytes>` : typeof v === "bigint" ? `${v}n` : v)
    return json === undefined ? String(value) : json.length > 600 ? `${json.slice(0, 600)}…` : json
  } catch {
    return String(value)
  }
}

/** An outcome in a few words, for messages. */
export const summary = (outcome: Outcome): string => {
  switch (outcome._tag) {
    case "Success":
      return `success ${show(outcome.body)}`
    case "Failure":
      return `${outcome.tag}(reason=${outcome.reason} phase=${outcome.phase} status=${outcome.status}): ${outcome.message}`
    case "Defect":
      return `defect: ${outcome.rendered.slice(0, 400)}`
    case "Interrupted":
      return "interrupted"
  }
}

/** Whether every key of `expected` matches in `actual`, objects compared the same way, the rest deeply. */
const matches = (actual: unknown, expected: unknown): boolean => {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected) && !(expected instanceof Uint8Array)) {
    if (actual === null || typeof actual !== "object") return false
    return Object.entries(expected).every(([key, value]) => matches((actual as Record<string, unknown>)[key], value))
  }
  return isDeepStrictEqual(actual, expected)
}

/** The mismatches a case found. */
export class Check {
  readonly failures: Array<string> = []

  fail(what: string): void {
    this.failures.push(what)
  }

  ok(what: string, condition: boolean, got?: unknown): boolean {
    if (!condition) this.fail(got === undefined ? what : `${what} (got ${show(got)})`)
    return condition
  }

  equal(what: string, actual: unknown, expected: unknown): boolean {
    return this.ok(`${what}: expected ${show(expected)}, got ${show(actual)}`, isDeepStrictEqual(actual, expected))
  }

  /** Every key given in `expected` has that value in `actual`. */
  match(what: string, actual: unknown, expected: unknown): boolean {
    return this.ok(`${what}: expected ${show(expected)} within ${show(actual)}`, matches(actual, expected))
  }

  below(what: string, actual: number, bound: number): boolean {
    return this.ok(`${what}: expected below ${bound}, got ${actual}`, actual < bound)
  }

  atLeast(what: string, actual: number, bound: number): boolean {
    return this.ok(`${what}: expected at least ${bound}, got ${actual}`, actual >= bound)
  }

  atMost(what: string, actual: number, bound: number): boolean {
    return this.ok(`${what}: expected at most ${bound}, got ${actual}`, actual <= bound)
  }

  contains(what: string, text: string, part: string): boolean {
    return this.ok(`${what}: expected ${show(text)} to contain ${show(part)}`, text.includes(part))
  }

  /** None of `texts` holds any of `secrets`. */
  lacks(what: string, texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>): boolean {
    const leaks = secrets.flatMap((secret) =>
      texts.filter((text) => text.includes(secret)).map((text) => {
        const at = text.indexOf(secret)
        return `${secret} in …${text.slice(Math.max(0, at - 80), at + secret.length + 40)}…`
      })
    )
    return this.ok(`${what}: ${leaks.join("; ")}`, leaks.length === 0)
  }

  /** The call succeeded; its body when it did. */
  success(what: string, outcome: Outcome): outcome is Extract<Outcome, { _tag: "Success" }> {
    return this.ok(`${what}: expected a success, got ${summary(outcome)}`, outcome._tag === "Success")
  }

  /**
   * The call failed with `tag` and the fields given (`reason` may list the
   * reasons accepted).
   */
  failure(
    what: string,
    outcome: Outcome,
    tag: string,
    fields: Readonly<Record<string, unknown>> & { readonly reason?: string | ReadonlyArray<string> } = {}
  ): outcome is Extract<Outcome, { _tag: "Failure" }> {
    if (outcome._tag !== "Failure" || outcome.tag !== tag) {
      this.fail(`${what}: expected ${tag}${fields.reason === undefined ? "" : `(${[fields.reason].flat().join(" or ")})`}, got ${summary(outcome)}`)
      return false
    }
    const { reason, ...rest } = fields
    let ok = true
    if (reason !== undefined && ![reason].flat().includes(outcome.reason ?? "")) {
      this.fail(`${what}: expected ${tag}(${[reason].flat().join(" or ")}), got ${summary(outcome)}`)
      ok = false
    }
    if (!matches(outcome, rest)) {
      this.fail(`${what}: expected ${show(rest)} within ${summary(outcome)} ${show(outcome)}`)
      ok = false
    }
    return ok
  }
}

/** A scope of closers, run last-in first-out; every closer runs even when one fails. */
export class Closers implements Scope {
  private readonly closers: Array<() => Promise<void> | void> = []
  add(close: () => Promise<void> | void): void {
    this.closers.push(close)
  }
  async close(): Promise<void> {
    const errors: Array<unknown> = []
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "closing the case's resources failed")
  }
}

/** What a case gets: the line, its scope, and where to record mismatches. */
export interface Context {
  readonly line: Line
  readonly scope: Scope
  readonly check: Check
}

export interface Case {
  /** The suite-local name, also the test's name. */
  readonly name: string
  readonly run: (context: Context) => Promise<void>
  /** For the runner's test timeout. */
  readonly timeoutMs?: number
}

/**
 * Runs one case against a line: its resources closed afterwards, its
 * mismatches (and any exception, which is a mismatch too) returned.
 */
export const runCase = async (line: Line, c: Case): Promise<ReadonlyArray<string>> => {
  const check = new Check()
  const scope = new Closers()
  try {
    await c.run({ line, scope, check })
  } catch (error) {
    check.fail(`the case threw: ${error instanceof Error ? error.stack ?? error.message : show(error)}`)
  }
  try {
    await scope.close()
  } catch (error) {
    check.fail(`closing: ${error instanceof Error ? error.message : show(error)}`)
  }
  return check.failures
}

/** Runs a case and throws one error listing every mismatch: what a runner's test body calls. */
export const assertCase = async (line: Line, c: Case): Promise<void> => {
  const failures = await runCase(line, c)
  if (failures.length > 0) throw new Error(`${line.name}: ${c.name}\n  ${failures.join("\n  ")}`)
}
