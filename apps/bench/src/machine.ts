/**
 * The machine a run was measured on and the versions of everything measured.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { benchDir } from "./build.js"

export interface Machine {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly kernel: string
  readonly node: string
  readonly pinned: boolean
}

export const describeMachine = (pinned: boolean): Machine => {
  let cpuModel = os.cpus()[0]?.model ?? "unknown"
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))
    if (match !== null) cpuModel = match[1].trim()
  } catch {
    // not Linux: os.cpus() said what it could
  }
  return {
    cpuModel,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    pinned
  }
}

const packageVersion = (name: string): string => {
  try {
    const file = path.join(benchDir, "node_modules", name, "package.json")
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
  } catch {
    return "unknown"
  }
}

/** The version of every package measured, read from the installed packages. */
export const versions = (): Record<string, string> => ({
  "undici": packageVersion("undici"),
  "undici (bundled in Node, used by fetch)": process.versions.undici ?? "unknown",
  "axios": packageVersion("axios"),
  "ky": packageVersion("ky"),
  "got": packageVersion("got"),
  "ofetch": packageVersion("ofetch"),
  "effect": packageVersion("effect"),
  "@effect/platform": packageVersion("@effect/platform"),
  "@effect/platform-node": packageVersion("@effect/platform-node"),
  "@courier/client": packageVersion("@courier/client")
})

/** The version shown next to each client in the report. */
export const clientVersion = (id: string, all: Record<string, string>): string => {
  switch (id) {
    case "undici":
      return `undici ${all["undici"]}`
    case "effect-baseline":
      return `undici ${all["undici"]}, effect ${all["effect"]}`
    case "fetch":
      return `Node ${process.version} (undici ${all["undici (bundled in Node, used by fetch)"]})`
    case "axios":
    case "ky":
    case "got":
    case "ofetch":
      return `${id} ${all[id]}`
    case "effect-undici":
    case "effect-undici-full":
      return `@effect/platform ${all["@effect/platform"]}, platform-node ${all["@effect/platform-node"]}`
    case "effect-fetch-full":
      return `@effect/platform ${all["@effect/platform"]}`
    default:
      return `@courier/client ${all["@courier/client"]} (effect ${all["effect"]})`
  }
}
