/**
 * Text formatting with no I/O: byte sizes, rates, durations, JSON
 * pretty-printing with ANSI colours, and the status line.
 */
import { STATUS_CODES } from "node:http"

/** `1.5 MiB`, `512 B`. */
export const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  const units = ["KiB", "MiB", "GiB", "TiB"]
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}

/** `2.3 s`, `1m05s`. */
export const seconds = (ms: number): string => {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const total = Math.round(ms / 1000)
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`
}

/** ANSI styles, or none when colour is off. */
export interface Palette {
  readonly key: (s: string) => string
  readonly string: (s: string) => string
  readonly number: (s: string) => string
  readonly literal: (s: string) => string
  readonly punctuation: (s: string) => string
  readonly dim: (s: string) => string
  readonly ok: (s: string) => string
  readonly warn: (s: string) => string
  readonly bad: (s: string) => string
}

const style = (open: string) => (s: string) => `\x1b[${open}m${s}\x1b[0m`

/** Colours in httpie's spirit: blue keys, green strings, cyan numbers, magenta literals. */
export const colours: Palette = {
  key: style("1;34"),
  string: style("32"),
  number: style("36"),
  literal: style("35"),
  punctuation: (s) => s,
  dim: style("2"),
  ok: style("1;32"),
  warn: style("1;33"),
  bad: style("1;31")
}

const identity = (s: string) => s

/** No colour at all. */
export const plain: Palette = {
  key: identity,
  string: identity,
  number: identity,
  literal: identity,
  punctuation: identity,
  dim: identity,
  ok: identity,
  warn: identity,
  bad: identity
}

/** `JSON.stringify(value, null, 2)`, coloured by `palette`. */
export const json = (value: unknown, palette: Palette, indent = ""): string => {
  const inner = indent + "  "
  if (value === null) return palette.literal("null")
  switch (typeof value) {
    case "string":
      return palette.string(JSON.stringify(value))
    case "number":
      return palette.number(JSON.stringify(value))
    case "boolean":
      return palette.literal(String(value))
    case "object": {
      if (Array.isArray(value)) {
        if (value.length === 0) return palette.punctuation("[]")
        const items = value.map((item) => inner + json(item, palette, inner))
        return `${palette.punctuation("[")}\n${items.join(palette.punctuation(",") + "\n")}\n${indent}${
          palette.punctuation("]")
        }`
      }
      const entries = Object.entries(value as Record<string, unknown>)
      if (entries.length === 0) return palette.punctuation("{}")
      const lines = entries.map(([key, item]) =>
        `${inner}${palette.key(JSON.stringify(key))}${palette.punctuation(":")} ${json(item, palette, inner)}`
      )
      return `${palette.punctuation("{")}\n${lines.join(palette.punctuation(",") + "\n")}\n${indent}${
        palette.punctuation("}")
      }`
    }
    default:
      return palette.literal(String(value))
  }
}

/** Whether a content type says JSON: `application/json`, `application/problem+json`, ... */
export const isJsonContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && /^[a-z]+\/(?:[^;]*\+)?json\s*(?:;|$)/i.test(contentType.trim())

/** `HTTP 200 OK`, coloured by the status class. */
export const statusLine = (status: number, palette: Palette): string => {
  const text = `HTTP ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd()
  return status < 300 ? palette.ok(text) : status < 400 ? palette.warn(text) : palette.bad(text)
}

/** Whether bytes look binary (a NUL in the first 8 KiB), so they are not dumped on a terminal. */
export const looksBinary = (body: Uint8Array): boolean => body.subarray(0, 8192).includes(0)
