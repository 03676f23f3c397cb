/**
 * The headers that describe an application (`user-agent`, `x-app-name`,
 * `x-app-version`, `x-platform`, extras), checked once: values every
 * transport sends as they are, and no name that belongs to the transport,
 * the body or the credentials (these headers go to every origin).
 */
import * as Headers from "./Headers.js"

/** The options, as both lines' `AppHeaders` Layers take them. */
export interface Options {
  readonly userAgent?: string | undefined
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
  readonly platform?: string | undefined
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/** The headers to add, in order, or the option that is wrong (never its value). */
export type Resolved =
  | { readonly _tag: "Headers"; readonly entries: ReadonlyArray<readonly [string, string]> }
  | { readonly _tag: "Problem"; readonly path: ReadonlyArray<string>; readonly message: string }

// Visible ASCII with inner spaces: a value every transport sends as is (fetch
// rejects characters above U+00FF, and obs-text is read differently by
// different servers). No CR, LF or NUL, so no header injection.
const valuePattern = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/

/** The longest value accepted. */
export const maxValueLength = 1024

// Framing and hop-by-hop headers belong to the transport, the body's own
// headers to the body, credentials to the auth Layer.
const refusedNames: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "content-type",
  "authorization",
  "proxy-authorization",
  "cookie"
])

/** Whether a (lower-cased) name cannot be an app header. */
export const isRefusedName = (lower: string): boolean => refusedNames.has(lower) || Headers.isTransportOwned(lower)

/** Why a value is refused; never the value itself, which may be anything. */
export const valueProblem = (value: unknown): string | undefined => {
  if (typeof value !== "string") return "must be a string"
  if (value.length > maxValueLength) return `must be at most ${maxValueLength} characters`
  if (!valuePattern.test(value)) {
    return "must be non-empty printable ASCII without leading or trailing spaces (no CR, LF or control characters)"
  }
  return undefined
}

const named: ReadonlyArray<readonly ["userAgent" | "appName" | "appVersion" | "platform", string]> = [
  ["userAgent", "user-agent"],
  ["appName", "x-app-name"],
  ["appVersion", "x-app-version"],
  ["platform", "x-platform"]
]

/** The headers the options ask for; the named options win over an extra of the same name. */
export const resolve = (options: Options): Resolved => {
  const out = new Map<string, string>()
  if (options.extra !== undefined) {
    for (const name of Object.keys(options.extra)) {
      if (!Headers.isToken(name)) return { _tag: "Problem", path: ["extra"], message: "a header name is not a valid token" }
      const lower = name.toLowerCase()
      if (isRefusedName(lower)) {
        return {
          _tag: "Problem",
          path: ["extra", lower],
          message: `${lower} cannot be an app header (use the auth Layer for credentials)`
        }
      }
      const value = options.extra[name]
      const problem = valueProblem(value)
      if (problem !== undefined) return { _tag: "Problem", path: ["extra", lower], message: `the value ${problem}` }
      out.set(lower, value!)
    }
  }
  for (const [field, header] of named) {
    const value = options[field]
    if (value === undefined) continue
    const problem = valueProblem(value)
    if (problem !== undefined) return { _tag: "Problem", path: [field], message: `${field} ${problem}` }
    out.set(header, value)
  }
  return { _tag: "Headers", entries: Array.from(out) }
}

/**
 * The request's headers with the app headers added where it has none of
 * its own (the request's value wins: the app headers are defaults); the
 * same object when nothing is added.
 */
export const addTo = (
  headers: Readonly<Record<string, string>>,
  entries: ReadonlyArray<readonly [string, string]>
): Readonly<Record<string, string>> => {
  let out: Record<string, string> | undefined
  for (const [name, value] of entries) {
    if (headers[name] !== undefined) continue
    if (out === undefined) out = { ...headers }
    out[name] = value
  }
  return out ?? headers
}
