/**
 * BENCHMARKS.md, written from the last full run.
 */
import type { Machine } from "./machine.js"
import { disturbedPct, type Report } from "./report.js"

export interface DocumentInput {
  readonly report: Report
  readonly machine: Machine
  readonly versions: Record<string, string>
  readonly startedAt: Date
  readonly seconds: number
  readonly maxOtherLoad: number | undefined
  readonly quietWaitMs: number
  readonly quietBudgetMs: number
  readonly postsBytes: number
  readonly tables: string
  readonly targets: string
  /** The Layer costs' table. */
  readonly layers: string
  /** The effect 4 section's tables (empty when it did not run). */
  readonly effect4: string
  /** The hand-written reading of the results (apps/bench/analysis.md), when there is one. */
  readonly analysis: string | undefined
  /** The CLI's start-time table (see cliStart.ts), when it could be measured. */
  readonly cliStart: string | undefined
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** How busy the server's core was at concurrency 64, measured during each workload. */
const serverLine = (report: Report): string => {
  const busiest = ["/small c=64", "/posts c=64"].flatMap((id) =>
    (report.rows.get(id) ?? []).flatMap((row) =>
      row.serverCpuPct === undefined ? [] : [{ id, client: row.client, pct: row.serverCpuPct.max }]
    )
  ).sort((a, b) => b.pct - a.pct)[0]
  return busiest === undefined
    ? ""
    : `(Measured: the server's process used at most ${fmt(busiest.pct)}% of its core during a concurrency-64 workload, with ${busiest.client} on ${busiest.id}.)`
}

/** The calls of each stack of the Layer costs. */
const layerCalls = (report: Report): string =>
  `${fmt(report.layerWarmup)} calls of warm-up, then ` +
  (report.maxSeconds === 0
    ? `${fmt(report.layerCount)} measured`
    : `${fmt(report.layerCount)} measured or ${fmt(report.maxSeconds, 1)} s, whichever ends first`)

/** How the effect 4 section is measured, how it differs from the rest, and its clients. */
const effect4Method = (report: Report): string => {
  const e4 = report.effect4
  if (e4 === undefined) return ""
  return `effect 4, @effect/platform-node 4 and undici 8 need Node >= 22.19, so this section's client processes run on
Node ${e4.node} (the machine's \`node\` when it is new enough, else \`$COURIER_NODE22\`, else the one
\`scripts/node22.sh\` installs once under \`.tools/node22\`), in the same \`pnpm bench\` run, against the same server,
taking their turns among the other clients in each repetition. Everything else is as above: one fresh process per
client and repetition, pinned to the same core, the same warm-up, the same four workloads with the same counts and
time limits, the same check of every decoded result (a wrong result fails the run). The ratios are to the section's
own reference, raw undici on the same Node 22 in the same repetition (the reference call above, \`pool.request\` on a
keep-alive \`Pool\` and \`body.json()\`, the same code, here loading undici 8): a row on Node 20 is no reference for
a row on Node 22, which has another V8 and another undici. The section's packages (effect 4, @effect/platform-node 4,
undici 8 and \`@courier/client-effect4\` from its built \`dist\`, which \`pnpm bench\` builds first) are those of a
private workspace package, \`apps/bench/effect4\` (the bench itself pins effect 3, and one package cannot hold both),
and its clients are bundled into that package so that they load from its node_modules like every other package. The
transfers, the refresh storm and the Layer costs have no effect 4 rows, and the targets are judged on the Node 20
rows only.

${e4.clients.map((c) => `- \`${c}\`: ${report.labels[c]}`).join("\n")}

Configuration: \`effect4-http\` is effect 4's \`HttpClient\` bare on \`NodeHttpClient.layerUndici\`, \`client.get(url)\`
then \`response.json\`, as the \`effect-undici\` row above. \`courier-bare-node22\` is the Courier bare row above (the
effect 3 line, on undici 7) run on Node 22, for a comparison of the two lines on one Node. Courier's effect 4 rows
are built as the effect 3 ones: bare is \`NodeTransport.layerClient({ baseUrl })\` and \`client.get(path, { schema })\`
with effect 4's Schema; the preset is \`Preset.layer({ refresh: Auth.refreshJson(...) }, { logging: { mode: "production" } })\`
over \`NodeTransport.layerClient({ baseUrl })\` and \`TokenStore.layerMemory(...)\`: bearer auth, retry (default
policy), tracing (the preset's default: trace headers to the base origin; under effect 4's own tracer, which exports
nothing, no span is recorded), logging in production mode through a logfmt logger writing to a file in place of
effect 4's default loggers (routine successes at Debug, so they write nothing), and metrics.`
}

