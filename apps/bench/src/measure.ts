/**
 * What a client process measures about itself: resident memory (sampled,
 * and the kernel's high-water mark), CPU time, latency percentiles, the
 * lines of its log file.
 */
import * as fs from "node:fs"

const MB = 1024 * 1024

const readStatusKb = (field: "VmHWM" | "VmRSS"): number | undefined => {
  try {
    const status = fs.readFileSync("/proc/self/status", "utf8")
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)
    return match === null ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

/**
 * Resets the kernel's peak-RSS mark to the current RSS (Linux >= 4.0), so a
 * later VmHWM is the peak of what follows. False when that is not possible.
 */
export const resetPeakRss = (): boolean => {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5")
    return true
  } catch {
    return false
  }
}

/**
 * Samples RSS every 50 ms until stopped. The peak is the larger of the
 * samples and VmHWM, so a short spike between samples is not missed.
 */
export const rssSampler = () => {
  let max = process.memoryUsage.rss()
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > max) max = rss
  }, 50)
  return {
    stop: (): number => {
      clearInterval(timer)
      const rss = process.memoryUsage.rss()
      if (rss > max) max = rss
      const hwm = readStatusKb("VmHWM")
      return Math.max(max, hwm === undefined ? 0 : hwm * 1024) / MB
    }
  }
}

export const rssMb = (): number => process.memoryUsage.rss() / MB

/** The `q` quantile (0..1) of the values, by nearest rank; sorts a copy. */
export const quantiles = (values: Float64Array, qs: ReadonlyArray<number>): Array<number> => {
  const sorted = Float64Array.from(values).sort()
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))])
}

/** CPU seconds (user + system, every thread of the process) since `from`. */
export const cpuSecondsSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from)
  return (d.user + d.system) / 1e6
}

/** CPU seconds (user + system) another process has used, from /proc (undefined off Linux). */
export const processCpuSeconds = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    // utime and stime, in USER_HZ ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** The lines of a file (newline-terminated): a client that logs must write one per request. */
export const countLines = (file: string): number => {
  const text = fs.readFileSync(file, "utf8")
  let lines = 0
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++
  return lines
}
