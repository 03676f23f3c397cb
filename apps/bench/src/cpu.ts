/**
 * CPU per request, the figure that holds on a busy machine: each client in a
 * fresh process measures its own user + system CPU over a fixed count of
 * requests (no time cap), repeated and the median taken. Throughput is not
 * reported (it moves with the machine's other load; the CPU a request costs
 * moves much less); at concurrency 1 the median latency is, as a hint.
 *
 *   node --import tsx src/cpu.ts                                     undici, bare and preset, /posts and /small c=64, 3 runs
 *   node --import tsx src/cpu.ts --clients courier-preset --runs 5 --workloads "/small c=64"
 *   node --import tsx src/cpu.ts --before HEAD~1     each Courier client also against the
 *                                                    build of that commit, the two in turn
 *   PRESET_OFF=logging,tracing node --import tsx src/cpu.ts   the preset without those Layers
 *                                                    (also metrics, retry; info: successes at Debug)
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { benchDir, build, buildWorkerAgainst } from "./build.js"
import { isClientId } from "./clients/index.js"
import { hasTaskset, runTask, startServer } from "./processes.js"
import { workloads } from "./report.js"
import type { RequestsResult } from "./shared.js"

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "undici,courier-bare,courier-preset" },
    workloads: { type: "string", default: "/posts c=64,/small c=64" },
    runs: { type: "string", default: "3" },
    count: { type: "string", default: "20000" },
    "no-build": { type: "boolean", default: false },
    before: { type: "string" }
  }
})

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Courier's `src` at `rev`, compiled inside the client package's
 * node_modules (ignored by git; its imports resolve as the package's own).
 */
const distAt = (rev: string): string => {
  const root = path.resolve(benchDir, "../..")
  const sha = execFileSync("git", ["-C", root, "rev-parse", "--short", rev], { encoding: "utf8" }).trim()
  const dir = path.join(root, "packages/client/node_modules", `.courier-${sha}`)
  if (!fs.existsSync(path.join(dir, "dist/index.js"))) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    const tar = execFileSync("git", ["-C", root, "archive", sha, "packages/client/src"])
    execFileSync("tar", ["-x", "-C", dir, "--strip-components=2"], { input: tar })
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: path.join(root, "tsconfig.base.json"),
        compilerOptions: { rootDir: "src", outDir: "dist", tsBuildInfoFile: "dist/.tsbuildinfo" },
        include: ["src"]
      })
    )
    execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", path.join(dir, "tsconfig.json")], { stdio: "inherit" })
  }
  return path.join(dir, "dist")
}

const main = async () => {
  const clients = args.clients!.split(",")
  for (const c of clients) if (!isClientId(c)) throw new Error(`unknown client ${c}`)
  const chosen = args.workloads!.split(",").map((id) => {
    const w = workloads.find((x) => x.id === id)
    if (w === undefined) throw new Error(`unknown workload ${id}`)
    return w
  })
  if (!args["no-build"]) await build()
  const beforeWorker = args.before === undefined ? undefined : await buildWorkerAgainst(distAt(args.before), "before")
  const pinned = hasTaskset()
  const logDir = fs.mkdtempSync(path.join(benchDir, "results", "cpu-logs-"))
  const server = await startServer(pinned ? 1 : undefined)
  // client -> workload -> µs per request, one per run
  const figures = new Map<string, Map<string, Array<number>>>()
  try {
    for (let run = 0; run < Number(args.runs); run++) {
      // Rotated each run, so no client always runs first or last.
      const rotated = clients.map((_, i) => clients[(i + run) % clients.length])
      // Each Courier client's build under test and the `before` one, right after each other,
      // the first of the two alternating from run to run.
      const order = rotated.flatMap((client): Array<[string, string | undefined]> =>
        beforeWorker === undefined || !client.startsWith("courier")
          ? [[client, undefined]]
          : run % 2 === 0
          ? [[client, undefined], [client, beforeWorker]]
          : [[client, beforeWorker], [client, undefined]]
      )
      for (const [client, worker] of order) {
        const label = worker === undefined ? client : `${client}@before`
        const outcome = await runTask(
          {
            kind: "requests",
            client,
            origin: server.origin,
            warmup: { paths: ["/small", "/posts"], count: 5_000, concurrency: 64, seconds: 300 },
            serverPid: server.pid,
            phases: chosen.map((w) => ({
              path: w.path,
              concurrency: w.concurrency,
              count: w.concurrency === 1 ? Math.min(3_000, Number(args.count)) : Number(args.count),
              seconds: 600
            })),
            logDir
          },
          { core: pinned ? 0 : undefined, timeoutMs: 900_000, ...(worker === undefined ? {} : { worker }) }
        )
        const result = outcome.result as RequestsResult
        const byWorkload = figures.get(label) ?? new Map<string, Array<number>>()
        figures.set(label, byWorkload)
        result.phases.forEach((phase, i) => {
          if (phase.errors > 0) throw new Error(`${label}: ${phase.errors} errors: ${phase.firstError}`)
          const key = chosen[i].id
          const list = byWorkload.get(key) ?? []
          list.push(phase.cpuUsPerRequest)
          byWorkload.set(key, list)
          if (chosen[i].concurrency === 1) {
            const p50 = byWorkload.get(`${key} p50`) ?? []
            p50.push(phase.p50Us)
            byWorkload.set(`${key} p50`, p50)
          }
        })
        process.stderr.write(
          `run ${run + 1} ${label}: ${result.phases.map((p) => `${p.path} c=${p.concurrency} ${p.cpuUsPerRequest.toFixed(1)} µs`).join(", ")}` +
            `, peak RSS ${result.peakRssMb.toFixed(0)} MB\n`
        )
      }
    }
  } finally {
    await server.stop()
    fs.rmSync(logDir, { recursive: true, force: true })
  }
  for (const [client, byWorkload] of figures) {
    for (const [workload, list] of byWorkload) {
      process.stdout.write(
        `${client.padEnd(23)} ${workload.padEnd(16)} median ${median(list).toFixed(1).padStart(6)} µs  (${list.map((x) => x.toFixed(1)).join(", ")})\n`
      )
    }
  }
  // Paired: this build over the `before` one, run by run, then the median of those ratios.
  for (const [label, byWorkload] of figures) {
    if (!label.endsWith("@before")) continue
    const after = figures.get(label.slice(0, -"@before".length))
    for (const [workload, list] of byWorkload) {
      const ratios = list.map((b, i) => (after?.get(workload)?.[i] ?? NaN) / b)
      process.stdout.write(
        `${label.slice(0, -"@before".length).padEnd(23)} ${workload.padEnd(16)} after/before ${median(ratios).toFixed(2)}  (${ratios.map((r) => r.toFixed(2)).join(", ")})\n`
      )
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
