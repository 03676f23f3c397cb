/**
 * Raw undici streaming: the download piped to a file (synced and renamed
 * into place, as Courier does), the upload a hand-built multipart body
 * streamed from the file with a content-length.
 */
import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Pool, request } from "undici"
import type { Task, TransferResult } from "../shared.js"
import { checkUpload, measured, type UploadAnswer, verifyFile } from "./common.js"

const warmPool = async (origin: string) => {
  const pool = new Pool(origin)
  await (await request(`${origin}/small`, { dispatcher: pool })).body.json()
  return pool
}

export const download = async (task: Extract<Task, { kind: "download" }>): Promise<TransferResult> => {
  const target = `${task.dir}/download-undici-${process.pid}.bin`
  const tmp = `${task.dir}/.download-undici-${process.pid}.part`
  try {
    const pool = await warmPool(task.origin)
    const result = await measured("download", task.bytes, async () => {
      const { body, statusCode } = await request(`${task.origin}/download/${task.bytes}`, { dispatcher: pool })
      if (statusCode !== 200) {
        await body.dump()
        return `status ${statusCode}`
      }
      await pipeline(body, fs.createWriteStream(tmp, { flags: "wx" }))
      // As Courier does: the data reaches the disk before the file takes its name.
      const handle = await fsp.open(tmp, "r+")
      await handle.sync()
      await handle.close()
      await fsp.rename(tmp, target)
      return undefined
    })
    await pool.close()
    return { ...result, error: result.error ?? await verifyFile(target, task.bytes) }
  } finally {
    await fsp.rm(target, { force: true })
    await fsp.rm(tmp, { force: true })
  }
}

export const upload = async (task: Extract<Task, { kind: "upload" }>): Promise<TransferResult> => {
  const size = (await fsp.stat(task.file)).size
  const pool = await warmPool(task.origin)
  const result = await measured("upload", size, async () => {
    const boundary = `bench-${crypto.randomUUID()}`
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    const file = task.file
    async function* body() {
      yield head
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer
      yield tail
    }
    const response = await request(`${task.origin}/upload`, {
      method: "POST",
      dispatcher: pool,
      headers: {
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.byteLength + size + tail.byteLength)
      },
      // A Readable over the parts, as a streaming caller would hand undici.
      body: Readable.from(body(), { objectMode: false })
    })
    if (response.statusCode !== 200) {
      await response.body.dump()
      return `status ${response.statusCode}`
    }
    return checkUpload(await response.body.json() as UploadAnswer, size)
  })
  await pool.close()
  return result
}
