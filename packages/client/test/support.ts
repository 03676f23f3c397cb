import { CourierClient, Retry } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient } from "@courier/testing"
import type { TestServer } from "@courier/testing"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import type * as Http from "node:http"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

/** Every transport the conformance suites run against. */
export const transports: ReadonlyArray<"node" | "fetch"> = ["node", "fetch"]

/** A client on `kind` pointed at `server`, scoped to the test. */
export const clientOn = (
  server: TestServer.Service,
  kind: TestClient.Transport,
  options: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(TestClient.layerFor(server, options, kind)),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** A client on `kind` with the Retry Layer (no backoff) over it. */
export const retryingClientOn = (server: TestServer.Service, kind: TestClient.Transport) =>
  Effect.map(
    Layer.build(Retry.layer({ baseDelay: 0 }).pipe(Layer.provide(TestClient.layerFor(server, {}, kind)))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** Waits on the wall clock (so also under TestClock) until `check` holds; dies after `attempts` tries of 10 ms. */
export const waitUntil = (check: Effect.Effect<boolean>, what: string, attempts = 500): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < attempts; i++) {
      if (yield* check) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return yield* Effect.dieMessage(`timed out waiting until ${what}`)
  })

/** Waits until the server has seen `count` requests to `path`. */
export const waitForRequests = (server: TestServer.Service, path: string, count = 1) =>
  waitUntil(Effect.map(server.requests(path), (entries) => entries.length >= count), `${count} request(s) reached ${path}`)

/** A port nothing listens on: bound by the OS, then released. */
export const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
)

/** `size` bytes of a known, non-periodic pattern (a linear congruential sequence from `seed`). */
export const pattern = (size: number, seed = 3): Uint8Array => {
  const out = new Uint8Array(size)
  let x = seed
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** A folder of the real disk (its real path, as /proc shows it), removed with the scope. */
export const scratchDir = Effect.acquireRelease(
  Effect.sync(() => Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-files-")))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** The descriptors this process holds open on `path`, from Linux's /proc/self/fd. */
export const descriptorsOn = (path: string): number =>
  Fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return Fs.readlinkSync(`/proc/self/fd/${fd}`) === path
    } catch {
      return false
    }
  }).length

/** Waits until nothing holds `path` open: a failed or interrupted upload closes its file. */
export const fileClosed = (path: string) =>
  waitUntil(Effect.sync(() => descriptorsOn(path) === 0), `${path} is closed`)

export const hasProc = Fs.existsSync("/proc/self/fd")

/**
 * A sparse file of 32 MiB in a scratch folder: far more than the socket
 * buffers absorb, so an upload of it is still going when the server stalls
 * or a fault lands.
 */
export const largeFile = Effect.map(scratchDir, (dir) => {
  const path = Path.join(dir, "large.bin")
  Fs.writeFileSync(path, "")
  Fs.truncateSync(path, 32 * 1024 * 1024)
  return path
})

/**
 * A FileSystem that knows one file, of `size` bytes by its `stat`, whose
 * content is `content`: nothing of it is on disk.
 */
export const virtualFile = (size: number, content: Stream.Stream<Uint8Array>) =>
  FileSystem.layerNoop({
    stat: () =>
      Effect.succeed({
        type: "File",
        mtime: Option.none(),
        atime: Option.none(),
        birthtime: Option.none(),
        dev: 0,
        ino: Option.none(),
        mode: 0o644,
        nlink: Option.none(),
        uid: Option.none(),
        gid: Option.none(),
        rdev: Option.none(),
        size: FileSystem.Size(size),
        blksize: Option.none(),
        blocks: Option.none()
      }),
    stream: () => content
  })

/**
 * A route whose answers wait until the test releases them, oldest first,
 * each a 200 with `{}`: calls stay in flight for as long as a test needs.
 */
export const gate = () => {
  const waiting: Array<Http.ServerResponse> = []
  const reply = Reply.custom((_request, response) => {
    waiting.push(response)
  })
  const release = (n: number) =>
    Effect.sync(() => {
      for (const response of waiting.splice(0, n)) {
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      }
    })
  return { reply, release, releaseAll: release(Number.MAX_SAFE_INTEGER) }
}
