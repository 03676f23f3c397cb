/**
 * The effect 4 section, as the orchestrator sees it: its rows, which Node
 * and which worker build measure each, and the versions they load. Effect 4,
 * @effect/platform-node 4 and undici 8 need Node >= 22.19 while the rest of
 * the bench runs on the machine's Node, so the section has its own reference,
 * raw undici on the same Node 22: a Node 20 row cannot be the reference of a
 * Node 22 one.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir, effect4Dir, entries } from "./build.js"
import { type Effect4Section, type RequestRecord, summarise, summariseRss, type Workload } from "./report.js"

/** The section's rows, in the order of the report; the first is its reference. */
export const effect4ClientIds = [
  "undici-node22",
  "effect4-http",
  "courier-bare-node22",
  "courier-effect4-bare",
  "courier-effect4-preset"
] as const

export type Effect4ClientId = typeof effect4ClientIds[number]

/** The section's reference: raw undici on the section's Node. */
export const effect4Reference: Effect4ClientId = "undici-node22"

export const isEffect4ClientId = (id: string): id is Effect4ClientId =>
  (effect4ClientIds as ReadonlyArray<string>).includes(id)

/**
 * The section's rows for a run, in the report's order: all of them by
 * default, else those named in `--clients` (none named: the section does not
 * run), with the reference whenever the section runs.
 */
export const selectEffect4 = (requested: ReadonlyArray<string> | undefined): Array<Effect4ClientId> => {
  if (requested === undefined) return [...effect4ClientIds]
  if (!requested.some(isEffect4ClientId)) return []
  return effect4ClientIds.filter((c) => c === effect4Reference || requested.includes(c))
}

/** The section's rows and peak RSS, each ratio to raw undici on Node 22 in the same repetition. */
export const summariseEffect4 = (
  records: ReadonlyArray<RequestRecord>,
  workloads: ReadonlyArray<Workload>,
  clients: ReadonlyArray<Effect4ClientId>,
  node22: Node22
): Effect4Section => ({
  node: node22.version,
  reference: effect4Reference,
  clients,
  rows: new Map(workloads.map((w) => [w.id, summarise(records, w.id, clients, effect4Reference)])),
  rss: summariseRss(records, clients, effect4Reference)
})

export const effect4Labels: Record<Effect4ClientId, string> = {
  "undici-node22": "`undici.request` on a keep-alive Pool, on Node 22 (reference of the effect 4 section)",
  "effect4-http": "effect 4 `HttpClient` (`effect/http`) bare, `NodeHttpClient.layerUndici`",
  "courier-bare-node22": "Courier bare (effect 3 line), `NodeTransport.layerClient({ baseUrl })`, on Node 22",
  "courier-effect4-bare": "Courier bare (effect 4 line), `NodeTransport.layerClient({ baseUrl })`",
  "courier-effect4-preset": "Courier, recommended preset (effect 4 line, tracing on)"
}

/**
 * Which worker measures each row, and the client's name in that worker: the
 * section's own build (its imports resolve from `apps/bench/effect4`), or the
 * bench's main build, whose Courier is the effect 3 line, run on Node 22.
 */
export const effect4Runs: Record<Effect4ClientId, { readonly worker: string; readonly client: string }> = {
  "undici-node22": { worker: entries.effect4Worker, client: "undici" },
  "effect4-http": { worker: entries.effect4Worker, client: "effect4-http" },
  "courier-bare-node22": { worker: entries.worker, client: "courier-bare" },
  "courier-effect4-bare": { worker: entries.effect4Worker, client: "courier-effect4-bare" },
  "courier-effect4-preset": { worker: entries.effect4Worker, client: "courier-effect4-preset" }
}

export interface Node22 {
  readonly path: string
  readonly version: string
}

/**
 * A Node >= 22.19, found (or installed once under `.tools/node22`) by
 * `scripts/node22.sh` as the effect 4 line's scripts find it.
 */
export const findNode22 = (): Node22 => {
  const script = path.resolve(benchDir, "../../scripts/node22.sh")
  const found = spawnSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 })
  const node = found.stdout?.trim() ?? ""
  if (found.status !== 0 || node === "") {
    throw new Error(`no Node >= 22.19 for the effect 4 section (scripts/node22.sh exited ${found.status ?? found.signal}); --no-effect4 skips it`)
  }
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()
  return { path: node, version }
}

const packageVersion = (name: string): string => {
  try {
    const file = path.join(effect4Dir, "node_modules", name, "package.json")
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
  } catch {
    return "unknown"
  }
}

/** What the section loads, for the versions table (keys distinct from the Node 20 ones). */
export const effect4Versions = (node22: Node22): Record<string, string> => ({
  "Node (effect 4 section)": node22.version,
  "undici (effect 4 section)": packageVersion("undici"),
  "effect (effect 4 section)": packageVersion("effect"),
  "@effect/platform-node (effect 4 section)": packageVersion("@effect/platform-node"),
  "@courier/client-effect4": packageVersion("@courier/client-effect4")
})

/** The version shown next to each row of the section. */
export const effect4ClientVersion = (id: Effect4ClientId, all: Record<string, string>): string => {
  const node = `Node ${all["Node (effect 4 section)"]}`
  switch (id) {
    case "undici-node22":
      return `undici ${all["undici (effect 4 section)"]}, ${node}`
    case "effect4-http":
      return `effect ${all["effect (effect 4 section)"]}, @effect/platform-node ${all["@effect/platform-node (effect 4 section)"]} ` +
        `(undici ${all["undici (effect 4 section)"]}), ${node}`
    case "courier-bare-node22":
      return `@courier/client ${all["@courier/client"]} (effect ${all["effect"]}, undici ${all["undici"]}), ${node}`
    case "courier-effect4-bare":
    case "courier-effect4-preset":
      return `@courier/client-effect4 ${all["@courier/client-effect4"]} (effect ${all["effect (effect 4 section)"]}, ` +
        `undici ${all["undici (effect 4 section)"]}), ${node}`
  }
}
