/**
 * From the raw measurements to the report: medians over repetitions with
 * their range, ratios to raw undici taken within each repetition, each
 * Layer's cost over the stub alone in the same process, the targets, and
 * the tables (plain text for stdout, Markdown for BENCHMARKS.md).
 */
import type { ClientId } from "./clients/index.js"
import type { Effect4ClientId } from "./effect4.js"
import type { StormStats } from "./processes.js"
import {
  type LayerResult,
  type LayerStack,
  layerStacks,
  type Path,
  type PhaseResult,
  type StormResult,
  type TransferResult
} from "./shared.js"

export interface Workload {
  readonly id: string
  readonly path: Path
  readonly concurrency: number
}

export const workloads: ReadonlyArray<Workload> = [
  { id: "/small c=64", path: "/small", concurrency: 64 },
  { id: "/posts c=64", path: "/posts", concurrency: 64 },
  { id: "/small c=1", path: "/small", concurrency: 1 },
  { id: "/posts c=1", path: "/posts", concurrency: 1 }
]

/** A row of the report: a client of the Node 20 section or of the effect 4 (Node 22) one. */
export type BenchClientId = ClientId | Effect4ClientId

export interface RequestRecord {
  readonly rep: number
  readonly workload: string
  readonly client: BenchClientId
  readonly result: PhaseResult | undefined
  /** The peak RSS of the whole client process (warm-up and every workload). */
  readonly processPeakRssMb: number | undefined
  readonly error: string | undefined
  /** CPU other processes used while the client process ran, in % of one core. */
  readonly otherLoadPct: number | undefined
}

export interface TransferRecord {
  readonly rep: number
  readonly kind: "download" | "upload"
  readonly client: "undici" | "courier"
  readonly result: TransferResult | undefined
  readonly error: string | undefined
  readonly otherLoadPct: number | undefined
}

export interface StormRecord {
  readonly rep: number
  readonly result: StormResult | undefined
  readonly server: StormStats | undefined
  readonly error: string | undefined
  /** From the server's first 401 to the client's last success. */
  readonly first401ToLastSuccessMs: number | undefined
  /** From the first request sent to the last success. */
  readonly totalMs: number | undefined
}

export interface LayerRecord {
  readonly rep: number
  readonly stack: LayerStack
  readonly result: LayerResult | undefined
  readonly error: string | undefined
  /** CPU other processes used while the process of the stacks ran, in % of one core. */
  readonly otherLoadPct: number | undefined
}

