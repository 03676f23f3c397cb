/**
 * The driver of promise clients: `concurrency` async loops taking the next
 * request number until `count` are done or the deadline has passed.
 */
import { checkResult, type Path } from "../shared.js"
import { describeError, type Session } from "./session.js"

export const promiseSession = (
  get: (path: Path) => Promise<unknown>,
  close: () => Promise<void>
): Session => ({
  close,
  run: async ({ concurrency, count, deadline, latencies, path }) => {
    let next = 0
    let errors = 0
    let firstError: string | undefined
    const worker = async () => {
      // The deadline is checked before a number is taken, so the numbers
      // started are 0..n-1 with no gap, and every one of them completes.
      while (performance.now() <= deadline) {
        const i = next++
        if (i >= count) return
        const start = performance.now()
        let ok = false
        try {
          ok = checkResult(path, await get(path))
          if (!ok) firstError ??= "wrong decoded result"
        } catch (error) {
          firstError ??= describeError(error)
        }
        if (latencies !== undefined) latencies[i] = performance.now() - start
        if (!ok) errors++
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return { done: Math.min(next, count), errors, firstError }
  }
})
