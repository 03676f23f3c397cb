/**
 * Terminal output for the demo: step headings, results, and a logger that
 * renders Courier's request lines (one per attempt) as short readable
 * lines. Colour only on a TTY.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"

const tty = process.stdout.isTTY === true
const paint = (code: string) => (text: string) => tty ? `\u001b[${code}m${text}\u001b[0m` : text
export const bold = paint("1")
export const dim = paint("2")
export const green = paint("32")
export const yellow = paint("33")
export const cyan = paint("36")

export const step = (n: number, title: string) => Console.log(`\n${bold(`${n}. ${title}`)}`)
export const ok = (text: string) => Console.log(`   ${green("✓")} ${text}`)
export const note = (text: string) => Console.log(`   ${dim(text)}`)

/** Renders `http` log lines: `GET /path → 200 (attempt 1, 3 ms)`, with what the cache did when it says. */
export const requestLogger = (origin: () => string) =>
  Logger.make<unknown, void>(({ annotations, message }) => {
    const text = Array.isArray(message) ? message[0] : message
    if (text !== "http") return
    const a = Object.fromEntries(HashMap.toEntries(annotations)) as Record<string, unknown>
    const url = String(a["http.url"] ?? "").replace(origin(), "")
    const outcome = a["http.status"] !== undefined ? String(a["http.status"]) : String(a["http.failure"] ?? "?")
    const colour = outcome.startsWith("2") || outcome === "304" ? green : yellow
    // A line from the cache Layer (an answer it served itself) has no attempt.
    const cache = a["http.cache"] === undefined ? "" : `, cache ${String(a["http.cache"])}`
    const detail = a["http.attempt"] === undefined
      ? `(served by the cache${cache})`
      : `(attempt ${String(a["http.attempt"])}, ${Math.round(Number(a["http.duration_ms"]))} ms${cache})`
    process.stdout.write(`   ${dim("↳")} ${dim(`${String(a["http.method"])} ${url}`)} → ${colour(outcome)} ${dim(detail)}\n`)
  })

/** A progress bar on a TTY; a line per 25% otherwise. */
export const progressBar = (label: string) => {
  let lastQuarter = -1
  return (p: { readonly transferred: number; readonly total: number | undefined }) =>
    Effect.sync(() => {
      const total = p.total ?? 0
      const ratio = total > 0 ? p.transferred / total : 0
      if (tty) {
        const width = 30
        const filled = Math.round(ratio * width)
        process.stdout.write(
          `\r   ${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${
            (p.transferred / 1048576).toFixed(1)
          } MiB`
        )
        if (p.transferred === total) process.stdout.write("\n")
      } else {
        const quarter = Math.floor(ratio * 4)
        if (quarter !== lastQuarter) {
          lastQuarter = quarter
          process.stdout.write(`   ${label} ${(ratio * 100).toFixed(0)}% (${p.transferred} of ${total} bytes)\n`)
        }
      }
    })
}
