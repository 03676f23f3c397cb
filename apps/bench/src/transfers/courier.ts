/**
 * Courier through the recommended preset: `Download.toFile` for the
 * download, `Multipart.file` and `client.post` for the upload.
 */
import { CourierClient, Download, Multipart } from "@courier/client"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as fsp from "node:fs/promises"
import { presetLayer } from "../clients/courier.js"
import { fileLogger } from "../clients/effect.js"
import type { Task, TransferResult } from "../shared.js"
import { checkUpload, longTransfer, measured, verifyFile } from "./common.js"

const UploadAnswer = Schema.Struct({ bytes: Schema.Number, contentLength: Schema.Number })

const open = async (task: Extract<Task, { kind: "download" | "upload" }>) => {
  const logFile = `${task.logDir}/courier-${task.kind}-${process.pid}.log`
  const logger = fileLogger(logFile)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(presetLayer(task.origin, "static-access-token"), NodeFileSystem.layer, logger.layer)
  )
  const client = await runtime.runPromise(CourierClient.CourierClient)
  await runtime.runPromise(client.get("/small"))
  const close = async () => {
    await runtime.dispose()
    await logger.close()
    await fsp.rm(logFile, { force: true })
  }
  return { client, runtime, close }
}

export const download = async (task: Extract<Task, { kind: "download" }>): Promise<TransferResult> => {
  const target = `${task.dir}/download-courier-${process.pid}.bin`
  try {
    const { client, close, runtime } = await open(task)
    const result = await measured("download", task.bytes, async () => {
      const done = await runtime.runPromise(
        Download.toFile(client, `/download/${task.bytes}`, { path: target, timeouts: longTransfer })
      )
      return done.bytes === task.bytes ? undefined : `Download.toFile wrote ${done.bytes} bytes, expected ${task.bytes}`
    })
    await close()
    return { ...result, error: result.error ?? await verifyFile(target, task.bytes) }
  } finally {
    await fsp.rm(target, { force: true })
  }
}

export const upload = async (task: Extract<Task, { kind: "upload" }>): Promise<TransferResult> => {
  const size = (await fsp.stat(task.file)).size
  const { client, close, runtime } = await open(task)
  const result = await measured("upload", size, () =>
    runtime.runPromise(
      Effect.gen(function*() {
        const part = yield* Multipart.file("file", task.file)
        const answer = yield* client.post("/upload", {
          body: Multipart.body([part]),
          schema: UploadAnswer,
          timeouts: longTransfer
        })
        return checkUpload(answer, size)
      })
    ))
  await close()
  return result
}
