/**
 * The orchestrator's side of the processes: the server (one for the whole
 * run, on core 1) and one fresh client process per measurement (on core 0),
 * plus what the machine's other load was while each one ran.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { entries } from "./build.js"
import type { Result, Task } from "./shared.js"

/** Whether `taskset` is there to pin processes to cores. */
export const hasTaskset = (): boolean => spawnSync("taskset", ["-c", "0", "true"]).status === 0

const command = (core: number | undefined, args: ReadonlyArray<string>, node = process.execPath): [string, Array<string>] =>
  core === undefined ? [node, [...args]] : ["taskset", ["-c", String(core), node, ...args]]

/** The next message of a given type from a child. */
const nextMessage = <T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no "${type}" message from the server within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return
      cleanup()
      resolve(message as T)
    }
    const onExit = (code: number | null) => {
      cleanup()
      reject(new Error(`the server exited (${code}) while "${type}" was awaited`))
    }
    const cleanup = () => {
      clearTimeout(timer)
      child.off("message", onMessage)
      child.off("exit", onExit)
    }
    child.on("message", onMessage)
    child.on("exit", onExit)
  })

export interface StormStats {
  readonly refreshes: number
  readonly unauthorized: number
  readonly succeeded: number
  readonly first401At: number
  readonly lastSuccessAt: number
}

export interface Server {
  readonly origin: string
  readonly pid: number | undefined
  readonly postsBytes: number
  readonly cpuSeconds: () => Promise<number>
  readonly stormReset: () => Promise<void>
  readonly stormStats: () => Promise<StormStats>
  readonly stop: () => Promise<void>
}

export const startServer = async (core: number | undefined): Promise<Server> => {
  const [file, args] = command(core, [entries.server])
  const child = spawn(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const ready = await nextMessage<{ port: number; postsBytes: number }>(child, "listening", 30_000)
  const ask = <T>(type: string): Promise<T> => {
    const answer = nextMessage<T>(child, type, 30_000)
    child.send({ type })
    return answer
  }
  return {
    origin: `http://127.0.0.1:${ready.port}`,
    // With taskset, the process is taskset's: it execs node in place, so the id is node's.
    pid: child.pid,
    postsBytes: ready.postsBytes,
    cpuSeconds: () => ask<{ seconds: number }>("cpu").then((m) => m.seconds),
    stormReset: () => ask("storm-reset").then(() => undefined),
    stormStats: () => ask<StormStats>("storm-stats"),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.send({ type: "stop" })
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
      })
  }
}

export interface TaskOutcome {
  readonly result: Result
  readonly processCpuSeconds: number
}

/**
 * Runs one task in a fresh client process and returns what it sent back.
 * A crash, a timeout or no answer is an error.
 */
export const runTask = (
  task: Task,
  options: {
    readonly core: number | undefined
    readonly timeoutMs: number
    readonly nodeArgs?: ReadonlyArray<string>
    /** Another build of the worker (another build of Courier, say); default the run's own. */
    readonly worker?: string
    /** Another Node executable (the effect 4 section's Node 22); default this process's. */
    readonly node?: string
  }
): Promise<TaskOutcome> =>
  new Promise((resolve, reject) => {
    const [file, args] = command(options.core, [
      ...(options.nodeArgs ?? []),
      options.worker ?? entries.worker,
      JSON.stringify(task)
    ], options.node)
    const child = spawn(file, args, { stdio: ["ignore", "inherit", "pipe", "ipc"] })
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      if (stderr.length > 20_000) stderr = stderr.slice(-20_000)
    })
    let outcome: TaskOutcome | undefined
    child.on("message", (message: TaskOutcome) => {
      outcome = message
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (outcome !== undefined && code === 0) return resolve(outcome)
      reject(
        new Error(
          `the ${task.kind} task of ${task.client} ended with ${signal ?? `code ${code}`}` +
            (signal === "SIGKILL" ? ` (killed after ${options.timeoutMs} ms)` : "") +
            (stderr === "" ? "" : `:\n${stderr.trim()}`)
        )
      )
    })
  })

/** Busy and total CPU seconds of the whole machine, from /proc/stat (undefined off Linux). */
export const machineCpu = (): { busy: number; total: number } | undefined => {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
    const busy = user + nice + system + irq + softirq + (steal ?? 0)
    // /proc/stat counts in USER_HZ ticks, 100 per second on Linux.
    return { busy: busy / 100, total: (busy + idle + iowait) / 100 }
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The share of one core the machine spent busy over `ms`, apart from this process. */
export const busyCores = async (ms: number): Promise<number | undefined> => {
  const before = machineCpu()
  const own = process.cpuUsage()
  const start = performance.now()
  await sleep(ms)
  const after = machineCpu()
  if (before === undefined || after === undefined) return undefined
  const ownDelta = process.cpuUsage(own)
  const seconds = (performance.now() - start) / 1000
  return Math.max(0, after.busy - before.busy - (ownDelta.user + ownDelta.system) / 1e6) / seconds
}

/**
 * Waits, within what is left of a budget shared by the whole run, for the
 * machine to be quiet (other processes using less than a fifth of a core),
 * since this machine is shared and another process's work on either core
 * would be counted against whichever client runs. Returns the milliseconds
 * waited and the load seen last.
 */
export const waitQuiet = async (budget: { remainingMs: number }): Promise<{ waitedMs: number; load: number | undefined }> => {
  let waited = 0
  if (budget.remainingMs <= 0) return { waitedMs: 0, load: undefined }
  for (;;) {
    const load = await busyCores(100)
    if (load === undefined || load < 0.2 || budget.remainingMs <= 0) return { waitedMs: waited, load }
    const pause = Math.min(1_000, budget.remainingMs)
    await sleep(pause)
    budget.remainingMs -= pause + 100
    waited += pause + 100
  }
}
