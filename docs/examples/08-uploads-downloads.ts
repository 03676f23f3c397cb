/**
 * Multipart uploads (a file streamed from disk), downloads to a file
 * (atomic, resumable), progress callbacks, and cancellation by interruption.
 * Run it with `pnpm docs:example 08-uploads`.
 */
import { CourierClient, Download, Multipart } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

// What the demo API's POST /upload answers.
const Uploaded = Schema.Struct({
  fields: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) }),
  files: Schema.Array(Schema.Struct({ field: Schema.String, filename: Schema.String, size: Schema.Number, sha256: Schema.String }))
})

// Prints 0%, 25%, 50%, 75%, 100% once each. Progress callbacks are Effects;
// their failures are ignored, so a broken progress bar never breaks a transfer.
const milestones = (label: string) => {
  let next = 0
  return (progress: CourierClient.Progress) =>
    Effect.suspend(() => {
      if (progress.total === undefined || progress.total === 0) return Effect.void
      const percent = Math.floor((progress.transferred / progress.total) * 100)
      if (percent < next) return Effect.void
      next = Math.floor(percent / 25) * 25 + 25
      return Console.log(`${label} ${Math.floor(percent / 25) * 25}% (${progress.transferred}/${progress.total})`)
    })
}

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-docs-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

  // ── Upload: fields, bytes from memory, and a file streamed from disk (read
  //    again if a retry or a token refresh sends the request a second time).
  const report = Path.join(dir, "report.csv")
  Fs.writeFileSync(report, "id,value\n".concat(Array.from({ length: 20_000 }, (_, i) => `${i},${i * i}`).join("\n")))
  const uploaded = yield* client.post("/upload", {
    body: Multipart.body([
      Multipart.field("title", "Quarterly report"),
      Multipart.bytes("notes", new TextEncoder().encode("see attached"), { filename: "notes.txt", contentType: "text/plain" }),
      yield* Multipart.file("attachment", report, { contentType: "text/csv" })
    ]),
    onUploadProgress: milestones("upload"),
    schema: Uploaded
  })
  yield* Console.log(`uploaded: ${uploaded.files.map((f) => `${f.filename} (${f.size} bytes)`).join(", ")}; fields ${JSON.stringify(uploaded.fields)}`)

  // ── Download to a file: written to a temporary file beside it and renamed
  //    into place only once complete; resumed with Range if the connection breaks.
  const result = yield* Download.toFile(client, "/files/{size}", {
    params: { size: 4_000_000 },
    path: Path.join(dir, "file.bin"),
    onProgress: milestones("download"),
    timeouts: { total: "1 minute" } // large files need a larger total timeout
  })
  yield* Console.log(`downloaded ${result.bytes} bytes to ${Path.basename(result.path)}, resumed ${result.resumes} times`)

  // ── Cancellation is interruption: stop a download after its first megabyte.
  //    The socket is closed and no file, not even a partial one, is left.
  const enough = yield* Deferred.make<void>()
  const cancelled = yield* Effect.race(
    Effect.map(
      Download.toFile(client, "/files/{size}", {
        params: { size: 200_000_000 },
        path: Path.join(dir, "big.bin"),
        onProgress: (p) => p.transferred > 1_000_000 ? Deferred.succeed(enough, undefined) : Effect.void
      }),
      () => "finished?!"
    ),
    Effect.as(Deferred.await(enough), "cancelled after 1 MB")
  )
  yield* Console.log(`${cancelled}; files left in the folder: ${Fs.readdirSync(dir).filter((f) => f.startsWith("big") || f.endsWith(".part")).length}`)

  // Any call can be cancelled the same way: a timeout of your own, a race, a fiber interrupted.
  const gaveUp = yield* client.get("/fault/stall").pipe(Effect.timeoutOption("200 millis"))
  yield* Console.log(`a stalled call under Effect.timeoutOption: ${Option.isNone(gaveUp) ? "interrupted, socket closed" : "answered?!"}`)
})

// ── Wiring: the demo API, a client, and the Node FileSystem for files from disk.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(Client.pipe(Layer.provide(DemoApi.layer())), NodeContext.layer)),
  NodeRuntime.runMain
)
