/**
 * The entry point: parses the command line, runs the command, and ends the
 * process with the exit code of `ExitCode`. A failure prints one line on
 * stderr. SIGINT and SIGTERM interrupt the running command (closing its
 * socket and removing a partial download) and exit with 130.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "./Cli.js"
import * as ClientLayer from "./ClientLayer.js"
import * as ExitCode from "./ExitCode.js"
import * as Stdio from "./Stdio.js"

// @effect/cli prints a usage error as a block of help text on Console.error;
// the program prints its own one-line version instead.
const withoutUsageErrorText = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Console.consoleWith((console) => Console.withConsole(effect, { ...console, error: () => Effect.void }))

const program = Effect.gen(function*() {
  const { stderr } = yield* Stdio.Stdio
  return yield* Effect.suspend(() => Cli.run(process.argv)).pipe(
    withoutUsageErrorText,
    Effect.as<ExitCode.ExitCode>(ExitCode.ExitCode.Success),
    Effect.catchAll((error) => {
      const report = ExitCode.report(error)
      // Ctrl-C at a prompt leaves the cursor on the prompt's line.
      const start = report.code === ExitCode.ExitCode.Interrupted && stderr.isTTY ? "\n" : ""
      return Effect.as(stderr.write(start + report.line + "\n"), report.code)
    }),
    Effect.catchAllDefect((defect) => {
      const report = ExitCode.report(defect)
      return Effect.as(stderr.write(report.line + "\n"), report.code)
    })
  )
})

// What @effect/cli needs (files, paths, the terminal for prompts), without
// NodeContext's command executor and workers: less to load at every start.
const MainLive = Layer.provideMerge(
  ClientLayer.stderrLogger,
  Layer.mergeAll(Stdio.layer, NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)
)

NodeRuntime.runMain(Effect.provide(program, MainLive), {
  disableErrorReporting: true,
  // The logger of ClientLayer.stderrLogger replaces the default one; the
  // pretty one would write to stdout.
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.ExitCode.Success)
    if (Cause.isInterruptedOnly(exit.cause)) {
      // On a terminal the line starts after the ^C the terminal echoed.
      process.stderr.write(`${process.stderr.isTTY ? "\n" : ""}courier: interrupted\n`)
      return onExit(ExitCode.ExitCode.Interrupted)
    }
    process.stderr.write(`courier: unexpected failure: ${Cause.pretty(exit.cause).split("\n")[0]}\n`)
    onExit(ExitCode.ExitCode.Failure)
  }
})
