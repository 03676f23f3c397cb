/**
 * Real parts for the Redis suites: a `redis-server` on a free loopback port
 * (no persistence), Node child processes running the replica fixture, and a
 * token-checking API with its token endpoint on a `TestServer`.
 */
import { Reply, TestServer } from "@courier/testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The `redis-server` binary on the PATH, if any: the suites that need it skip without it. */
export const redisServer: string | undefined = (process.env["PATH"] ?? "").split(Path.delimiter)
  .map((dir) => Path.join(dir, "redis-server"))
  .find((candidate) => {
    try {
      Fs.accessSync(candidate, Fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })

export const skipReason = "redis-server is not installed (apt-get install -y redis-server): the Redis suites are skipped"

if (redisServer === undefined) console.warn(skipReason)

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Spawns a process; SIGKILLed when the scope closes unless it already exited. */
export const spawn = (
  command: string,
  args: ReadonlyArray<string>,
  options: ChildProcess.SpawnOptions = {}
): Effect.Effect<ChildProcess.ChildProcess, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => ChildProcess.spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"], ...options })),
    (child) => exitOf(child, "10 seconds", true)
  )

/** Waits for the process to exit (SIGKILL first when `kill`), at most `max`: its exit code or signal. */
export const exitOf = (child: ChildProcess.ChildProcess, max: Duration.DurationInput, kill = false) =>
  Effect.async<string>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resume(Effect.succeed(String(child.exitCode ?? child.signalCode)))
      return
    }
    const onExit = (code: number | null, signal: string | null) => resume(Effect.succeed(String(code ?? signal)))
    child.once("exit", onExit)
    if (kill) child.kill("SIGKILL")
    return Effect.sync(() => child.off("exit", onExit))
  }).pipe(Effect.timeoutTo({ duration: max, onTimeout: () => "still running", onSuccess: (code) => code }))

/** Every stdout line of a process, kept from its start, to wait on. */
export const linesOf = (child: ChildProcess.ChildProcess) => {
  const lines: Array<string> = []
  const listeners = new Set<() => void>()
  let buffered = ""
  let exited = false
  const notify = () => {
    for (const listener of listeners) listener()
  }
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8")
    const parts = buffered.split("\n")
    buffered = parts.pop() ?? ""
    lines.push(...parts)
    notify()
  })
  child.once("exit", () => {
    exited = true
    notify()
  })
  /** The first line matching `test` (from the start), or none when the process exits or `max` passes first. */
  const waitFor = (test: (line: string) => boolean, max: Duration.DurationInput) =>
    Effect.async<Option.Option<string>>((resume) => {
      const check = () => {
        const found = lines.find(test)
        if (found !== undefined || exited) {
          listeners.delete(check)
          resume(Effect.succeed(Option.fromNullable(found)))
        }
      }
      listeners.add(check)
      check()
      return Effect.sync(() => listeners.delete(check))
    }).pipe(Effect.timeoutTo({ duration: max, onTimeout: () => Option.none<string>(), onSuccess: (line) => line }))
  return { lines, waitFor }
}

export interface RedisServer {
  readonly port: number
  /** Stops the server (SIGKILL: no shutdown save, clients see the connection drop). */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port, empty (no persistence). */
  readonly start: Effect.Effect<void, never, Scope.Scope>
}

/** A `redis-server` on a free loopback port, stopped when the scope closes. */
export const startRedis: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.gen(function*() {
  const port = yield* freePort
  let current: ChildProcess.ChildProcess | undefined
  const start = Effect.gen(function*() {
    const child = yield* spawn(redisServer ?? "redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no"
    ])
    child.stderr?.resume()
    const ready = yield* linesOf(child).waitFor((line) => line.includes("Ready to accept connections"), "10 seconds")
    if (Option.isNone(ready)) return yield* Effect.dieMessage(`redis-server did not start on port ${port}`)
    current = child
  })
  yield* start
  return {
    port,
    start,
    stop: Effect.suspend(() => current === undefined ? Effect.void : Effect.asVoid(exitOf(current, "10 seconds", true)))
  }
})

