/**
 * The logger of --verbose: renders the library's `http` and `http.detail`
 * log lines (already redacted by the Logging Layer) for a person on stderr,
 * httpie style (`>` what was sent, `<` what came back). Any other log line
 * is printed as `LEVEL message key=value`.
 */
import * as Logging from "@courier/client/Logging"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as Format from "./Format.js"
import type * as Stdio from "./Stdio.js"

type Annotations = Readonly<Record<string, unknown>>

const text = (value: unknown): string => typeof value === "string" ? value : JSON.stringify(value) ?? String(value)

const summary = (a: Annotations, palette: Format.Palette): string => {
  const head = `* ${text(a["http.method"])} ${text(a["http.url"])}`
  const attempt = typeof a["http.attempt"] === "number" && a["http.attempt"] > 1 ? `, attempt ${a["http.attempt"]}` : ""
  const took = `${text(a["http.duration_ms"])} ms${attempt}`
  const outcome = a["http.outcome"]
  if (outcome === "ok") return palette.dim(`${head} -> ${text(a["http.status"])} (${took})`)
  const status = a["http.status"] === undefined ? "" : ` ${text(a["http.status"])}`
  const reason = a["http.reason"] === undefined ? "" : ` ${text(a["http.reason"])}`
  const phase = a["http.phase"] === undefined ? "" : ` (${text(a["http.phase"])})`
  return palette.dim(`${head} -> ${text(outcome)}${status}${reason}${phase} (${took})`)
}

const headerLines = (prefix: string, headers: unknown, palette: Format.Palette): Array<string> =>
  typeof headers === "object" && headers !== null
    ? Object.entries(headers as Record<string, unknown>).map(([name, value]) =>
      `${prefix} ${palette.key(name)}: ${text(value)}`
    )
    : []

const bodyLines = (prefix: string, body: unknown): Array<string> =>
  body === undefined || body === "" ? [] : [prefix, ...text(body).split("\n").map((line) => `${prefix} ${line}`)]

const detail = (a: Annotations, palette: Format.Palette): Array<string> => [
  `> ${palette.key(text(a["http.method"]))} ${text(a["http.url"])}`,
  ...headerLines(">", a["http.request.headers"], palette),
  ...bodyLines(">", a["http.request.body"]),
  ...(a["http.status"] === undefined ? [] : [`< ${Format.statusLine(Number(a["http.status"]), palette)}`]),
  ...headerLines("<", a["http.response.headers"], palette),
  ...bodyLines("<", a["http.response.body"])
]

/** A logger writing to `out`, which must be stderr so stdout keeps only the body. */
export const make = (out: Stdio.Output): Logger.Logger<unknown, void> => {
  const palette = out.colour ? Format.colours : Format.plain
  return Logger.make(({ annotations, logLevel, message }) => {
    const parts = Array.isArray(message) ? message : [message]
    const name = parts.map(text).join(" ")
    const a: Annotations = Object.fromEntries(HashMap.toEntries(annotations))
    const lines = name === Logging.message
      ? [summary(a, palette)]
      : name === Logging.detailMessage
      ? detail(a, palette)
      : [
        [logLevel.label, name, ...Object.entries(a).map(([key, value]) => `${key}=${text(value)}`)].join(" ")
      ]
    out.unsafeWrite(lines.join("\n") + "\n")
  })
}
