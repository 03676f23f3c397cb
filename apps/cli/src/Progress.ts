/**
 * Transfer progress on stderr: a bar redrawn in place on a terminal, plain
 * lines (at most one a second) when stderr is a file or a pipe, or nothing.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import type * as Stdio from "./Stdio.js"

/** `bar` on a terminal, `lines` elsewhere, `none` with --quiet. */
export type Mode = "bar" | "lines" | "none"

/** The mode for a stream. */
export const modeFor = (stderr: Stdio.Output, quiet: boolean): Mode => quiet ? "none" : stderr.isTTY ? "bar" : "lines"

/** Bytes moved so far, and the total when known. */
export interface Progress {
  readonly transferred: number
  readonly total: number | undefined
}

/** A display for one transfer. */
export interface Meter {
  readonly update: (progress: Progress) => Effect.Effect<void>
  /** Draws the last state and ends the bar's line; safe to call more than once. */
  readonly end: Effect.Effect<void>
  /** Average bytes per second since the first update. */
  readonly averageRate: Effect.Effect<number>
}

const redrawEvery = 100
const lineEvery = 1000
const rateWindow = 2000

/** What one frame shows, fitted to `columns`. */
export const barLine = (
  label: string,
  progress: Progress,
  rate: number,
  columns: number
): string => {
  const { total, transferred } = progress
  const speed = `${Format.bytes(Math.round(rate))}/s`
  if (total === undefined || total <= 0) return `${label}  ${Format.bytes(transferred)}  ${speed}`.slice(0, columns - 1)
  const fraction = Math.min(1, transferred / total)
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
  const eta = rate > 0 && transferred < total ? `  eta ${Format.seconds(((total - transferred) / rate) * 1000)}` : ""
  const right = `${percent}  ${Format.bytes(transferred)} / ${Format.bytes(total)}  ${speed}${eta}`
  const width = Math.max(0, Math.min(40, columns - 1 - label.length - right.length - 5))
  if (width < 10) return `${label} ${right}`.slice(0, columns - 1)
  const filled = Math.round(fraction * width)
  return `${label}  [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${right}`
}

/** One plain progress line. */
export const plainLine = (label: string, progress: Progress, rate: number): string => {
  const { total, transferred } = progress
  // The first line comes before there is a rate to speak of.
  const speed = rate > 0 ? ` at ${Format.bytes(Math.round(rate))}/s` : ""
  if (total === undefined || total <= 0) return `courier: ${label} ${Format.bytes(transferred)}${speed}`
  const percent = Math.floor(Math.min(1, transferred / total) * 100)
  return `courier: ${label} ${percent}% ${Format.bytes(transferred)} of ${Format.bytes(total)}${speed}`
}

/** A meter writing to `out` in `mode`. */
export const make = (options: {
  readonly label: string
  readonly mode: Mode
  readonly out: Stdio.Output
}): Effect.Effect<Meter> =>
  Effect.sync(() => {
    const { label, mode, out } = options
    let start: number | undefined
    let lastDraw = -Infinity
    let last: Progress = { transferred: 0, total: undefined }
    let drawn = false
    let ended = false
    const samples: Array<{ readonly at: number; readonly bytes: number }> = []

    const rate = (now: number): number => {
      while (samples.length > 2 && now - samples[0].at > rateWindow) samples.shift()
      const first = samples[0]
      if (first !== undefined && now - first.at >= 200) return ((last.transferred - first.bytes) * 1000) / (now - first.at)
      return start !== undefined && now > start ? (last.transferred * 1000) / (now - start) : 0
    }

    const draw = (now: number) => {
      drawn = true
      lastDraw = now
      out.unsafeWrite(`\r${barLine(label, last, rate(now), out.columns())}\x1b[K`)
    }

    const update = (progress: Progress): Effect.Effect<void> =>
      mode === "none" ? Effect.void : Effect.map(Clock.currentTimeMillis, (now) => {
        if (ended) return
        if (start === undefined) start = now
        last = progress
        samples.push({ at: now, bytes: progress.transferred })
        const done = progress.total !== undefined && progress.transferred >= progress.total
        if (mode === "bar") {
          if (done || now - lastDraw >= redrawEvery) draw(now)
        } else if (now - lastDraw >= lineEvery) {
          lastDraw = now
          out.unsafeWrite(plainLine(label, progress, rate(now)) + "\n")
        }
      })

    const end = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        if (ended) return
        ended = true
        if (mode === "bar" && drawn) {
          draw(now)
          out.unsafeWrite("\n")
        }
      }))

    const averageRate = Effect.map(
      Clock.currentTimeMillis,
      (now) => start !== undefined && now > start ? (last.transferred * 1000) / (now - start) : 0
    )

    return { update, end, averageRate }
  })
