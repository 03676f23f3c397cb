/**
 * The requests task of a client process (the warm-up, then each measured
 * workload in turn) and how a client process answers the orchestrator. Apart
 * from the list of clients, so that the effect 4 section's worker, built
 * against that section's packages, measures in exactly the same way.
 */
import * as fs from "node:fs"
import type { MakeSession, Session } from "./clients/session.js"
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

/** The warm-up and the measured workloads of one client, in this process. */
export const requests = async (
  task: Extract<Task, { kind: "requests" }>,
  make: MakeSession
): Promise<RequestsResult> => {
  const session = await make(task.origin, task.logDir)
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

/**
 * Runs the task given as JSON on argv and sends its result back over IPC
 * (or prints it, when run by hand), then exits.
 */
export const serve = (run: (task: Task) => Promise<Result>): void => {
  const start = async (): Promise<Result> => {
    const task = JSON.parse(process.argv[2] ?? "null") as Task | null
    if (task === null) throw new Error("usage: worker <task as JSON>")
    return run(task)
  }
  start().then(
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
}
