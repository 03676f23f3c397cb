/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by
 * source file and by function. Frames in the bench's bundles are mapped
 * back to their TypeScript sources through the bundles' source maps, so
 * Courier's time shows by its own files.
 */
import * as fs from "node:fs"
import { SourceMap } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface Entry {
  readonly name: string
  readonly ms: number
  readonly share: number
}

export interface Summary {
  readonly totalMs: number
  readonly byFile: ReadonlyArray<Entry>
  readonly byFunction: ReadonlyArray<Entry>
  readonly byGroup: ReadonlyArray<Entry>
}

const maps = new Map<string, SourceMap | undefined>()
const sourceMapOf = (file: string): SourceMap | undefined => {
  if (!maps.has(file)) {
    let map: SourceMap | undefined
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")))
    } catch {
      map = undefined
    }
    maps.set(file, map)
  }
  return maps.get(file)
}

/** A short name for a script: package-relative in node_modules, repo-relative for sources. */
const shorten = (file: string): string => {
  const nm = file.lastIndexOf("/node_modules/")
  if (nm >= 0) return file.slice(nm + "/node_modules/".length)
  const packages = file.indexOf("/packages/")
  if (packages >= 0) return file.slice(packages + 1)
  const apps = file.indexOf("/apps/")
  if (apps >= 0) return file.slice(apps + 1)
  return file
}

/** The source file and line of a frame, through a bundle's source map when there is one. */
const locate = (frame: CallFrame): { file: string; line: number } => {
  // No script: V8's own entries, "(garbage collector)" and the like, or a native function.
  if (frame.url === "") return { file: frame.functionName.startsWith("(") ? frame.functionName : "(native)", line: 0 }
  if (frame.url.startsWith("node:")) return { file: frame.url, line: frame.lineNumber + 1 }
  let file = frame.url
  try {
    file = frame.url.startsWith("file:") ? fileURLToPath(frame.url) : frame.url
  } catch {
    // keep the URL as it is
  }
  // Only the bench's own bundles are mapped: a package's own source map would hide which package a file is in.
  const map = file.includes("/apps/bench/.build/") ? sourceMapOf(file) : undefined
  if (map !== undefined) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number }
    if (entry.originalSource !== undefined) {
      const original = entry.originalSource.startsWith("file:")
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(file), entry.originalSource)
      return { file: shorten(original), line: (entry.originalLine ?? 0) + 1 }
    }
  }
  return { file: shorten(file), line: frame.lineNumber + 1 }
}

/** What a file belongs to, for the coarse view. */
const groupOf = (file: string): string => {
  if (file.startsWith("(")) return file
  if (file.startsWith("node:")) return "node internals"
  if (file.includes("packages/client/src/")) return "Courier (packages/client)"
  if (file.startsWith("effect/")) return "effect"
  if (file.startsWith("@effect/platform-node")) return "@effect/platform-node"
  if (file.startsWith("@effect/platform/")) return "@effect/platform"
  if (file.startsWith("undici/")) return "undici"
  if (file.includes("apps/bench/")) return "bench driver"
  return file.split("/")[0]
}

export const summarise = (profilePath: string, top = 25): Summary => {
  const profile = JSON.parse(fs.readFileSync(profilePath, "utf8")) as Profile
  const selfUs = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const byFile = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const byGroup = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0
    if (us === 0) continue
    total += us
    const { file, line } = locate(node.callFrame)
    const fn = node.callFrame.functionName === "" ? "(anonymous)" : node.callFrame.functionName
    byFile.set(file, (byFile.get(file) ?? 0) + us)
    const key = file === "(native)" ? `${fn}  (native)` : file.startsWith("(") ? file : `${fn}  ${file}:${line}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    const group = groupOf(file)
    byGroup.set(group, (byGroup.get(group) ?? 0) + us)
  }
  const entries = (m: Map<string, number>, n: number): Array<Entry> =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }))
  return {
    totalMs: total / 1000,
    byFile: entries(byFile, top),
    byFunction: entries(byFunction, top),
    byGroup: entries(byGroup, 20)
  }
}

export const renderSummary = (summary: Summary): string => {
  const section = (title: string, rows: ReadonlyArray<Entry>) =>
    [
      title,
      ...rows.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}`)
    ].join("\n")
  return [
    `self time sampled: ${(summary.totalMs / 1000).toFixed(2)} s`,
    section("by package", summary.byGroup),
    section("by file", summary.byFile),
    section("by function", summary.byFunction)
  ].join("\n\n")
}
