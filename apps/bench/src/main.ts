/**
 * `pnpm bench`: Courier against raw undici and the usual Node clients on a
 * loopback server. Every measurement runs in a fresh client process pinned
 * to core 0, the server in its own process on core 1; three repetitions
 * with the client order rotated; medians with their range, and ratios to
 * raw undici taken within each repetition. Then what each Layer of the
 * preset costs on its own, over a stubbed transport.
 *
 *   pnpm bench            the whole suite (under 10 minutes); rewrites BENCHMARKS.md
 *   pnpm bench --quick    a smoke run (under a minute): small counts, one repetition
 *
 * Options (any of them makes the run partial: BENCHMARKS.md is then left alone):
 *   --reps N  --count N  --warmup N  --max-seconds S (0: fixed counts, no time limit)
 *   --clients a,b  --workloads "/posts c=64,/small c=1"  --transfer-mib N  --no-transfers  --no-storm  --no-layers
 *   --no-effect4
 *
 * The effect 4 section (effect 4's HttpClient and Courier's effect 4 line,
 * next to raw undici and Courier's effect 3 line) runs its client processes
 * on Node >= 22.19, which effect 4 and undici 8 need: same workloads,
 * warm-up and checks, ratios to raw undici on that same Node.
 *
 * The exit code is non-zero only for errors: a failed request or stubbed
 * call, a wrong decoded result, a transfer that did not check out, a
 * refresh storm with other than exactly one refresh. Speed never fails the
 * run.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { benchDir, build } from "./build.js"
import { clientIds, clientLabels, type ClientId, isClientId } from "./clients/index.js"
import {
  effect4ClientIds,
  effect4ClientVersion,
  effect4Labels,
  effect4Runs,
  effect4Versions,
  findNode22,
  isEffect4ClientId,
  type Node22,
  selectEffect4,
  summariseEffect4
} from "./effect4.js"
import { clientVersion, describeMachine, versions } from "./machine.js"
import { hasTaskset, machineCpu, runTask, type Server, startServer, type TaskOutcome, waitQuiet } from "./processes.js"
import {
  evaluateTargets,
  type BenchClientId,
  type LayerRecord,
  type Report,
  renderMarkdownEffect4,
  renderMarkdownLayers,
  renderMarkdownTables,
  renderMarkdownTargets,
  renderText,
  type RequestRecord,
  type Row,
  type StormRecord,
  summarise,
  summariseLayers,
  summariseTransfers,
  summariseRss,
  type TransferRecord,
  type Workload,
  workloads
} from "./report.js"
import {
  type LayersResult,
  layerStacks,
  loggingStacks,
  type Phase,
  type RequestsResult,
  type StormResult,
  type Task,
  type TransferResult
} from "./shared.js"

const { values: args } = parseArgs({
  options: {
    "quick": { type: "boolean", default: false },
    "reps": { type: "string" },
    "count": { type: "string" },
    "warmup": { type: "string" },
    "max-seconds": { type: "string" },
    "clients": { type: "string" },
    "workloads": { type: "string" },
    "transfer-mib": { type: "string" },
    "no-transfers": { type: "boolean", default: false },
    "no-storm": { type: "boolean", default: false },
    "no-layers": { type: "boolean", default: false },
    "no-effect4": { type: "boolean", default: false }
  },
  allowPositionals: false
})

const quick = args.quick === true
const number = (value: string | undefined, fallback: number, min = 1): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < min) throw new Error(`not a number >= ${min}: ${value}`)
  return n
}
const maxSeconds = number(args["max-seconds"], quick ? 0.3 : 2, 0)
const settings = {
  reps: Math.round(number(args.reps, quick ? 1 : 3)),
  count: Math.round(number(args.count, quick ? 3_000 : 20_000)),
  warmup: Math.round(number(args.warmup, quick ? 500 : 5_000)),
  /**
   * The time limit of a measured phase at concurrency 64 (0: none); the
   * phases at concurrency 1 get 60% of it. Every count is also capped in
   * time, or the suite could not finish in ten minutes: the slowest
   * clients do a few hundred requests a second. The warm-up is not: a slow
   * client must be as warm as a fast one.
   */
  maxSeconds,
  transferBytes: Math.round(number(args["transfer-mib"], quick ? 64 : 1024)) * 2 ** 20,
  stormRequests: 1_000,
  transfers: args["no-transfers"] !== true,
  storm: args["no-storm"] !== true,
  layers: args["no-layers"] !== true,
  /**
   * The Layer costs: calls of each stack at concurrency 64, a warm-up then
   * the measured ones, capped in time like a workload at concurrency 64.
   * Each call is a few µs to a few tens of µs of CPU, hence counts larger
   * than the workloads'.
   */
  layerWarmup: quick ? 5_000 : 20_000,
  layerCount: quick ? 10_000 : 50_000
}
const phaseOf = (w: Workload): Phase => ({
  path: w.path,
  concurrency: w.concurrency,
  count: settings.count,
  seconds: settings.maxSeconds === 0 ? 86_400 : settings.maxSeconds * (w.concurrency === 1 ? 0.6 : 1)
})
const requested = args.clients?.split(",").map((c) => c.trim())
for (const c of requested ?? []) {
  if (!isClientId(c) && !isEffect4ClientId(c)) {
    throw new Error(`unknown client ${c}; one of ${[...clientIds, ...effect4ClientIds].join(", ")}`)
  }
}
const clients: Array<ClientId> = requested === undefined ? [...clientIds] : requested.filter(isClientId)
// Ratios are to undici in the same repetition: it is always measured.
if (!clients.includes("undici")) clients.unshift("undici")
const effect4Clients = args["no-effect4"] === true ? [] : selectEffect4(requested)
const selectedWorkloads = args.workloads === undefined
  ? workloads
  : args.workloads.split(",").map((id) => {
    const w = workloads.find((x) => x.id === id.trim())
    if (w === undefined) throw new Error(`unknown workload ${id}; one of ${workloads.map((x) => x.id).join(", ")}`)
    return w
  })
