// Start time of the command as a user runs it: the median of `runs` runs of
// `courier --version` (the bin script, which loads the bundle), next to
// `node -e 0` (Node's own start) and `curl --version` (a native CLI).
// `node scripts/start-time.js [runs]`; prints a Markdown table.
import { spawnSync } from "node:child_process"
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"

const runs = Number(process.argv[2] ?? 10)
const bin = fileURLToPath(new URL("../bin/courier.js", import.meta.url))

const commands = [
  ["courier --version", process.execPath, [bin, "--version"]],
  ["node -e 0", process.execPath, ["-e", "0"]],
  ["curl --version", "curl", ["--version"]]
]

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const load = () => loadavg()[0].toFixed(1)
const loadBefore = load()
const rows = []
rows.push(`| command | median of ${runs} (ms) | min (ms) | max (ms) |`)
rows.push("| --- | --- | --- | --- |")
// Round by round, each command once per round, so that a burst of other load
// slows the three alike rather than one of them.
const times = commands.map(() => [])
const failed = new Set()
for (let round = 0; round < runs; round++) {
  commands.forEach(([, file, args], i) => {
    if (failed.has(i)) return
    const start = process.hrtime.bigint()
    const result = spawnSync(file, args, { stdio: "ignore" })
    if (result.error !== undefined || result.status !== 0) failed.add(i)
    else times[i].push(Number(process.hrtime.bigint() - start) / 1e6)
  })
}
commands.forEach(([name], i) => {
  const t = times[i]
  rows.push(
    failed.has(i)
      ? `| ${name} | (not available) | | |`
      : `| ${name} | ${median(t).toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${Math.max(...t).toFixed(0)} |`
  )
})
// Other processes on the machine slow every row alike; the load says how busy it was.
console.log(`Load average (1 min) ${loadBefore} before and ${load()} after, on ${cpus().length} cores.\n`)
console.log(rows.join("\n"))
