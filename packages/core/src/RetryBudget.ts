/**
 * The retry budget: retries stay under `ratio` of the requests seen in a
 * sliding window of ten buckets, plus a floor of `minPerSecond` per second
 * of the window, so an outage does not multiply traffic. Times are
 * milliseconds from the caller's clock, so a test clock drives it.
 */

/** A budget's settings, with the window in milliseconds. */
export interface Settings {
  readonly ratio: number
  readonly windowMillis: number
  readonly minPerSecond: number
}

/** The running state of a budget. */
export interface Tracker {
  /** Counts one request at `now`. */
  readonly recordRequest: (now: number) => void
  /** Spends one retry at `now` if the budget allows it. */
  readonly tryRetry: (now: number) => boolean
}

/** A budget tracker with nothing recorded yet. */
export const make = (settings: Settings): Tracker => {
  const bucketMillis = Math.max(1, settings.windowMillis / 10)
  const floor = settings.minPerSecond * (settings.windowMillis / 1000)
  const requests = new Array<number>(10).fill(0)
  const retries = new Array<number>(10).fill(0)
  let current = 0
  // Undefined until the first call: 0 is a real time under a test clock.
  let currentStart: number | undefined
  const roll = (now: number): void => {
    if (currentStart === undefined) currentStart = now
    let steps = Math.floor((now - currentStart) / bucketMillis)
    if (steps <= 0) return
    currentStart += steps * bucketMillis
    if (steps > 10) steps = 10
    for (let i = 0; i < steps; i++) {
      current = (current + 1) % 10
      requests[current] = 0
      retries[current] = 0
    }
  }
  return {
    recordRequest: (now) => {
      roll(now)
      requests[current]! += 1
    },
    tryRetry: (now) => {
      roll(now)
      let seen = 0
      let spent = 0
      for (let i = 0; i < 10; i++) {
        seen += requests[i]!
        spent += retries[i]!
      }
      if (spent + 1 > floor + settings.ratio * seen) return false
      retries[current]! += 1
      return true
    }
  }
}