/** Only the default full run rewrites BENCHMARKS.md. */
const fullRun = !quick && Object.entries(args).every(([k, v]) => k === "quick" || v === undefined || v === false)

const log = (line: string) => process.stderr.write(line + "\n")
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
const signed = (n: number) => (n >= 0 ? "+" : "") + fmt(n, 1)

/** Rotates the order by a third of the list per repetition, so every client runs early, mid and late. */
const rotate = <A>(items: ReadonlyArray<A>, rep: number): Array<A> => {
  const shift = (rep * Math.ceil(items.length / 3)) % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

const main = async (): Promise<number> => {
  const startedAt = new Date()
  const t0 = performance.now()
  await build()
  const node22: Node22 | undefined = effect4Clients.length === 0 ? undefined : findNode22()
  const pinned = hasTaskset()
  const clientCore = pinned ? 0 : undefined
  const machine = describeMachine(pinned)
  const allVersions = { ...versions(), ...(node22 === undefined ? {} : effect4Versions(node22)) }
  log(`bench: ${quick ? "quick" : fullRun ? "full" : "partial"} run on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}` +
    (node22 === undefined ? "" : ` (effect 4 section: Node ${node22.version})`) +
    (pinned ? "; server on core 1, clients on core 0" : "; taskset not found: processes are not pinned"))

  // Transfers go to memory-backed storage when there is some, so they measure the clients, not the disk.
  const scratchRoot = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir()
  const scratch = fs.mkdtempSync(path.join(scratchRoot, "courier-bench-"))
  const server: Server = await startServer(pinned ? 1 : undefined)
  const quietBudgetMs = quick ? 0 : 30_000
  const quietBudget = { remainingMs: quietBudgetMs }
  let quietWaitMs = 0

  /** Runs a task in a fresh process, measuring how much CPU the rest of the machine used meanwhile. */
  const measure = async (task: Task, timeoutMs: number, on: { readonly node?: string; readonly worker?: string } = {}) => {
    const quiet = await waitQuiet(quietBudget)
    quietWaitMs += quiet.waitedMs
    const machine0 = machineCpu()
    const server0 = await server.cpuSeconds()
    const own0 = process.cpuUsage()
    const start = performance.now()
    let outcome: TaskOutcome | undefined
    let error: string | undefined
    try {
      outcome = await runTask(task, { core: clientCore, timeoutMs, ...on })
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    const seconds = (performance.now() - start) / 1000
    const machine1 = machineCpu()
    const server1 = await server.cpuSeconds()
    const own = process.cpuUsage(own0)
    const otherLoadPct = machine0 === undefined || machine1 === undefined || outcome === undefined
      ? undefined
      : Math.max(
        0,
        (100 * (machine1.busy - machine0.busy - (server1 - server0) - outcome.processCpuSeconds - (own.user + own.system) / 1e6)) /
          seconds
      )
    return { outcome, error, otherLoadPct }
  }

  const requestRecords: Array<RequestRecord> = []
  const transferRecords: Array<TransferRecord> = []
  const stormRecords: Array<StormRecord> = []
  const layerRecords: Array<LayerRecord> = []
  let failures = 0
  const uploadFile = path.join(scratch, "upload.bin")
  if (settings.transfers) {
    // Sparse: the file is read back as zeros without touching a disk.
    fs.writeFileSync(uploadFile, "")
    fs.truncateSync(uploadFile, settings.transferBytes)
  }
  const logDir = path.join(scratch, "logs")
  fs.mkdirSync(logDir)

  try {
    for (let rep = 0; rep < settings.reps; rep++) {
      // One fresh process per client and repetition: the warm-up, then each
      // workload in turn. Warming up once per process is what lets the slow
      // clients be measured warm within the time the suite has.
      // The effect 4 section's rows take their turns among the others; each
      // is measured on Node 22 by the worker build that holds its packages.
      for (const client of rotate<BenchClientId>([...clients, ...effect4Clients], rep)) {
        const effect4 = isEffect4ClientId(client) ? effect4Runs[client] : undefined
        const task: Task = {
          kind: "requests",
          client: effect4?.client ?? client,
          origin: server.origin,
          warmup: {
            paths: [...new Set(selectedWorkloads.map((w) => w.path))],
            count: settings.warmup,
            concurrency: 64,
            seconds: 180
          },
          serverPid: server.pid,
          phases: selectedWorkloads.map(phaseOf),
          logDir
        }
        const timeoutMs = 240_000 + selectedWorkloads.length * (settings.maxSeconds === 0 ? 600_000 : 30_000)
        const { error, otherLoadPct, outcome } = await measure(
          task,
          timeoutMs,
          effect4 === undefined || node22 === undefined ? {} : { node: node22.path, worker: effect4.worker }
        )
        const result = outcome?.result as RequestsResult | undefined
        const logged = result === undefined ? 0 : result.phases.reduce((n, p) => n + p.count, result.warmupDone)
        const processProblem = error ??
          (result !== undefined && result.warmupErrors > 0
            ? `${result.warmupErrors} failed or wrong requests in the warm-up; first: ${result.warmupFirstError}`
            : result?.logLines !== undefined && result.logLines !== logged
            ? `expected one log line per request (${logged}), the log file has ${result.logLines}`
            : undefined)
        selectedWorkloads.forEach((w, i) => {
          const phase = result?.phases[i]
          const problem = processProblem ??
            (phase === undefined
              ? "no result"
              : phase.errors > 0
              ? `${phase.errors} failed or wrong requests; first: ${phase.firstError}`
              : undefined)
          if (problem !== undefined) failures++
          requestRecords.push({
            rep,
            workload: w.id,
            client,
            result: phase,
            processPeakRssMb: result?.peakRssMb,
            error: problem,
            otherLoadPct
          })
          log(
            `[${rep + 1}/${settings.reps}] ${w.id.padEnd(11)} ${client.padEnd(22)} ` +
              (phase === undefined
                ? `FAILED: ${problem}`
                : `${fmt(phase.count).padStart(6)} req ${fmt(phase.rps).padStart(7)} req/s  p50 ${fmt(phase.p50Us).padStart(6)} µs  ` +
                  `p99 ${fmt(phase.p99Us).padStart(7)} µs  ${fmt(phase.cpuUsPerRequest).padStart(5)} µs CPU/req  ` +
                  `${fmt(phase.peakRssMb).padStart(4)} MB` +
                  (otherLoadPct !== undefined && otherLoadPct >= 10 ? `  (other load ${fmt(otherLoadPct)}% of a core)` : "") +
                  (problem === undefined ? "" : `  ERROR: ${problem}`))
          )
        })
      }
      if (settings.transfers) {
        for (const kind of ["download", "upload"] as const) {
          for (const client of rotate(["undici", "courier"] as const, rep)) {
            const task: Task = kind === "download"
              ? { kind, client, origin: server.origin, bytes: settings.transferBytes, dir: scratch, logDir }
              : { kind, client, origin: server.origin, file: uploadFile, logDir }
            const { error, otherLoadPct, outcome } = await measure(task, 600_000)
            const result = outcome?.result as TransferResult | undefined
            const problem = error ?? result?.error
            if (problem !== undefined) failures++
            transferRecords.push({ rep, kind, client, result, error: problem, otherLoadPct })
            log(
              `[${rep + 1}/${settings.reps}] ${kind.padEnd(11)} ${client.padEnd(18)} ` +
                (result === undefined
                  ? `FAILED: ${problem}`
                  : `${fmt(result.mibPerSecond).padStart(7)} MiB/s  RSS +${fmt(result.rssGrowthMb)} MiB  ${fmt(result.cpuSeconds, 2)} s CPU` +
                    (problem === undefined ? "" : `  ERROR: ${problem}`))
            )
          }
        }
      }
      if (settings.storm) {
        await server.stormReset()
        const task: Task = { kind: "storm", client: "courier-preset", origin: server.origin, requests: settings.stormRequests, logDir }
        const { error, outcome } = await measure(task, 120_000)
        const result = outcome?.result as StormResult | undefined
        const stats = await server.stormStats()
        let problem = error
        if (problem === undefined && result !== undefined && result.succeeded !== result.requests) {
          problem = `${result.requests - result.succeeded} of ${result.requests} requests failed; first: ${result.firstError}`
        }
        if (problem === undefined && stats.refreshes !== 1) problem = `${stats.refreshes} refreshes, expected exactly 1`
        if (problem !== undefined) failures++
        const first401ToLastSuccessMs = result !== undefined && stats.first401At > 0 && result.lastSuccessAt > 0
          ? result.lastSuccessAt - stats.first401At
          : undefined
        const totalMs = result !== undefined && result.lastSuccessAt > 0 ? result.lastSuccessAt - result.startedAt : undefined
        stormRecords.push({ rep, result, server: stats, error: problem, first401ToLastSuccessMs, totalMs })
        log(
          `[${rep + 1}/${settings.reps}] storm       courier-preset     ${stats.refreshes} refresh, ` +
            `${result?.succeeded ?? 0}/${settings.stormRequests} ok, first 401 → last success ` +
            `${first401ToLastSuccessMs === undefined ? "–" : fmt(first401ToLastSuccessMs, 1)} ms` +
            (problem === undefined ? "" : `  ERROR: ${problem}`)
        )
      }
      if (settings.layers) {
        // One process for every stack, in an order rotated like the
        // clients'; each stack is compared with the stub alone measured in
        // the same process. (No forced collection before each measured run:
        // tried, it raised every stack's CPU per call, most in short runs.)
        const task: Task = {
          kind: "layers",
          client: "courier-preset",
          stacks: rotate(layerStacks, rep),
          warmup: settings.layerWarmup,
          count: settings.layerCount,
          concurrency: 64,
          seconds: settings.maxSeconds === 0 ? 86_400 : settings.maxSeconds,
          logDir
        }
        const timeoutMs = 120_000 + layerStacks.length * (settings.maxSeconds === 0 ? 300_000 : 30_000)
        const { error, otherLoadPct, outcome } = await measure(task, timeoutMs)
        const result = outcome?.result as LayersResult | undefined
        const stub = result?.stacks.find((r) => r.stack === "stub")
        for (const stack of layerStacks) {
          const r = result?.stacks.find((x) => x.stack === stack)
          const calls = r === undefined ? 0 : r.warmupDone + r.count
          const problem = error ??
            (r === undefined
              ? "no result"
              : r.errors > 0
              ? `${r.errors} failed or wrong calls; first: ${r.firstError}`
              : loggingStacks.includes(stack) && r.logLines !== calls
              ? `expected one log line per call (${calls}), the log file has ${r.logLines}`
              : undefined)
          if (problem !== undefined) failures++
          layerRecords.push({ rep, stack, result: r, error: problem, otherLoadPct })
          log(
            `[${rep + 1}/${settings.reps}] layers      ${stack.padEnd(18)} ` +
              (r === undefined
                ? `FAILED: ${problem}`
                : `${fmt(r.count).padStart(6)} calls ${fmt(r.cpuUsPerCall, 1).padStart(6)} µs CPU/call` +
                  (stub === undefined || stack === "stub" ? "" : `  ${signed(r.cpuUsPerCall - stub.cpuUsPerCall)} µs over the stub`) +
                  (problem === undefined ? "" : `  ERROR: ${problem}`))
          )
        }
      }
    }
  } finally {
    await server.stop()
    fs.rmSync(scratch, { recursive: true, force: true })
  }

  const rows = new Map<string, ReadonlyArray<Row>>(
    selectedWorkloads.map((w) => [w.id, summarise(requestRecords, w.id, clients)])
  )
  const transfers = summariseTransfers(transferRecords).filter((t) => transferRecords.some((r) => r.kind === t.kind))
  const rss = summariseRss(requestRecords, clients)
  const effect4Section = node22 === undefined
    ? undefined
    : summariseEffect4(requestRecords, selectedWorkloads, effect4Clients, node22)
  const layers = settings.layers ? summariseLayers(layerRecords) : []
  const targets = evaluateTargets(rows, rss, transfers, stormRecords)
  const labels = Object.fromEntries([
    ...clients.map((c) => [c, `${clientLabels[c]} — ${clientVersion(c, allVersions)}`]),
    ...effect4Clients.map((c) => [c, `${effect4Labels[c]} — ${effect4ClientVersion(c, allVersions)}`])
  ])
  const report: Report = {
    reps: settings.reps,
    count: settings.count,
    warmup: settings.warmup,
    maxSeconds: settings.maxSeconds,
    transferBytes: settings.transferBytes,
    stormRequests: settings.stormRequests,
    clients,
    labels,
    rows,
    rss,
    transfers,
    storms: stormRecords,
    layerWarmup: settings.layerWarmup,
    layerCount: settings.layerCount,
    layers,
    targets,
    effect4: effect4Section
  }
  const seconds = (performance.now() - t0) / 1000
  const loads = [...requestRecords, ...transferRecords, ...layerRecords].flatMap((r) => r.otherLoadPct === undefined ? [] : [r.otherLoadPct])
  const maxOtherLoad = loads.length === 0 ? undefined : Math.max(...loads)

  process.stdout.write("\nversions\n")
  for (const c of clients) process.stdout.write(`  ${c.padEnd(23)} ${clientVersion(c, allVersions)}\n`)
  for (const c of effect4Clients) process.stdout.write(`  ${c.padEnd(23)} ${effect4ClientVersion(c, allVersions)}\n`)
  process.stdout.write("\n" + renderText(report) + "\n\n")
  process.stdout.write(
    `${fmt(seconds)} s in all; ` +
      (maxOtherLoad === undefined ? "" : `other processes used at most ${fmt(maxOtherLoad)}% of a core during a measurement; `) +
      `waited ${fmt(quietWaitMs / 1000, 1)} s for a quiet machine\n`
  )

  const resultsDir = path.join(benchDir, "results")
  fs.mkdirSync(resultsDir, { recursive: true })
  const raw = {
    startedAt: startedAt.toISOString(),
    seconds,
    mode: quick ? "quick" : fullRun ? "full" : "partial",
    settings,
    clients,
    effect4Clients,
    workloads: selectedWorkloads,
    machine,
    versions: allVersions,
    quietWaitMs,
    requests: requestRecords,
    transfers: transferRecords,
    storms: stormRecords,
    layers: layerRecords,
    summary: {
      requests: Object.fromEntries(rows),
      rss,
      transfers,
      layers,
      effect4: effect4Section === undefined
        ? undefined
        : { node: effect4Section.node, requests: Object.fromEntries(effect4Section.rows), rss: effect4Section.rss }
    },
    targets,
    failures
  }
  fs.writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(raw, null, 2) + "\n")
  process.stdout.write(`raw numbers: ${path.relative(process.cwd(), path.join(resultsDir, "latest.json"))}\n`)

  if (fullRun) {
    const file = path.resolve(benchDir, "../../BENCHMARKS.md")
    fs.writeFileSync(file, (await import("./markdown.js")).document({
      report,
      machine,
      versions: allVersions,
      startedAt,
      seconds,
      maxOtherLoad,
      quietWaitMs,
      quietBudgetMs,
      postsBytes: server.postsBytes,
      tables: renderMarkdownTables(report),
      targets: renderMarkdownTargets(report),
      layers: renderMarkdownLayers(report),
      effect4: renderMarkdownEffect4(report),
      analysis: fs.existsSync(path.join(benchDir, "analysis.md"))
        ? fs.readFileSync(path.join(benchDir, "analysis.md"), "utf8")
        : undefined,
      cliStart: (await import("./cliStart.js")).measure()
    }))
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
  }
  if (failures > 0) process.stdout.write(`\n${failures} measurement(s) had errors: see above\n`)
  return failures > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(2)
  }
)
