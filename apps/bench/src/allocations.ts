/**
 * Where a client's garbage comes from: V8's sampling heap profiler, objects
 * collected since included, over a fixed count of requests after a warm-up,
 * in this process (no pinning: allocation does not depend on load).
 * Bytes per request by package, file and function.
 *
 *   node --import tsx src/allocations.ts courier-preset /small
 */
import * as inspector from "node:inspector"
import { isClientId, makeSession } from "./clients/index.js"
import { startServer } from "./processes.js"
import type { Path } from "./shared.js"

interface Node {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<Node>
}

const post = <T>(session: inspector.Session, method: string, params?: object): Promise<T> =>
  new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)))
  )

const main = async () => {
  const client = process.argv[2] ?? "courier-preset"
  const path = (process.argv[3] ?? "/small") as Path
  const count = Number(process.argv[4] ?? 20000)
  if (!isClientId(client)) throw new Error(`unknown client ${client}`)
  const server = await startServer(undefined)
  const session = new inspector.Session()
  session.connect()
  try {
    const s = await makeSession(client, server.origin, "/tmp")
    await s.run({ path, count: 5000, concurrency: 64, deadline: performance.now() + 120_000 })
    await post(session, "HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true
    })
    await s.run({ path, count, concurrency: 64, deadline: performance.now() + 600_000 })
    const { profile } = await post<{ profile: { head: Node } }>(session, "HeapProfiler.stopSampling")
    await s.close()
    const byFile = new Map<string, number>()
    const byFunction = new Map<string, number>()
    let total = 0
    const short = (url: string) => {
      const u = url.replace(/^file:\/\//, "")
      const nm = u.lastIndexOf("node_modules/")
      if (nm >= 0) return u.slice(nm + 13)
      const p = u.indexOf("/packages/")
      return p >= 0 ? u.slice(p + 1) : u === "" ? "(native)" : u
    }
    const walk = (node: Node) => {
      const file = short(node.callFrame.url)
      const fn = `${node.callFrame.functionName || "(anonymous)"}  ${file}:${node.callFrame.lineNumber + 1}`
      byFile.set(file, (byFile.get(file) ?? 0) + node.selfSize)
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize)
      total += node.selfSize
      for (const child of node.children) walk(child)
    }
    walk(profile.head)
    const rows = (m: Map<string, number>, n: number) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
        .map(([name, bytes]) => `  ${(bytes / count).toFixed(0).padStart(7)} B  ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${name}`)
        .join("\n")
    process.stdout.write(
      `${client} ${path} c=64: about ${(total / count / 1024).toFixed(1)} KiB allocated per request (sampled)\n` +
        `by file\n${rows(byFile, 25)}\nby function\n${rows(byFunction, 40)}\n`
    )
  } finally {
    session.disconnect()
    await server.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