export interface Range {
  readonly median: number
  readonly min: number
  readonly max: number
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const range = (values: ReadonlyArray<number>): Range | undefined =>
  values.length === 0 ? undefined : { median: median(values), min: Math.min(...values), max: Math.max(...values) }

export interface Row {
  readonly client: BenchClientId
  /** Measured requests per repetition. */
  readonly count: Range | undefined
  readonly rps: Range | undefined
  /** Requests/s over undici's in the same repetition. */
  readonly ratio: Range | undefined
  readonly p50Us: Range | undefined
  readonly p99Us: Range | undefined
  readonly cpuUs: Range | undefined
  readonly cpuRatio: Range | undefined
  readonly rssMb: Range | undefined
  readonly rssRatio: Range | undefined
  /** Median latency over undici's in the same repetition. */
  readonly addedP50Us: Range | undefined
  /** Measurements that had an error (a failed request, a wrong result, a crash). */
  readonly errors: number
  readonly maxOtherLoadPct: number | undefined
  /** How busy the server was, in % of its core. */
  readonly serverCpuPct: Range | undefined
}

/** One row per client for a workload; ratios are to `referenceId` (raw undici on the same Node) in the same repetition. */
export const summarise = (
  records: ReadonlyArray<RequestRecord>,
  workload: string,
  clients: ReadonlyArray<BenchClientId>,
  referenceId: BenchClientId = "undici"
): Array<Row> => {
  const of = (client: BenchClientId) => records.filter((r) => r.workload === workload && r.client === client)
  const reference = new Map(of(referenceId).flatMap((r) => r.result === undefined ? [] : [[r.rep, r.result] as const]))
  return clients.map((client) => {
    const mine = of(client)
    const ok = mine.flatMap((r) => r.result === undefined ? [] : [{ rep: r.rep, result: r.result }])
    const paired = ok.flatMap(({ rep, result }) => {
      const ref = reference.get(rep)
      return ref === undefined ? [] : [{ result, ref }]
    })
    const loads = mine.flatMap((r) => r.otherLoadPct === undefined ? [] : [r.otherLoadPct])
    return {
      client,
      count: range(ok.map((r) => r.result.count)),
      rps: range(ok.map((r) => r.result.rps)),
      ratio: range(paired.map((p) => p.result.rps / p.ref.rps)),
      p50Us: range(ok.map((r) => r.result.p50Us)),
      p99Us: range(ok.map((r) => r.result.p99Us)),
      cpuUs: range(ok.map((r) => r.result.cpuUsPerRequest)),
      cpuRatio: range(paired.map((p) => p.result.cpuUsPerRequest / p.ref.cpuUsPerRequest)),
      rssMb: range(ok.map((r) => r.result.peakRssMb)),
      rssRatio: range(paired.map((p) => p.result.peakRssMb / p.ref.peakRssMb)),
      addedP50Us: range(paired.map((p) => p.result.p50Us - p.ref.p50Us)),
      errors: mine.filter((r) => r.error !== undefined).length,
      maxOtherLoadPct: loads.length === 0 ? undefined : Math.max(...loads),
      serverCpuPct: range(ok.flatMap((r) => r.result.serverCpuPct === undefined ? [] : [r.result.serverCpuPct]))
    }
  })
}

export interface RssRow {
  readonly client: BenchClientId
  readonly rssMb: Range | undefined
  readonly ratio: Range | undefined
}

/** The peak RSS of each client's processes (one per repetition), and its ratio to undici's. */
export const summariseRss = (
  records: ReadonlyArray<RequestRecord>,
  clients: ReadonlyArray<BenchClientId>,
  referenceId: BenchClientId = "undici"
): Array<RssRow> => {
  const peak = (client: BenchClientId, rep: number) =>
    records.find((r) => r.client === client && r.rep === rep && r.processPeakRssMb !== undefined)?.processPeakRssMb
  const reps = [...new Set(records.map((r) => r.rep))]
  return clients.map((client) => {
    const mine = reps.flatMap((rep) => {
      const value = peak(client, rep)
      return value === undefined ? [] : [{ rep, value }]
    })
    const ratios = mine.flatMap(({ rep, value }) => {
      const ref = peak(referenceId, rep)
      return ref === undefined ? [] : [value / ref]
    })
    return { client, rssMb: range(mine.map((m) => m.value)), ratio: range(ratios) }
  })
}

export interface TransferRow {
  readonly kind: "download" | "upload"
  readonly client: "undici" | "courier"
  readonly mibPerSecond: Range | undefined
  readonly ratio: Range | undefined
  readonly rssGrowthMb: Range | undefined
  readonly cpuSeconds: Range | undefined
  readonly errors: number
}

export const summariseTransfers = (records: ReadonlyArray<TransferRecord>): Array<TransferRow> =>
  (["download", "upload"] as const).flatMap((kind) =>
    (["undici", "courier"] as const).map((client) => {
      const mine = records.filter((r) => r.kind === kind && r.client === client)
      const ok = mine.flatMap((r) => r.result === undefined || r.result.error !== undefined ? [] : [r])
      const ratios = ok.flatMap((r) => {
        const ref = records.find((x) => x.kind === kind && x.client === "undici" && x.rep === r.rep)?.result
        return ref === undefined || ref.error !== undefined ? [] : [r.result!.mibPerSecond / ref.mibPerSecond]
      })
      return {
        kind,
        client,
        mibPerSecond: range(ok.map((r) => r.result!.mibPerSecond)),
        ratio: range(ratios),
        rssGrowthMb: range(ok.map((r) => r.result!.rssGrowthMb)),
        cpuSeconds: range(ok.map((r) => r.result!.cpuSeconds)),
        errors: mine.length - ok.length
      }
    })
  )

export interface LayerRow {
  readonly stack: LayerStack
  /** Measured calls per repetition. */
  readonly count: Range | undefined
  readonly cpuUs: Range | undefined
  /** CPU per call over the stub alone's, in the same process (repetition). */
  readonly addedCpuUs: Range | undefined
  readonly errors: number
}

/** One row per stack: its CPU per call, and what it adds over the stub alone. */
export const summariseLayers = (records: ReadonlyArray<LayerRecord>): Array<LayerRow> => {
  const ok = records.flatMap((r) => r.error === undefined && r.result !== undefined ? [{ rep: r.rep, result: r.result }] : [])
  const stub = new Map(ok.flatMap(({ rep, result }) => result.stack === "stub" ? [[rep, result.cpuUsPerCall] as const] : []))
  return layerStacks.map((stack) => {
    const mine = ok.filter((r) => r.result.stack === stack)
    const added = mine.flatMap(({ rep, result }) => {
      const ref = stub.get(rep)
      return ref === undefined ? [] : [result.cpuUsPerCall - ref]
    })
    return {
      stack,
      count: range(mine.map((r) => r.result.count)),
      cpuUs: range(mine.map((r) => r.result.cpuUsPerCall)),
      addedCpuUs: range(added),
      errors: records.filter((r) => r.stack === stack && r.error !== undefined).length
    }
  })
}

export interface Target {
  readonly target: string
  readonly measured: string
  readonly met: boolean | undefined
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const fmtRange = (r: Range | undefined, digits = 0, unit = ""): string =>
  r === undefined
    ? "–"
    : r.min === r.max
    ? `${fmt(r.median, digits)}${unit}`
    : `${fmt(r.median, digits)}${unit} (${fmt(r.min, digits)}–${fmt(r.max, digits)})`

const ratioText = (r: Range | undefined): string => fmtRange(r, 2, "×")

/** The targets for the Courier preset (and one for Courier bare), each met or missed with the measured value. */
export const evaluateTargets = (
  rows: ReadonlyMap<string, ReadonlyArray<Row>>,
  rss: ReadonlyArray<RssRow>,
  transfers: ReadonlyArray<TransferRow>,
  storms: ReadonlyArray<StormRecord>
): Array<Target> => {
  const preset = (workload: string) => rows.get(workload)?.find((r) => r.client === "courier-preset")
  const targets: Array<Target> = []
  const atLeast = (target: string, value: Range | undefined, limit: number) =>
    targets.push({ target, measured: ratioText(value), met: value === undefined ? undefined : value.median >= limit })
  atLeast("requests/s ≥ 0.5× undici, /posts c=64", preset("/posts c=64")?.ratio, 0.5)
  atLeast("requests/s ≥ 0.4× undici, /small c=64", preset("/small c=64")?.ratio, 0.4)
  atLeast(
    "Courier bare: requests/s ≥ 0.7× undici, /small c=64",
    rows.get("/small c=64")?.find((r) => r.client === "courier-bare")?.ratio,
    0.7
  )
  const cpu = preset("/posts c=64")?.cpuRatio
  targets.push({
    target: "CPU per request ≤ 2× undici, /posts c=64",
    measured: cpu === undefined
      ? "–"
      : `${ratioText(cpu)} (${fmt(preset("/posts c=64")!.cpuUs!.median)} µs)`,
    met: cpu === undefined ? undefined : cpu.median <= 2
  })
  for (const workload of ["/small c=1", "/posts c=1"]) {
    const added = preset(workload)?.addedP50Us
    targets.push({
      target: `added median latency < 100 µs, ${workload}`,
      measured: added === undefined ? "–" : fmtRange(added, 0, " µs"),
      met: added === undefined ? undefined : added.median < 100
    })
  }
  const presetRss = rss.find((r) => r.client === "courier-preset")
  targets.push({
    target: "peak RSS ≤ 1.5× undici (whole client process)",
    measured: presetRss?.ratio === undefined
      ? "–"
      : `${ratioText(presetRss.ratio)} (${fmt(presetRss.rssMb!.median)} MB)`,
    met: presetRss?.ratio === undefined ? undefined : presetRss.ratio.median <= 1.5
  })
  for (const kind of ["download", "upload"] as const) {
    const row = transfers.find((t) => t.kind === kind && t.client === "courier")
    atLeast(`${kind} throughput ≥ 0.8× undici`, row?.ratio, 0.8)
    const growth = row?.rssGrowthMb
    targets.push({
      target: `${kind} RSS growth < 64 MiB`,
      measured: growth === undefined ? "–" : `${fmt(growth.max)} MiB at most (median ${fmt(growth.median)})`,
      met: growth === undefined ? undefined : growth.max < 64
    })
  }
  const refreshes = storms.map((s) => s.server?.refreshes)
  targets.push({
    target: "refresh storm: exactly 1 refresh, every request completes",
    measured: storms.length === 0
      ? "–"
      : storms.map((s) => `${s.server?.refreshes ?? "?"} refresh, ${s.result?.succeeded ?? 0}/${s.result?.requests ?? "?"} ok`).join("; "),
    met: storms.length === 0
      ? undefined
      : refreshes.every((n) => n === 1) && storms.every((s) => s.result !== undefined && s.result.succeeded === s.result.requests)
  })
  return targets
}

// ---- rendering ----

type Align = "l" | "r"

const textTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, align: ReadonlyArray<Align>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => align[i] === "r" ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ").trimEnd()
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

const markdownTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, align: ReadonlyArray<Align>): string =>
  [
    `| ${headers.join(" | ")} |`,
    `|${align.map((a) => a === "r" ? "---:" : "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

/** `reference`: how the ratio columns name the row they divide by. */
const requestHeadersFor = (reference: string) =>
  ["client", "requests", "req/s median (min–max)", `× ${reference}`, "p50 µs", "p99 µs", "CPU µs/req", `× ${reference} CPU`, "peak RSS MB", `× ${reference} RSS`]
const requestHeaders = requestHeadersFor("undici")
/** The effect 4 section's ratio columns: to raw undici on the section's Node 22. */
const effect4RequestHeaders = requestHeadersFor("undici (Node 22)")
const requestAlign: ReadonlyArray<Align> = ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"]

/** Other processes used at least this share of a core while a client ran: its figures are marked. */
export const disturbedPct = 25

const requestCells = (row: Row, name: string, referenceId: BenchClientId = "undici"): Array<string> => [
  name + (row.maxOtherLoadPct !== undefined && row.maxOtherLoadPct >= disturbedPct ? " †" : "") + (row.errors > 0 ? ` (ERRORS in ${row.errors} run${row.errors === 1 ? "" : "s"})` : ""),
  row.count === undefined ? "–" : fmt(row.count.median),
  fmtRange(row.rps),
  row.client === referenceId ? "1.00×" : row.ratio === undefined ? "–" : fmtRange(row.ratio, 2, "×"),
  row.p50Us === undefined ? "–" : fmt(row.p50Us.median),
  row.p99Us === undefined ? "–" : fmt(row.p99Us.median),
  row.cpuUs === undefined ? "–" : fmt(row.cpuUs.median),
  row.cpuRatio === undefined ? "–" : `${fmt(row.cpuRatio.median, 2)}×`,
  fmtRange(row.rssMb),
  row.rssRatio === undefined ? "–" : `${fmt(row.rssRatio.median, 2)}×`
]

const transferHeaders = ["transfer", "client", "MiB/s median (min–max)", "× undici", "RSS growth MiB median (min–max)", "CPU s"]
const transferAlign: ReadonlyArray<Align> = ["l", "l", "r", "r", "r", "r"]
const transferCells = (t: TransferRow, bytes: number): Array<string> => [
  `${t.kind} ${fmt(bytes / 2 ** 20)} MiB`,
  (t.client === "undici" ? "raw undici streaming" : t.kind === "download" ? "Courier `Download.toFile`" : "Courier `Multipart.file` + `client.post`") +
  (t.errors > 0 ? ` (${t.errors} errors)` : ""),
  fmtRange(t.mibPerSecond),
  t.client === "undici" ? "1.00×" : ratioText(t.ratio),
  fmtRange(t.rssGrowthMb),
  t.cpuSeconds === undefined ? "–" : fmt(t.cpuSeconds.median, 2)
]

const stormHeaders = ["repetition", "refreshes", "401s seen by the server", "succeeded", "first 401 → last success", "first request → last success"]
const stormAlign: ReadonlyArray<Align> = ["r", "r", "r", "r", "r", "r"]
const stormCells = (s: StormRecord): Array<string> => [
  String(s.rep + 1),
  s.server === undefined ? "–" : String(s.server.refreshes),
  s.server === undefined ? "–" : fmt(s.server.unauthorized),
  s.result === undefined ? `– (${s.error ?? "no result"})` : `${fmt(s.result.succeeded)}/${fmt(s.result.requests)}`,
  s.first401ToLastSuccessMs === undefined ? "–" : `${fmt(s.first401ToLastSuccessMs, 1)} ms`,
  s.totalMs === undefined ? "–" : `${fmt(s.totalMs, 1)} ms`
]

/** How each stack of the Layer costs appears in the report. */
const layerLabels: Record<LayerStack, string> = {
  stub: "stub alone (reference)",
  retry: "Retry (default policy)",
  tracing: "Tracing (trace headers; no span under Effect's own tracer)",
  logging: "Logging (production mode, every success a logfmt line to a file)",
  metrics: "Metrics",
  auth: "Auth (valid token in a memory store)",
  preset: "whole preset (successes at Debug, its default)"
}

const layerHeaders = ["layer", "calls", "CPU µs/call", "added over the stub, µs median (min–max)"]
const layerAlign: ReadonlyArray<Align> = ["l", "r", "r", "r"]
const layerCells = (row: LayerRow): Array<string> => [
  layerLabels[row.stack] + (row.errors > 0 ? ` (ERRORS in ${row.errors} run${row.errors === 1 ? "" : "s"})` : ""),
  row.count === undefined ? "–" : fmt(row.count.median),
  row.cpuUs === undefined ? "–" : fmt(row.cpuUs.median, 1),
  row.addedCpuUs === undefined ? "–" : row.stack === "stub" ? "0" : fmtRange(row.addedCpuUs, 1)
]

export interface Report {
  readonly reps: number
  readonly count: number
  readonly warmup: number
  /** The time limit of a measured phase at concurrency 64 (0: none). */
  readonly maxSeconds: number
  readonly transferBytes: number
  readonly stormRequests: number
  readonly clients: ReadonlyArray<ClientId>
  readonly labels: Readonly<Record<string, string>>
  readonly rows: ReadonlyMap<string, ReadonlyArray<Row>>
  readonly rss: ReadonlyArray<RssRow>
  readonly transfers: ReadonlyArray<TransferRow>
  readonly storms: ReadonlyArray<StormRecord>
  /** Calls of each stack of the Layer costs: warm-up, then measured (capped in time like a workload at concurrency 64). */
  readonly layerWarmup: number
  readonly layerCount: number
  readonly layers: ReadonlyArray<LayerRow>
  readonly targets: ReadonlyArray<Target>
  /** The effect 4 section, when it ran. */
  readonly effect4: Effect4Section | undefined
}

/** The effect 4 section: its rows on Node 22, with ratios to raw undici on that Node. */
export interface Effect4Section {
  readonly node: string
  readonly reference: Effect4ClientId
  readonly clients: ReadonlyArray<Effect4ClientId>
  readonly rows: ReadonlyMap<string, ReadonlyArray<Row>>
  readonly rss: ReadonlyArray<RssRow>
}

const addedLatencyHeaders = ["client", "/small c=1 p50 µs", "added over undici", "/posts c=1 p50 µs", "added over undici"]
const addedLatencyCells = (report: Report, client: ClientId, name: string): Array<string> => {
  const small = report.rows.get("/small c=1")?.find((r) => r.client === client)
  const posts = report.rows.get("/posts c=1")?.find((r) => r.client === client)
  const added = (r: Row | undefined) =>
    r?.addedP50Us === undefined ? "–" : client === "undici" ? "0" : fmtRange(r.addedP50Us, 0)
  return [name, small?.p50Us === undefined ? "–" : fmt(small.p50Us.median), added(small), posts?.p50Us === undefined ? "–" : fmt(posts.p50Us.median), added(posts)]
}

const rssHeaders = ["client", "peak RSS MB median (min–max)", "× undici"]
const effect4RssHeaders = ["client", "peak RSS MB median (min–max)", "× undici (Node 22)"]
const rssCells = (r: RssRow, name: string, referenceId: BenchClientId = "undici"): Array<string> => [
  name,
  fmtRange(r.rssMb),
  r.client === referenceId ? "1.00×" : ratioText(r.ratio)
]

const targetCells = (t: Target): Array<string> => [t.target, t.measured, t.met === undefined ? "not measured" : t.met ? "met" : "MISSED"]

const anyDisturbed = (report: Report, section: "main" | "effect4" | "both" = "main"): boolean =>
  [
    ...(section === "effect4" ? [] : report.rows.values()),
    ...(section === "main" ? [] : report.effect4?.rows.values() ?? [])
  ].some((rows) =>
    rows.some((r) => r.maxOtherLoadPct !== undefined && r.maxOtherLoadPct >= disturbedPct)
  )

/** The whole report as plain text, for stdout. */
export const renderText = (report: Report): string => {
  const out: Array<string> = []
  for (const w of workloads) {
    const rows = report.rows.get(w.id)
    if (rows === undefined) continue
    out.push(`${w.id}: ${report.reps} repetition(s), medians; "requests" is the measured count (up to ${fmt(report.count)})`)
    out.push(textTable(requestHeaders, rows.map((r) => requestCells(r, r.client)), requestAlign), "")
  }
  if (anyDisturbed(report, "both")) {
    out.push(`† other processes used ${disturbedPct}% of a core or more during at least one repetition of that client`, "")
  }
  out.push("peak RSS of each client process (warm-up and every workload)")
  out.push(textTable(rssHeaders, report.rss.map((r) => rssCells(r, r.client)), ["l", "r", "r"]), "")
  const e4 = report.effect4
  if (e4 !== undefined) {
    for (const w of workloads) {
      const rows = e4.rows.get(w.id)
      if (rows === undefined) continue
      out.push(`effect 4 section, Node ${e4.node}, ${w.id}: ratios to ${e4.reference} in the same repetition`)
      out.push(textTable(effect4RequestHeaders, rows.map((r) => requestCells(r, r.client, e4.reference)), requestAlign), "")
    }
    out.push(`effect 4 section, Node ${e4.node}: peak RSS of each client process`)
    out.push(textTable(effect4RssHeaders, e4.rss.map((r) => rssCells(r, r.client, e4.reference)), ["l", "r", "r"]), "")
  }
  if (report.rows.has("/small c=1") || report.rows.has("/posts c=1")) {
    out.push("(a) concurrency 1: median latency added over raw undici (same repetition), µs")
    out.push(textTable(addedLatencyHeaders, report.clients.map((c) => addedLatencyCells(report, c, c)), ["l", "r", "r", "r", "r"]), "")
  }
  if (report.transfers.length > 0) {
    out.push(`(b) transfers, ${report.reps} repetition(s), medians`)
    out.push(textTable(transferHeaders, report.transfers.map((t) => transferCells(t, report.transferBytes)), transferAlign), "")
  }
  if (report.storms.length > 0) {
    out.push(`(c) refresh storm: ${fmt(report.stormRequests)} concurrent requests through the preset, expired token`)
    out.push(textTable(stormHeaders, report.storms.map(stormCells), stormAlign), "")
  }
  if (report.layers.length > 0) {
    out.push(
      `(d) Layer costs: CPU per client.get("/small") over a stubbed transport, concurrency 64, ${report.reps} repetition(s), ` +
        `medians; "added" is over the stub alone in the same process`
    )
    out.push(textTable(layerHeaders, report.layers.map(layerCells), layerAlign), "")
  }
  out.push("targets (Courier, recommended preset)")
  out.push(textTable(["target", "measured (median, range)", "status"], report.targets.map(targetCells), ["l", "l", "l"]))
  return out.join("\n")
}

/** The effect 4 section's tables in Markdown (one per workload, then the processes' peak RSS), for BENCHMARKS.md. */
export const renderMarkdownEffect4 = (report: Report): string => {
  const e4 = report.effect4
  if (e4 === undefined) return ""
  const out: Array<string> = []
  const name = (c: BenchClientId) => report.labels[c] ?? c
  for (const w of workloads) {
    const rows = e4.rows.get(w.id)
    if (rows === undefined) continue
    out.push(`### effect 4: ${w.id}`, "", markdownTable(effect4RequestHeaders, rows.map((r) => requestCells(r, name(r.client), e4.reference)), requestAlign), "")
  }
  out.push(
    "### effect 4: peak RSS of each client process",
    "",
    markdownTable(effect4RssHeaders, e4.rss.map((r) => rssCells(r, name(r.client), e4.reference)), ["l", "r", "r"]),
    ""
  )
  if (anyDisturbed(report, "effect4")) {
    out.push(`† Other processes used ${disturbedPct}% of a core or more during at least one repetition of that client.`, "")
  }
  return out.join("\n")
}

