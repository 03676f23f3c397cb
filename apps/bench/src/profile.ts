/**
 * `pnpm --filter bench profile`: one client on one workload under
 * `node --cpu-prof`, then where its CPU time went, by package, file and
 * function (self time). Courier's frames are mapped back to its TypeScript
 * sources.
 *
 *   pnpm --filter bench profile                                   Courier preset, /posts c=64
 *   pnpm --filter bench profile --client undici --workload "/small c=64"
 *   pnpm --filter bench profile --file some.cpuprofile            summarise a profile only
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { benchDir, build } from "./build.js"
import { isClientId } from "./clients/index.js"
import { renderSummary, summarise } from "./cpuprofile.js"
import { hasTaskset, runTask, startServer } from "./processes.js"
import { workloads } from "./report.js"
import type { RequestsResult } from "./shared.js"

const { values: args } = parseArgs({
  options: {
    client: { type: "string", default: "courier-preset" },
    workload: { type: "string", default: "/posts c=64" },
    count: { type: "string", default: "20000" },
    seconds: { type: "string", default: "15" },
    top: { type: "string", default: "25" },
    file: { type: "string" }
  }
})

const main = async () => {
  const top = Number(args.top)
  if (args.file !== undefined) {
    process.stdout.write(renderSummary(summarise(args.file, top)) + "\n")
    return
  }
  const client = args.client ?? "courier-preset"
  if (!isClientId(client)) throw new Error(`unknown client ${client}`)
  const workload = workloads.find((w) => w.id === args.workload)
  if (workload === undefined) throw new Error(`unknown workload ${args.workload}; one of ${workloads.map((w) => w.id).join(", ")}`)
  await build()
  const pinned = hasTaskset()
  const dir = path.join(benchDir, "results", "profiles")
  fs.mkdirSync(dir, { recursive: true })
  const logDir = fs.mkdtempSync(path.join(dir, "logs-"))
  const server = await startServer(pinned ? 1 : undefined)
  try {
    const before = new Set(fs.readdirSync(dir))
    const outcome = await runTask(
      {
        kind: "requests",
        client,
        origin: server.origin,
        warmup: { paths: [workload.path], count: 5_000, concurrency: 64, seconds: 120 },
        serverPid: server.pid,
        phases: [{
          path: workload.path,
          concurrency: workload.concurrency,
          count: Number(args.count),
          seconds: Number(args.seconds)
        }],
        logDir
      },
      { core: pinned ? 0 : undefined, timeoutMs: 600_000, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] }
    )
    const phase = (outcome.result as RequestsResult).phases[0]
    const profile = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile") && !before.has(f))
    if (profile === undefined) throw new Error("no profile was written")
    const file = path.join(dir, `${client}-${workload.path.slice(1)}-c${workload.concurrency}.cpuprofile`)
    fs.renameSync(path.join(dir, profile), file)
    process.stdout.write(
      `${client} on ${workload.id}: ${phase.count} requests, ${phase.rps.toFixed(0)} req/s, ` +
        `${phase.cpuUsPerRequest.toFixed(0)} µs CPU per request, ${phase.errors} errors ` +
        `(the profile covers the whole process: start-up, warm-up and measured requests)\n` +
        `profile: ${path.relative(process.cwd(), file)}\n\n`
    )
    process.stdout.write(renderSummary(summarise(file, top)) + "\n")
  } finally {
    await server.stop()
    fs.rmSync(logDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
