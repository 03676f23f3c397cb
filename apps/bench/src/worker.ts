/**
 * One measurement in a fresh process: the task comes as JSON on argv, the
 * result goes back over IPC (or to stdout when run by hand).
 */
import * as fs from "node:fs"
import { isClientId, makeSession, type Session } from "./clients/index.js"
import { countLines, cpuSecondsSince, processCpuSeconds, quantiles, resetPeakRss, rssSampler } from "./measure.js"
import type { Phase, PhaseResult, RequestsResult, Result, Task } from "./shared.js"

const phase = async (session: Session, p: Phase, serverPid: number | undefined): Promise<PhaseResult> => {
  resetPeakRss()
  const sampler = rssSampler()
  const latencies = new Float64Array(p.count)
  const server = processCpuSeconds(serverPid)
  const cpu = process.cpuUsage()
  const start = performance.now()
  const measured = await session.run({
    path: p.path,
    count: p.count,
    concurrency: p.concurrency,
    deadline: start + p.seconds * 1000,
    latencies
  })
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSecondsSince(cpu)
  const serverAfter = processCpuSeconds(serverPid)
  const peakRssMb = sampler.stop()
  const [p50, p99] = quantiles(latencies.subarray(0, measured.done), [0.5, 0.99])
  return {
    path: p.path,
    concurrency: p.concurrency,
    count: measured.done,
    errors: measured.errors,
    firstError: measured.firstError,
    seconds,
    rps: measured.done / seconds,
    p50Us: p50 * 1000,
    p99Us: p99 * 1000,
    cpuUsPerRequest: (cpuSeconds * 1e6) / measured.done,
    peakRssMb,
    serverCpuPct: server === undefined || serverAfter === undefined ? undefined : (100 * (serverAfter - server)) / seconds
  }
}

const requests = async (task: Extract<Task, { kind: "requests" }>): Promise<RequestsResult> => {
  if (!isClientId(task.client)) throw new Error(`unknown client ${task.client}`)
  const session = await makeSession(task.client, task.origin, task.logDir)
  resetPeakRss()
  const sampler = rssSampler()
  let warmupDone = 0
  let warmupErrors = 0
  let warmupFirstError: string | undefined
  const deadline = performance.now() + task.warmup.seconds * 1000
  for (const [i, path] of task.warmup.paths.entries()) {
    const share = Math.floor(task.warmup.count / task.warmup.paths.length) +
      (i < task.warmup.count % task.warmup.paths.length ? 1 : 0)
    const warm = await session.run({ path, count: share, concurrency: task.warmup.concurrency, deadline })
    warmupDone += warm.done
    warmupErrors += warm.errors
    warmupFirstError ??= warm.firstError
  }
  let peakRssMb = sampler.stop()
  const phases: Array<PhaseResult> = []
  for (const p of task.phases) {
    const result = await phase(session, p, task.serverPid)
    phases.push(result)
    peakRssMb = Math.max(peakRssMb, result.peakRssMb)
  }
  await session.close()
  const logLines = session.logFile === undefined ? undefined : countLines(session.logFile)
  if (session.logFile !== undefined) fs.rmSync(session.logFile, { force: true })
  return { kind: "requests", warmupDone, warmupErrors, warmupFirstError, phases, peakRssMb, logLines }
}

const main = async (): Promise<Result> => {
  const task = JSON.parse(process.argv[2] ?? "null") as Task | null
  if (task === null) throw new Error("usage: worker <task as JSON>")
  switch (task.kind) {
    case "requests":
      return requests(task)
    case "download":
      return task.client === "undici"
        ? (await import("./transfers/undici.js")).download(task)
        : (await import("./transfers/courier.js")).download(task)
    case "upload":
      return task.client === "undici"
        ? (await import("./transfers/undici.js")).upload(task)
        : (await import("./transfers/courier.js")).upload(task)
    case "storm":
      return (await import("./storm.js")).run(task)
    case "layers":
      return (await import("./layers.js")).run(task)
  }
}

main().then(
  (result) => {
    // The whole process's CPU, start-up included: the orchestrator subtracts
    // it from the machine's busy time to tell how much other load there was.
    const cpu = process.cpuUsage()
    const message = { result, processCpuSeconds: (cpu.user + cpu.system) / 1e6 }
    if (process.send === undefined) {
      process.stdout.write(JSON.stringify(message) + "\n")
      process.exit(0)
    }
    process.send(message, () => process.exit(0))
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(2)
  }
)