/** The tables in Markdown, for BENCHMARKS.md. */
export const renderMarkdownTables = (report: Report): string => {
  const out: Array<string> = []
  const name = (c: BenchClientId) => report.labels[c] ?? c
  for (const w of workloads) {
    const rows = report.rows.get(w.id)
    if (rows === undefined) continue
    out.push(`### ${w.id}`, "", markdownTable(requestHeaders, rows.map((r) => requestCells(r, name(r.client))), requestAlign), "")
  }
  if (anyDisturbed(report)) {
    out.push(`† Other processes used ${disturbedPct}% of a core or more during at least one repetition of that client.`, "")
  }
  out.push(
    "### Peak RSS of each client process",
    "",
    "The whole process, from the start of its warm-up to the end of its last workload; the workload tables above show the peak during each workload.",
    "",
    markdownTable(rssHeaders, report.rss.map((r) => rssCells(r, name(r.client))), ["l", "r", "r"]),
    ""
  )
  out.push(
    "### (a) Concurrency 1: median latency added over raw undici",
    "",
    "The client's median latency minus raw undici's, in the same repetition (µs; median and range over repetitions).",
    "",
    markdownTable(addedLatencyHeaders, report.clients.map((c) => addedLatencyCells(report, c, name(c))), ["l", "r", "r", "r", "r"]),
    ""
  )
  out.push(
    "### (b) Transfers",
    "",
    markdownTable(transferHeaders, report.transfers.map((t) => transferCells(t, report.transferBytes)), transferAlign),
    ""
  )
  out.push(
    `### (c) Refresh storm: ${fmt(report.stormRequests)} concurrent requests meet an expired token`,
    "",
    markdownTable(stormHeaders, report.storms.map(stormCells), stormAlign),
    ""
  )
  return out.join("\n")
}

export const renderMarkdownTargets = (report: Report): string =>
  markdownTable(["target", "measured (median, range)", "status"], report.targets.map(targetCells), ["l", "l", "l"])

/** The Layer costs in Markdown, for BENCHMARKS.md. */
export const renderMarkdownLayers = (report: Report): string =>
  markdownTable(layerHeaders, report.layers.map(layerCells), layerAlign)
