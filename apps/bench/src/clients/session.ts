/**
 * What every client module implements, apart from the list of clients, so
 * that a client module (and the effect 4 section's worker, which reuses the
 * reference client) depends on this alone.
 */
import type { Path } from "../shared.js"

/** A run of requests: `count` of them, or fewer if the deadline passes first. */
export interface Run {
  readonly path: Path
  readonly count: number
  readonly concurrency: number
  /** `performance.now()` after which no new request starts; those in flight finish. */
  readonly deadline: number
  /** Receives each request's latency (ms) at its index, when given. */
  readonly latencies?: Float64Array | undefined
}

export interface RunOutcome {
  /** Requests completed (all of them, counted whether they succeeded or not). */
  readonly done: number
  readonly errors: number
  readonly firstError: string | undefined
}

export interface Session {
  readonly run: (run: Run) => Promise<RunOutcome>
  readonly close: () => Promise<void>
  /** The log file of a client that logs. */
  readonly logFile?: string | undefined
}

export type MakeSession = (origin: string, logDir: string) => Promise<Session>

export const describeError = (error: unknown): string => {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  try {
    return JSON.stringify(error).slice(0, 500)
  } catch {
    return String(error)
  }
}
