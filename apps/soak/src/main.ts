/**
 * `pnpm soak`: a long run of the recommended preset against a loopback
 * FaultServer that faults about 10% of its answers (503 with Retry-After 0,
 * resets, 401s forcing a token refresh, slow answers under the timeout, bad
 * JSON). GETs and POSTs with an Idempotency-Key, at a fixed concurrency,
 * until the count is reached or the time is up. Not part of `pnpm test`.
 *
 * Prints the totals, the failures by tag, retries and refreshes (Courier's
 * metrics), duplicated writes (the server saw an Idempotency-Key it had
 * already applied: a request sent again after its write was done), the
 * sockets still open on the server once the client is closed, and RSS at the
 * start, middle and end. Exits non-zero when a write was duplicated or a
 * socket is left open.
 *
 * Flags: `--requests N` (100000), `--concurrency N` (64), `--minutes M`
 * (4.5, the hard stop), `--fault-rate R` (0.1).
 */
import { Auth, CourierClient, Body, Logging, Metrics, Preset, Retry, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { FaultServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

// ── Flags

interface Flags {
  readonly requests: number
  readonly concurrency: number
  readonly minutes: number
  readonly faultRate: number
}

const flag = (argv: ReadonlyArray<string>, name: string, fallback: number): number => {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = arg === `--${name}` ? argv[i + 1] : arg.startsWith(`--${name}=`) ? arg.slice(name.length + 3) : undefined
    if (value !== undefined) {
      const parsed = Number(value)
      if (Number.isFinite(parsed) && parsed >= 0) return parsed
    }
  }
  return fallback
}

const flags: Flags = {
  requests: Math.floor(flag(process.argv.slice(2), "requests", 100_000)),
  concurrency: Math.max(1, Math.floor(flag(process.argv.slice(2), "concurrency", 64))),
  minutes: flag(process.argv.slice(2), "minutes", 4.5),
  faultRate: Math.min(1, flag(process.argv.slice(2), "fault-rate", 0.1))
}

// ── The server side: a ledger of writes and a fault picked per request

/** What the server did, counted as it happened. */
class Ledger {
  /** Idempotency-Key → times the write was applied. */
  readonly applied = new Map<string, number>()
  duplicatedWrites = 0
  /** Requests the server saw with a key it had seen before (a retry or a replay). */
  keyRepeats = 0
  readonly seenKeys = new Set<string>()
  readonly issued = new Set<string>(["access-0"])
  generation = 0
  refreshCalls = 0
  served = 0
  readonly faults = { retryAfter503: 0, reset: 0, unauthorized: 0, slow: 0, badJson: 0 }
}

const ok = FaultServer.json({ ok: true })
const notJson = FaultServer.text("{\"ok\":tru", { headers: { "content-type": "application/json" } })
const slow = FaultServer.drip("10 millis")

/**
 * The share of each fault in the faulted 10%: 503 30%, reset 20%, 401 10%,
 * slow 20%, bad JSON 20%. A fault that answers before the write (503, reset,
 * 401) leaves it unapplied; slow and bad JSON answers come after it.
 */
const decide = (ledger: Ledger, faultRate: number) => (request: FaultServer.JournalEntry): FaultServer.Fault => {
  ledger.served += 1
  const header = (name: string): string | undefined => {
    const value = request.headers[name]
    return typeof value === "string" ? value : undefined
  }
  if (request.path === "/auth/refresh") {
    ledger.refreshCalls += 1
    ledger.generation += 1
    const accessToken = `access-${ledger.generation}`
    ledger.issued.add(accessToken)
    return FaultServer.json({ accessToken, refreshToken: `refresh-${ledger.generation}` })
  }
  const token = header("authorization")?.replace(/^Bearer /, "")
  if (token === undefined || !ledger.issued.has(token)) return FaultServer.status(401)
  const key = header("idempotency-key")
  if (key !== undefined) {
    if (ledger.seenKeys.has(key)) ledger.keyRepeats += 1
    else ledger.seenKeys.add(key)
  }
  const apply = (): void => {
    if (key === undefined || request.method !== "POST") return
    const times = ledger.applied.get(key) ?? 0
    if (times > 0) ledger.duplicatedWrites += 1
    ledger.applied.set(key, times + 1)
  }
  const draw = Math.random()
  if (draw >= faultRate) {
    apply()
    return ok
  }
  const which = draw / faultRate
  if (which < 0.3) {
    ledger.faults.retryAfter503 += 1
    return FaultServer.retryAfter(503, "0")
  }
  if (which < 0.5) {
    ledger.faults.reset += 1
    return FaultServer.reset
  }
  if (which < 0.6) {
    ledger.faults.unauthorized += 1
    return FaultServer.status(401)
  }
  apply()
  if (which < 0.8) {
    ledger.faults.slow += 1
    return slow
  }
  ledger.faults.badJson += 1
  return notJson
}

// ── The client side

const Ok = Schema.Struct({ ok: Schema.Boolean })

/** Counts the request lines Logging writes, by outcome: the preset's logging runs, its output is not printed. */
class LogTally {
  readonly byOutcome = new Map<string, number>()
  readonly layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make<unknown, void>((options) => {
      const message = Array.isArray(options.message) ? options.message[0] : options.message
      if (message !== Logging.message) return
      const outcome = HashMap.get(options.annotations, "http.outcome").pipe(Option.map(String), Option.getOrElse(() => "?"))
      this.byOutcome.set(outcome, (this.byOutcome.get(outcome) ?? 0) + 1)
    })
  )
}

