/**
 * The processes `pnpm demo:replicas` starts, each stopped when its scope
 * closes: `redis-server` and the replicas (Node running TypeScript through tsx).
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"

/** An executable on the PATH. */
export const which = (name: string): string | undefined =>
  (process.env["PATH"] ?? "").split(Path.delimiter).map((dir) => Path.join(dir, name)).find((candidate) => {
    try {
      Fs.accessSync(candidate, Fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A child process, its stdout as lines to wait on; killed when the scope closes. */
const spawn = (command: string, args: ReadonlyArray<string>, cwd?: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = ChildProcess.spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"], ...(cwd === undefined ? {} : { cwd }) })
      const lines: Array<string> = []
      let stderr = ""
      let buffered = ""
      const listeners = new Set<() => void>()
      child.stdout.on("data", (chunk: Buffer) => {
        const parts = (buffered + chunk.toString("utf8")).split("\n")
        buffered = parts.pop() ?? ""
        lines.push(...parts)
        for (const listener of listeners) listener()
      })
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000)
      })
      child.once("exit", () => {
        for (const listener of listeners) listener()
      })
      return { child, lines, listeners, stderr: () => stderr }
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGKILL")
      }).pipe(Effect.timeout("10 seconds"), Effect.ignore)
  ).pipe(Effect.map(({ child, lines, listeners, stderr }) => ({
    stderr,
    send: (line: string) => void child.stdin.write(line + "\n"),
    /** The first stdout line matching `test`: undefined when the process exits or `max` passes first. */
    waitFor: (test: (line: string) => boolean, max: Duration.DurationInput) =>
      Effect.async<string | undefined>((resume) => {
        const check = () => {
          const found = lines.find(test)
          if (found !== undefined || child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check)
            resume(Effect.succeed(found))
          }
        }
        listeners.add(check)
        check()
        return Effect.sync(() => listeners.delete(check))
      }).pipe(Effect.timeoutTo({ duration: max, onTimeout: () => undefined, onSuccess: (line) => line }))
  })))

/** `redis-server` on a free loopback port, without persistence: its port. */
export const startRedis = (binary: string): Effect.Effect<number, string, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const redis = yield* spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
    const ready = yield* redis.waitFor((line) => line.includes("Ready to accept connections"), "10 seconds")
    if (ready === undefined) return yield* Effect.fail(`redis-server did not start: ${redis.stderr()}`)
    return port
  })

/** A replica: `node --import tsx script arg`, from the demo app's directory. */
export const spawnNode = (cwd: string, script: string, arg: string) =>
  spawn(process.execPath, ["--conditions=@courier/source", "--import", "tsx", script, arg], cwd)