export const document = (input: DocumentInput): string => {
  const { machine, report } = input
  const missed = report.targets.filter((t) => t.met === false)
  return `# Benchmarks

Generated by \`pnpm bench\` (apps/bench) on ${input.startedAt.toISOString().slice(0, 10)}, a full run of
${fmt(input.seconds / 60, 1)} minutes. Do not edit by hand: a full \`pnpm bench\` rewrites this file, and
\`pnpm bench --quick\` (the CI smoke run) leaves it alone. The raw numbers of the last run are in
\`apps/bench/results/latest.json\` (not committed).

## Machine

- CPU: ${machine.cpuModel}, ${machine.cores} cores; ${machine.memoryGiB} GiB of memory; ${machine.kernel}
- Node ${machine.node}${report.effect4 === undefined ? "" : `; the effect 4 section's client processes on Node ${report.effect4.node}`}
- ${machine.pinned ? "Server pinned to core 1 and each client process to core 0 with `taskset`" : "Processes not pinned (no `taskset`)"}
- The machine is shared: before each client process the run waits (up to ${fmt(input.quietBudgetMs / 1000)} s in all) for other
  processes to use less than a fifth of a core, and it records how much CPU other processes used
  while each client ran. ${input.maxOtherLoad === undefined ? "" : `The most seen was ${fmt(input.maxOtherLoad)}% of a core; `}it waited ${fmt(input.quietWaitMs / 1000, 1)} s.
  Figures of a client that ran next to ${disturbedPct}% of a core or more of other load are marked †.

| package | version |
|---|---|
${Object.entries(input.versions).map(([name, version]) => `| ${name} | ${version} |`).join("\n")}

## Method

- A keep-alive \`node:http\` server in its own process on 127.0.0.1 (OS-chosen port), serving
  \`/small\` (\`{"ok":true}\`), \`/posts\` (${fmt(input.postsBytes)} bytes: 100 objects of four fields), \`/download/:bytes\`,
  \`POST /upload\`, and \`/auth/refresh\` with a protected route for the refresh storm. Bodies are serialised once.
- Each client runs in a fresh process in every repetition (so memory is per client): a warm-up of
  ${fmt(report.warmup)} requests at concurrency 64, half \`/small\` and half \`/posts\`, then the four workloads one after
  another: \`/small\` and \`/posts\` at concurrency 64, then at concurrency 1. Each request is a GET and a full JSON
  decode whose result is checked (a wrong result or a failed request is an error, and fails the run).
- The warm-up is a count, not a time, so a slow client is measured as warm as a fast one: with a few hundred
  requests of warm-up instead of ${fmt(report.warmup)}, the Courier preset measured about 1.5× more CPU per request.
- **Measured counts are capped in time.** A workload is ${fmt(report.count)} requests or ${fmt(report.maxSeconds, 1)} s (${fmt(report.maxSeconds * 0.6, 1)} s at
  concurrency 1), whichever ends first; the "requests" column gives the count actually measured. With fixed
  counts of ${fmt(report.count)} the suite cannot finish in ten minutes on this machine: the slowest clients do a few
  hundred requests a second, so one of their workloads would take about a minute and the suite over half an
  hour. \`pnpm bench --max-seconds 0\` runs the fixed counts (a partial run: it does not rewrite this file).
- requests/s = measured requests over wall time; p50/p99 of each request's latency; CPU per request =
  the process's user + system CPU time (all threads, GC included) over the measured phase, divided by
  the count; peak RSS = the larger of the kernel's high-water mark (VmHWM, reset through
  \`/proc/self/clear_refs\` as each workload starts) and RSS sampled every 50 ms. The workload tables show
  the peak during each workload; the RSS target is judged on the peak of the whole client process.
- ${report.reps} repetitions with the client order rotated by a third each time. Figures are medians over the
  repetitions with the min–max range; every "× undici" figure is the ratio to raw undici **in the same
  repetition**, then the median of those ratios.
- Every package loads as an application loads it: from node_modules, Courier from its built \`dist\`
  (\`pnpm bench\` builds it first), effect and @effect/platform module by module. Only the benchmark's own
  files are bundled by esbuild before each run, so no process runs through \`tsx\` (its loader thread adds
  about 35 MB of RSS to a process).
- At concurrency 64 the client's core is saturated and the server's is not, so those figures measure
  the client's CPU cost; at concurrency 1 they measure latency. ${serverLine(report)}

### The clients

${report.clients.map((c) => `- \`${c}\`: ${report.labels[c]}`).join("\n")}