class Tally {
  started = 0
  completed = 0
  successes = 0
  readonly failures = new Map<string, number>()
  record(exit: Exit.Exit<unknown, unknown>): void {
    this.completed += 1
    if (Exit.isSuccess(exit)) {
      this.successes += 1
      return
    }
    const failure = Cause.failureOption(exit.cause)
    let label = "defect"
    if (Option.isSome(failure)) {
      const error = failure.value as Partial<Record<"_tag" | "reason" | "phase" | "status", unknown>>
      const detail = error.reason ?? error.phase ?? error.status
      label = `${String(error._tag)}${detail === undefined ? "" : `(${String(detail)})`}`
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      label = "interrupted"
    }
    this.failures.set(label, (this.failures.get(label) ?? 0) + 1)
  }
}

const rssMiB = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024)
const heapMiB = (): number => Math.round(process.memoryUsage().heapUsed / 1024 / 1024)
/** With `node --expose-gc`, a full collection first, so heap figures are what is live, not what awaits collection. */
const collect = (): void => (globalThis as { gc?: () => void }).gc?.()
const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024)

class SoakFailed extends Data.TaggedError("SoakFailed")<{ readonly reason: string }> {}

const counterValue = (counter: Metric.Metric.Counter<number>) => Effect.map(Metric.value(counter), (state) => state.count)

