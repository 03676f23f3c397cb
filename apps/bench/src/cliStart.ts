/**
 * The start time of the `courier` command (apps/cli), measured by the CLI's
 * own script (median of 10 runs of `courier --version`, next to `node -e 0`
 * and `curl --version`), for the "CLI start time" section of BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../../cli/scripts/start-time.js", import.meta.url))

/** The script's Markdown table, or undefined when it could not run. */
export const measure = (runs = 10): string | undefined => {
  const result = spawnSync(process.execPath, [script, String(runs)], { encoding: "utf8", timeout: 60_000 })
  return result.status === 0 ? result.stdout.trim() : undefined
}