/** A Sentinel (`redis-server --sentinel`) on a free port, watching `master` as `mymaster`; stopped with the scope. */
export const startSentinel = (master: number): Effect.Effect<number, never, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    // Sentinel rewrites its configuration file: a scratch copy, removed afterwards.
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-sentinel-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const config = Path.join(dir, "sentinel.conf")
    Fs.writeFileSync(
      config,
      `port ${port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 ${master} 1\nsentinel down-after-milliseconds mymaster 5000\n`
    )
    const child = yield* spawn(redisServer ?? "redis-server", [config, "--sentinel"])
    child.stderr?.resume()
    const ready = yield* linesOf(child).waitFor((line) => line.includes("+monitor master mymaster"), "10 seconds")
    if (Option.isNone(ready)) return yield* Effect.dieMessage(`redis sentinel did not start on port ${port}`)
    return port
  })

/** A Redis Cluster of three masters (no replicas) on free ports, created with `redis-cli --cluster create`; its ports. */
export const startCluster: Effect.Effect<ReadonlyArray<number>, never, Scope.Scope> = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-cluster-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )
  const ports: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const port = yield* freePort
    const child = yield* spawn(redisServer ?? "redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `nodes-${port}.conf`,
      "--dir",
      dir
    ])
    child.stderr?.resume()
    const ready = yield* linesOf(child).waitFor((line) => line.includes("Ready to accept connections"), "10 seconds")
    if (Option.isNone(ready)) return yield* Effect.dieMessage(`redis-server (cluster) did not start on port ${port}`)
    ports.push(port)
  }
  const cli = Path.join(Path.dirname(redisServer ?? "/usr/bin/redis-server"), "redis-cli")
  const create = yield* spawn(cli, ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"])
  create.stderr?.resume()
  create.stdout?.resume()
  const created = yield* exitOf(create, "30 seconds")
  if (created !== "0") return yield* Effect.dieMessage(`redis-cli --cluster create ended with ${created}`)
  // The nodes agree on the slots a moment after the creation returns.
  for (let i = 0; i < 100; i++) {
    const info = yield* Effect.sync(() => ChildProcess.spawnSync(cli, ["-p", String(ports[0]), "cluster", "info"], { encoding: "utf8" }))
    if (info.stdout.includes("cluster_state:ok")) return ports
    yield* Effect.sleep("100 millis")
  }
  return yield* Effect.dieMessage("the Redis cluster did not reach cluster_state:ok")
})

/**
 * The API and its token endpoint: `GET /api/data` answers 200 to the bearer
 * of an access token issued since the last `expire`, 401 otherwise; `POST /auth/refresh`
 * issues the next one (`access-<n>`) for the refresh token `refresh-1`.
 * `holdFirstRefresh` leaves the first refresh request unanswered.
 */
export const makeApi = (options: { readonly holdFirstRefresh?: boolean } = {}) =>
  Effect.gen(function*() {
    let issued = 0
    // The tokens issued since the last `expire` (a replica refreshing on its
    // own while Redis is down does not invalidate another's).
    const valid = new Set(["access-0"])
    const held: Array<string> = []
    const server = yield* TestServer.make({ keepAliveTimeout: "30 seconds" })
    yield* server.route(
      "GET",
      "/api/data",
      Reply.custom((request, response) => {
        const ok = valid.has(String(request.headers["authorization"]).replace(/^Bearer /, ""))
        response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
        response.end(JSON.stringify(ok ? { ok: true } : { error: "unauthorized" }))
      })
    )
    yield* server.route(
      "POST",
      "/auth/refresh",
      Reply.custom((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const from = String(request.headers["x-app-name"] ?? "")
          if (options.holdFirstRefresh === true && held.length === 0) {
            held.push(from)
            return
          }
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { refreshToken?: string }
          if (body.refreshToken !== "refresh-1") {
            response.writeHead(400, { "content-type": "application/json" })
            response.end(JSON.stringify({ error: "invalid_grant" }))
            return
          }
          issued += 1
          const accessToken = `access-${issued}`
          valid.add(accessToken)
          response.writeHead(200, { "content-type": "application/json" })
          response.end(JSON.stringify({ accessToken, refreshToken: "refresh-1" }))
        })
      })
    )
    return {
      server,
      /** Every token issued so far stops working. */
      expire: Effect.sync(() => valid.clear()),
      /** The replica whose refresh request is held, once one is. */
      heldFrom: Effect.sync(() => held[0]),
      refreshes: Effect.map(server.requests("/auth/refresh"), (requests) => requests.length)
    }
  })

/** Where the replica fixture lives, and how to run it (TypeScript through tsx, sources through the `@courier/source` condition). */
export const replicaScript = fileURLToPath(new URL("./fixtures/replica.ts", import.meta.url))
export const nodeArgs = ["--conditions=@courier/source", "--import", "tsx", replicaScript]
