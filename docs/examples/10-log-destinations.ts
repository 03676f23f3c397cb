/**
 * Where Courier's log lines go: a command-line tool keeps stdout for its
 * own output, so the request lines go to stderr, or to a file. Routine
 * successes log at Debug (quiet under Effect's default Info minimum);
 * `level: LogLevel.Info` shows them. Run it with `pnpm docs:example 10-log`.
 */
import { CourierClient, Logging, Preset } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as PlatformLogger from "@effect/platform/PlatformLogger"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })

// The tool's output, on stdout: one post as JSON.
const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const post = yield* client.get("/posts/{id}", { params: { id: 1 }, schema: Post })
  yield* Console.log(JSON.stringify(post))
  // A failure logs at Warning, so it shows by default.
  yield* Effect.ignore(client.get("/posts/{id}", { params: { id: 999_999 } }))
})

const client = (baseUrl: string, logging: Logging.Options) =>
  Preset.layerWithoutAuth({ logging, retry: false }).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl })))

// ── stderr: Effect's logfmt logger, written with console.error.
const toStderr = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

// ── a file: the same lines appended to `path` (batched; flushed when the
//    Layer's scope closes).
const toFile = (path: string) =>
  Logger.replaceScoped(Logger.defaultLogger, Logger.logfmtLogger.pipe(PlatformLogger.toFile(path, { flag: "a" }))).pipe(
    Layer.provide(NodeFileSystem.layer)
  )

const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi

  // Default levels to stderr: only the 404 line (Warning) appears there.
  yield* program.pipe(Effect.provide(client(api.url, {})), Effect.provide(toStderr))

  // Every success too (`level: Info`), into a file.
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  const path = `${dir}/courier.log`
  yield* program.pipe(Effect.provide(client(api.url, { level: LogLevel.Info })), Effect.provide(toFile(path)))
  const lines = (yield* fs.readFileString(path)).trim().split("\n")
  yield* Console.log(`${lines.length} lines in the log file: ${lines.map((line) => line.match(/level=(\w+)/)?.[1]).join(", ")}`)
})

main.pipe(
  Effect.scoped,
  Effect.provide(Layer.merge(DemoApi.layer(), NodeFileSystem.layer)),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