const program = Effect.gen(function*() {
  const ledger = new Ledger()
  const tally = new Tally()
  const logs = new LogTally()
  const rss = { start: rssMiB(), middle: 0, end: 0 }
  const heap = { start: heapMiB(), middle: 0, end: 0 }
  const server = yield* FaultServer.make({
    journal: false,
    routes: [["*", "/*", FaultServer.dynamic(decide(ledger, flags.faultRate))]]
  })
  yield* Console.log(
    `soak: ${flags.requests} requests at concurrency ${flags.concurrency}, ${
      Math.round(flags.faultRate * 100)
    }% faulted, hard stop ${flags.minutes} min, server ${server.url}`
  )
  const retriesBefore = yield* counterValue(Metrics.retries)
  const refreshesBefore = yield* counterValue(Metrics.refreshes)
  const started = performance.now()
  const hardStop = Duration.millis(flags.minutes * 60_000)
  // New calls start until 6 s before the hard stop: the total timeout (5 s) ends the last ones in time.
  const stopStarting = started + Math.max(0, flags.minutes * 60_000 - 6_000)
  const half = Math.floor(flags.requests / 2)

  const run = Effect.gen(function*() {
    const context = yield* Layer.build(
      // Successes at Info, so every request line is built and tallied, as before they moved to Debug.
      Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }, { logging: { level: LogLevel.Info } }).pipe(
        Layer.provide(NodeTransport.layerClient({
          baseUrl: server.url,
          timeouts: { connect: "2 seconds", send: "2 seconds", receive: "2 seconds", total: "5 seconds" }
        })),
        Layer.provide(TokenStore.layerMemory(TokenStore.tokens("access-0", "refresh-0")))
      )
    )
    const client = Context.get(context, CourierClient.CourierClient)
    const one = (n: number) =>
      n % 2 === 0
        ? client.get("/items", { query: { n }, schema: Ok })
        : client.post("/items", { body: Body.json({ n }), headers: Retry.idempotencyKey(), schema: Ok })
    const worker = Effect.gen(function*() {
      // Bounded twice: by the count, and by the time to stop starting calls.
      for (let i = 0; i < flags.requests; i++) {
        if (tally.started >= flags.requests || performance.now() >= stopStarting) return
        const n = tally.started++
        tally.record(yield* Effect.exit(one(n)))
        if (tally.completed === half) {
          collect()
          rss.middle = rssMiB()
          heap.middle = heapMiB()
        }
      }
    })
    const progress = yield* Effect.fork(
      Effect.repeat(
        Effect.suspend(() =>
          Console.log(
            `  ${Math.round((performance.now() - started) / 1000)} s: ${tally.completed} done, ${
              Math.round(tally.completed / ((performance.now() - started) / 1000))
            }/s, RSS ${rssMiB()} MiB, heap used ${heapMiB()} MiB`
          )
        ),
        Schedule.spaced("10 seconds")
      ).pipe(Effect.delay("10 seconds"))
    )
    yield* Effect.all(Array.from({ length: flags.concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    yield* Fiber.interrupt(progress)
  }).pipe(Effect.scoped, Effect.provide(logs.layer))

  const finished = yield* Effect.timeoutTo(run, { duration: hardStop, onSuccess: () => true, onTimeout: () => false })
  const seconds = (performance.now() - started) / 1000
  collect()
  rss.end = rssMiB()
  heap.end = heapMiB()
  const memory = process.memoryUsage()
  if (rss.middle === 0) rss.middle = rss.end
  if (heap.middle === 0) heap.middle = heap.end
  // The client's scope is closed: every socket it had should now close on the server too.
  yield* server.awaitIdle("5 seconds")
  const openSockets = yield* server.openConnections
  const retries = (yield* counterValue(Metrics.retries)) - retriesBefore
  const refreshes = (yield* counterValue(Metrics.refreshes)) - refreshesBefore

  const lines = [
    `finished: ${finished ? "yes" : "no, cut at the hard stop"} in ${seconds.toFixed(1)} s (${
      Math.round(tally.completed / seconds)
    } requests/s, ${(seconds * 1000 / Math.max(1, tally.completed)).toFixed(2)} ms wall per request)`,
    `total: ${tally.completed} of ${flags.requests} requested`,
    `successes: ${tally.successes}`,
    `failures: ${tally.completed - tally.successes}`,
    ...[...tally.failures.entries()].sort((a, b) => b[1] - a[1]).map(([tag, n]) => `  ${tag}: ${n}`),
    `retries: ${retries}`,
    `refreshes: ${refreshes} (refresh calls the server answered: ${ledger.refreshCalls})`,
    `server: ${ledger.served} requests, faults injected ${JSON.stringify(ledger.faults)}`,
    `idempotency keys seen again (retries and replays): ${ledger.keyRepeats}`,
    `log lines by outcome: ${JSON.stringify(Object.fromEntries(logs.byOutcome))}`,
    `duplicated writes: ${ledger.duplicatedWrites}`,
    `open sockets after the run: ${openSockets}`,
    `RSS MiB: start ${rss.start}, middle ${rss.middle}, end ${rss.end} (heap used: ${heap.start}, ${heap.middle}, ${heap.end}${
      "gc" in globalThis ? ", after a full GC" : ""
    }; at the end heap total ${mib(memory.heapTotal)}, external ${mib(memory.external)}, array buffers ${
      mib(memory.arrayBuffers)
    })`
  ]
  for (const line of lines) yield* Console.log(line)
  if (ledger.duplicatedWrites > 0 || openSockets > 0) {
    return yield* new SoakFailed({
      reason: `${ledger.duplicatedWrites} duplicated write(s), ${openSockets} socket(s) left open`
    })
  }
}).pipe(Effect.scoped)

// No pretty logger: the preset's request lines go to the tally above, not to the terminal.
NodeRuntime.runMain(program, { disablePrettyLogger: true })
