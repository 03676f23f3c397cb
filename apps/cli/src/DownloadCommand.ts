/**
 * `courier download <url> -o <path>`: the body streamed to a file through
 * `Download.toFile` (a `.part` file renamed into place when complete,
 * removed on failure or Ctrl-C), with progress on stderr.
 */
import * as CourierClient from "@courier/client/CourierClient"
import * as Download from "@courier/client/Download"
import * as PlatformError from "@effect/platform/Error"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { LocalError, UsageError } from "./CliError.js"
import * as ClientLayer from "./ClientLayer.js"
import * as Flags from "./Flags.js"
import * as Format from "./Format.js"
import * as Progress from "./Progress.js"
import * as Request from "./Request.js"
import * as Stdio from "./Stdio.js"

/** What the download command parsed. */
export interface Args extends Flags.Shared {
  readonly url: string
  readonly items: ReadonlyArray<string>
  readonly output: string
  readonly quiet: boolean
}

/** Runs the download command. */
export const run = (args: Args) =>
  Effect.gen(function*() {
    const { settings, url } = yield* Flags.settings(args, args.url)
    const parsed = yield* Request.parseItems(args.items)
    if (parsed.fields.length > 0 || parsed.files.length > 0) {
      return yield* Effect.fail(
        new UsageError({ message: "download sends no body: only name==value and Name:value items are allowed" })
      )
    }
    const { stderr } = yield* Stdio.Stdio
    const meter = yield* Progress.make({ label: "download", mode: Progress.modeFor(stderr, args.quiet), out: stderr })
    const started = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    // A large file takes as long as it takes: without --timeout there is no
    // deadline, and the receive timeout (silence between chunks) still applies.
    const result = yield* Effect.flatMap(CourierClient.CourierClient, (client) =>
      Download.toFile(client, url, {
        path: args.output,
        query: parsed.query,
        headers: parsed.headers,
        onProgress: meter.update
      })).pipe(
        Effect.ensuring(meter.end),
        Effect.catchIf(
          PlatformError.isPlatformError,
          (error) => Effect.fail(new LocalError({ message: `cannot write ${args.output}: ${error.message}`, cause: error }))
        ),
        Effect.provide(ClientLayer.layer(settings, Duration.infinity))
      )
    if (!args.quiet) {
      const took = (yield* Effect.clockWith((clock) => clock.currentTimeMillis)) - started
      const rate = yield* meter.averageRate
      yield* stderr.write(
        `courier: saved ${Format.bytes(result.bytes)} to ${result.path} in ${Format.seconds(took)} (${
          Format.bytes(Math.round(rate))
        }/s)${result.resumes > 0 ? `, resumed ${result.resumes} time(s)` : ""}\n`
      )
    }
  }).pipe(Effect.provide(ClientLayer.verbosity(args.verbose)))
