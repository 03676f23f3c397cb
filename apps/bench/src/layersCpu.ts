/**
 * Each Layer of the preset over a stubbed `execute` (see `layers.ts`), in a
 * fresh process per run: CPU µs per call, the median over the runs, and the
 * figure over the stub alone. No network, so the figures hold on a busy
 * machine far better than throughput does.
 *
 *   node --import tsx src/layersCpu.ts --runs 3 --stacks stub,logging,preset
 *   node --import tsx src/layersCpu.ts --runs 1 --stacks preset --profile    and where its CPU went
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { benchDir, build } from "./build.js"
import { renderSummary, summarise } from "./cpuprofile.js"
import { hasTaskset, runTask } from "./processes.js"
import { type LayersResult, type LayerStack, layerStacks } from "./shared.js"

const { values: args } = parseArgs({
  options: {
    stacks: { type: "string", default: layerStacks.join(",") },
    runs: { type: "string", default: "3" },
    count: { type: "string", default: "50000" },
    warmup: { type: "string", default: "20000" },
    profile: { type: "boolean", default: false },
    top: { type: "string", default: "30" }
  }
})

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

const main = async () => {
  const stacks = args.stacks!.split(",") as Array<LayerStack>
  for (const s of stacks) if (!(layerStacks as ReadonlyArray<string>).includes(s)) throw new Error(`unknown stack ${s}`)
  if (!stacks.includes("stub")) stacks.unshift("stub")
  await build()
  const logDir = fs.mkdtempSync(path.join(benchDir, "results", "layers-logs-"))
  const figures = new Map<string, Array<number>>()
  const profileDir = path.join(benchDir, "results", "profiles")
  fs.mkdirSync(profileDir, { recursive: true })
  const nodeArgs = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []
  try {
    for (let run = 0; run < Number(args.runs); run++) {
      const outcome = await runTask(
        {
          kind: "layers",
          client: "courier-preset",
          stacks,
          warmup: Number(args.warmup),
          count: Number(args.count),
          concurrency: 64,
          seconds: 600,
          logDir
        },
        { core: hasTaskset() ? 0 : undefined, timeoutMs: 900_000, nodeArgs }
      )
      for (const r of (outcome.result as LayersResult).stacks) {
        if (r.errors > 0) throw new Error(`${r.stack}: ${r.errors} errors: ${r.firstError}`)
        figures.set(r.stack, [...(figures.get(r.stack) ?? []), r.cpuUsPerCall])
      }
    }
    if (args.profile) {
      const newest = fs.readdirSync(profileDir)
        .filter((f) => f.endsWith(".cpuprofile") && f.startsWith("CPU."))
        .map((f) => path.join(profileDir, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]
      const file = path.join(profileDir, `layers-${stacks.join("-")}.cpuprofile`)
      fs.renameSync(newest, file)
      process.stdout.write(`profile: ${file}\n${renderSummary(summarise(file, Number(args.top)))}\n\n`)
    }
  } finally {
    fs.rmSync(logDir, { recursive: true, force: true })
  }
  const stub = median(figures.get("stub") ?? [0])
  for (const [stack, list] of figures) {
    const m = median(list)
    process.stdout.write(
      `${stack.padEnd(8)} ${m.toFixed(1).padStart(6)} µs/call  +${(m - stub).toFixed(1).padStart(5)} over the stub  (${list.map((x) => x.toFixed(1)).join(", ")})\n`
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
