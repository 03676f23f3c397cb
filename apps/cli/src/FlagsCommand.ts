/**
 * `courier flags list` and `courier flags watch`: the flags an OFREP server
 * evaluates for a context, once, or live (polling with `If-None-Match`, and
 * following a server-sent event stream with `--events`), through
 * `@courier/flags`.
 */
import * as FeatureFlags from "@courier/flags/FeatureFlags"
import * as Ofrep from "@courier/flags/Ofrep"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { LocalError, UsageError } from "./CliError.js"
import * as ClientLayer from "./ClientLayer.js"
import * as Flags from "./Flags.js"
import * as Stdio from "./Stdio.js"

/** What the flags commands parsed. */
export interface Args extends Flags.Shared {
  readonly path: Option.Option<string>
  readonly targetingKey: Option.Option<string>
  readonly events: Option.Option<string>
  readonly interval: Option.Option<number>
}

type Snapshot = FeatureFlags.Snapshot<{}>

const describe = (entry: Ofrep.Entry): string => {
  if (Ofrep.isFailed(entry)) return `error ${entry.errorCode}${entry.errorDetails === undefined ? "" : `: ${entry.errorDetails}`}`
  const details = [entry.reason, entry.variant === undefined ? undefined : `variant ${entry.variant}`].filter((x) => x !== undefined)
  return `${JSON.stringify(entry.value)}${details.length === 0 ? "" : `  (${details.join(", ")})`}`
}

const table = (snapshot: Snapshot): string => {
  const keys = [...snapshot.evaluations.keys()].sort()
  const width = Math.max(0, ...keys.map((key) => key.length))
  return keys.map((key) => `${key.padEnd(width)}  ${describe(snapshot.evaluations.get(key)!)}\n`).join("")
}

const start = (args: Args, watching: boolean) =>
  Effect.gen(function*() {
    const path = Option.getOrElse(args.path, () => Ofrep.bulkPath)
    const { settings } = yield* Flags.settings(args, path)
    const interval = Option.getOrElse(args.interval, () => 30)
    if (!(interval >= 1) || !Number.isFinite(interval)) {
      return yield* Effect.fail(new UsageError({ message: "--interval must be a number of seconds, at least 1" }))
    }
    const options: FeatureFlags.Options = {
      path,
      targetingKey: Option.getOrUndefined(args.targetingKey),
      app: { appVersion: ClientLayer.version, platform: "cli" },
      pollInterval: Duration.seconds(interval),
      // The first evaluation ends on its own (answer, failure or the request's timeouts).
      startupTimeout: Duration.infinity,
      events: watching ? Option.getOrUndefined(Option.map(args.events, (events) => ({ path: events }))) : undefined
    }
    // The client lives in the command's scope: polling and the event stream
    // keep using it after start-up.
    const client = yield* Layer.build(ClientLayer.layer(settings))
    const flags = yield* FeatureFlags.make({}, options).pipe(Effect.provide(client))
    const snapshot = yield* flags.snapshot
    if (snapshot.source === "default") {
      return yield* Effect.fail(
        new LocalError({ message: `no evaluation from ${path}: the flag server did not answer (see -v)` })
      )
    }
    return flags
  })

/** `courier flags list`: one evaluation, one line per flag. */
export const list = (args: Args) =>
  Effect.scoped(Effect.gen(function*() {
    const flags = yield* start(args, false)
    const { stdout } = yield* Stdio.Stdio
    yield* stdout.write(table(yield* flags.snapshot))
  })).pipe(Effect.provide(ClientLayer.verbosity(args.verbose)))

const clock = (millis: number) => new Date(millis).toISOString().slice(11, 19)

/** `courier flags watch`: the flags, then one line per change until Ctrl-C. */
export const watch = (args: Args) =>
  Effect.scoped(Effect.gen(function*() {
    const flags = yield* start(args, true)
    const { stdout } = yield* Stdio.Stdio
    let previous = yield* flags.snapshot
    yield* stdout.write(table(previous))
    yield* flags.changes.pipe(
      Stream.drop(1),
      Stream.runForEach((next) =>
        Effect.gen(function*() {
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          const keys = [...new Set([...previous.evaluations.keys(), ...next.evaluations.keys()])].sort()
          for (const key of keys) {
            const before = previous.evaluations.get(key)
            const after = next.evaluations.get(key)
            if (JSON.stringify(before) === JSON.stringify(after)) continue
            const from = before === undefined ? "(absent)" : describe(before)
            const to = after === undefined ? "(absent)" : describe(after)
            yield* stdout.write(`${clock(now)} ${key}: ${from} -> ${to}\n`)
          }
          previous = next
        })
      )
    )
  })).pipe(Effect.provide(ClientLayer.verbosity(args.verbose)))