Configuration: raw undici uses \`pool.request({ path, method: "GET" })\` on one keep-alive \`Pool\` (no URL parse
per call) and \`body.json()\`; the Effect baseline is that same call in \`Effect.tryPromise\` (with its abort
signal), driven by the same Effect harness as the Effect clients, so the gap between the two is Effect's runtime
and the gap from it to Courier is Courier's own;
axios and got use a keep-alive \`http.Agent\`; ky, got and ofetch keep their defaults (their retry and timeout
logic included). The @effect/platform "full stack" is \`mapRequest(prependUrl(base))\`, \`mapRequest(bearerToken)\`,
\`filterStatusOk\`, \`retryTransient({ times: 2 })\` and \`HttpClientResponse.schemaBodyJson\`, with the default
tracer on. Courier bare is \`NodeTransport.layerClient({ baseUrl })\` and \`client.get(path, { schema })\`. The
Courier preset is \`Preset.layer({ refresh: Auth.refreshJson(...) }, { logging: { mode: "production" } })\` over
\`NodeTransport.layerClient({ baseUrl })\` and \`TokenStore.layerMemory(...)\`, as the guide builds it: bearer auth,
retry (default policy), **tracing on** (the preset's default: trace headers to the base origin; under Effect's own
tracer, which exports nothing, no span is recorded), logging in production mode (a logfmt line per failure, retry
and refresh, written to a file through a \`node:fs\` WriteStream that replaces Effect's default logger; routine
successes are logged at Debug, below Effect's default minimum level, so they write nothing), and metrics; bodies
decoded with Schema. The row "every success logged" is the same preset with successes at Info: one line per
request written to the file (the run checks there is one line per request).

Transfers: ${fmt(report.transferBytes / 2 ** 20)} MiB each way, from and to memory-backed storage (\`/dev/shm\`) so that the disk
is not what is measured. The download is raw undici piped to a file (then fsync and rename, as Courier does)
against Courier's \`Download.toFile\`; the upload is a hand-built multipart body streamed from a sparse file
with undici against \`Multipart.file\` + \`client.post\`; both Courier sides go through the preset. RSS growth is
the peak during the transfer (VmHWM reset just before it, and samples) over the RSS just before it.

Refresh storm: the preset's token store holds an expired access token; after a warm-up on an unprotected route
(so the connections exist), ${fmt(report.stormRequests)} concurrent requests hit the protected route. The server counts refreshes
(exactly 1 is required) and stamps its first 401; the client stamps its last success.

## Targets

Courier with the recommended preset, against raw undici in the same repetition.

${input.targets}

${missed.length === 0 ? "Every target is met." : `Missed: ${missed.map((t) => t.target).join("; ")}.`}
${input.analysis === undefined ? "" : `\n### Where the time goes, and what would close the gaps\n\n${input.analysis.trim()}\n`}
## Results

${input.tables}${report.effect4 === undefined ? "" : `
## effect 4

${effect4Method(report)}

${input.effect4}`}
## Where the preset's time goes

Each Layer of the preset alone, then the whole preset, is measured in-process over a stubbed transport (the
client's \`execute\` answers \`{"ok":true}\` at once), so the figures isolate each Layer's own cost from the
network and from GC pressure under load: the CPU per \`client.get("/small")\` at concurrency 64, minus the stub
alone's in the same process (${layerCalls(report)};
µs per call, median and range over ${report.reps} repetitions).

${input.layers}
${input.cliStart === undefined ? "" : `
## CLI start time

\`courier --version\` as a user runs it (\`apps/cli/bin/courier.js\`, which loads the bundle \`pnpm install\`
builds), next to Node's own start and a native command; wall time of each process, the three run round by
round, by \`node apps/cli/scripts/start-time.js\`, not pinned.

${input.cliStart}
`}`
}
