/**
 * Runs the real `courier` command (bin/courier.js in a child process) and
 * collects what it printed and how it exited.
 */
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The bin script, as `pnpm exec courier` runs it. */
export const bin = fileURLToPath(new URL("../../bin/courier.js", import.meta.url))

/** How one run ended. */
export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running command: its output so far, and a way to signal it. */
export interface Running {
  readonly stdout: () => string
  readonly stderr: () => string
  readonly kill: (signal: NodeJS.Signals) => void
  readonly exit: Effect.Effect<Result, Error>
}

/** Options of one run. */
export interface Options {
  /** The config dir (token file); a fresh temporary one by default. */
  readonly configDir?: string
  readonly stdin?: string
  readonly env?: Readonly<Record<string, string>>
  /** Killed (and the test failed) past this many milliseconds. Default 20 s. */
  readonly timeoutMs?: number
}

/** A temporary directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "courier-cli-test-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Starts the command; interrupting `exit` kills it. */
export const start = (args: ReadonlyArray<string>, options: Options & { readonly configDir: string }): Running => {
  const child = spawn(process.execPath, [bin, ...args], {
    // Nothing of the developer's environment: no COURIER_*, no NO_COLOR.
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: options.configDir,
      COURIER_CONFIG_DIR: options.configDir,
      ...options.env
    },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  child.stdin.on("error", () => {})
  child.stdin.end(options.stdin ?? "")
  const timeoutMs = options.timeoutMs ?? 20_000
  const exit = Effect.async<Result, Error>((resume) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      resume(Effect.fail(new Error(`courier ${args.join(" ")} did not exit within ${timeoutMs} ms; stderr: ${stderr}`)))
    }, timeoutMs)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, signal, stdout, stderr }))
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      resume(Effect.fail(error))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })
  return { stdout: () => stdout, stderr: () => stderr, kill: (signal) => child.kill(signal), exit }
}

/** Runs the command to its end. */
export const run = (args: ReadonlyArray<string>, options: Options = {}): Effect.Effect<Result, Error> =>
  options.configDir !== undefined
    ? Effect.suspend(() => start(args, { ...options, configDir: options.configDir! }).exit)
    : Effect.scoped(Effect.flatMap(tempDir, (configDir) => start(args, { ...options, configDir }).exit))

/** Polls `f` every 50 ms until it holds, failing after `timeoutMs`. */
export const eventually = (what: string, f: () => boolean, timeoutMs = 10_000): Effect.Effect<void, Error> =>
  Effect.suspend(() => {
    const deadline = Date.now() + timeoutMs
    const loop: Effect.Effect<void, Error> = Effect.suspend(() =>
      f()
        ? Effect.void
        : Date.now() > deadline
        ? Effect.fail(new Error(`timed out waiting for ${what}`))
        : Effect.zipRight(Effect.sleep("50 millis"), loop)
    )
    return loop
  })
