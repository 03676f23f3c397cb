/**
 * Timers on Effect's `Clock` without a fiber per timer.
 *
 * Racing an effect against `Effect.sleep` forks fibers: about 40 µs a timer,
 * more than a whole undici request. The core path instead arms callbacks:
 * on the live clock a plain `setTimeout` (what the live clock's `sleep` does
 * underneath), on any other clock (`TestClock` in tests) the clock's own
 * `sleep` in a small fiber, so time-driven behaviour stays testable by
 * adjusting the clock.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** Stops a timer; a no-op once it fired. @internal */
export type Cancel = () => void

const liveClock = Effect.runSync(Effect.clock)
const isLive = (clock: Clock.Clock): boolean => clock.constructor === liveClock.constructor

/** setTimeout's limit: longer delays are treated as never firing, as the live clock does. */
const maxDelay = 2 ** 31 - 1

const noop: Cancel = () => {}

/**
 * Calls `task` once `millis` have passed on `clock`.
 *
 * @internal
 */
export const schedule = (clock: Clock.Clock, millis: number, task: () => void): Cancel => {
  if (millis > maxDelay) return noop
  if (isLive(clock)) {
    const handle = setTimeout(task, Math.max(0, millis))
    return () => clearTimeout(handle)
  }
  const fiber = Effect.runFork(clock.sleep(Duration.millis(Math.max(0, millis))))
  fiber.addObserver((exit) => {
    if (Exit.isSuccess(exit)) task()
  })
  return () => {
    fiber.unsafeInterruptAsFork(FiberId.none)
  }
}

/** The phases a watchdog can report. @internal */
export type Phase = "send" | "receive" | "total"

/**
 * One timer for a request's life: the current phase's expiry and the
 * overall deadline. A new phase re-arms it (a handful of times a request);
 * activity within a phase that pushes the expiry later (a body chunk) costs
 * a clock read, not a timer: the timer re-arms itself when it fires early.
 *
 * @internal
 */
export class Watchdog {
  private phase: Phase = "receive"
  private expiry = Infinity
  private armedFor = Infinity
  private cancel: Cancel = noop
  private stopped = false

  constructor(
    private readonly clock: Clock.Clock,
    private readonly deadline: number,
    private readonly fire: (phase: Phase) => void
  ) {
    this.arm()
  }

  /** Starts a phase that expires after `millis` (Infinity: never). */
  start(phase: Exclude<Phase, "total">, millis: number): void {
    this.phase = phase
    this.expiry = millis === Infinity ? Infinity : this.clock.unsafeCurrentTimeMillis() + millis
    this.disarm()
    this.arm()
  }

  /** Activity in the current phase: its expiry restarts from now. */
  touch(millis: number): void {
    if (millis !== Infinity) this.expiry = this.clock.unsafeCurrentTimeMillis() + millis
  }

  /** No more timing: the request is over. */
  stop(): void {
    this.stopped = true
    this.cancel()
    this.cancel = noop
  }

  private disarm(): void {
    this.cancel()
    this.cancel = noop
    this.armedFor = Infinity
  }

  private arm(): void {
    if (this.stopped) return
    const target = Math.min(this.expiry, this.deadline)
    if (target >= this.armedFor) return
    this.cancel()
    this.armedFor = target
    if (target === Infinity) {
      this.cancel = noop
      return
    }
    this.cancel = schedule(this.clock, target - this.clock.unsafeCurrentTimeMillis(), () => this.check())
  }

  private check(): void {
    if (this.stopped) return
    this.armedFor = Infinity
    this.cancel = noop
    const now = this.clock.unsafeCurrentTimeMillis()
    if (now >= this.deadline) return this.fired("total")
    if (now >= this.expiry) return this.fired(this.phase)
    this.arm()
  }

  private fired(phase: Phase): void {
    this.stopped = true
    this.fire(phase)
  }
}
