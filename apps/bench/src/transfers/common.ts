/**
 * What both sides of a transfer share: the measurement (throughput, CPU,
 * RSS growth over the level before the transfer) and the checks of the
 * result (the file's size and byte pattern, the server's count).
 */
import * as fsp from "node:fs/promises"
import { cpuSecondsSince, resetPeakRss, rssMb, rssSampler } from "../measure.js"
import { patternByte, type TransferResult } from "../shared.js"

/** Checks a downloaded file: its size and the pattern at its start and end. */
export const verifyFile = async (path: string, bytes: number): Promise<string | undefined> => {
  const stat = await fsp.stat(path)
  if (stat.size !== bytes) return `the file has ${stat.size} bytes, expected ${bytes}`
  const handle = await fsp.open(path, "r")
  try {
    const window = Math.min(bytes, 64 * 1024)
    for (const offset of [0, bytes - window]) {
      const buffer = Buffer.alloc(window)
      await handle.read(buffer, 0, window, offset)
      for (let i = 0; i < window; i++) {
        if (buffer[i] !== patternByte(offset + i)) return `byte ${offset + i} of the file is wrong`
      }
    }
  } finally {
    await handle.close()
  }
  return undefined
}

/** The server's answer to an upload: the bytes it read and the content-length it was told. */
export interface UploadAnswer {
  readonly bytes: number
  readonly contentLength: number
}

/** A multipart body of one file is the file plus a few hundred bytes of framing, all of it received. */
export const checkUpload = (answer: UploadAnswer, size: number): string | undefined =>
  answer.bytes === answer.contentLength && answer.bytes > size && answer.bytes < size + 1024
    ? undefined
    : `the server received ${answer.bytes} bytes (content-length ${answer.contentLength}) for a file of ${size}`

/** Runs `transfer` between a reset of the peak-RSS mark and the end of sampling. */
export const measured = async (
  kind: "download" | "upload",
  bytes: number,
  transfer: () => Promise<string | undefined>
): Promise<TransferResult> => {
  resetPeakRss()
  const rssBefore = rssMb()
  const sampler = rssSampler()
  const cpu = process.cpuUsage()
  const start = performance.now()
  let error: string | undefined
  try {
    error = await transfer()
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  }
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSecondsSince(cpu)
  const peak = sampler.stop()
  return {
    kind,
    bytes,
    seconds,
    mibPerSecond: bytes / (1024 * 1024) / seconds,
    rssBeforeMb: rssBefore,
    peakRssMb: peak,
    rssGrowthMb: peak - rssBefore,
    cpuSeconds,
    error
  }
}

/** Transfers run far longer than a request: generous timeouts for the Courier side. */
export const longTransfer = { send: "10 minutes", receive: "1 minute", total: "20 minutes" } as const
