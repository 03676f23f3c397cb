/**
 * Helpers the cases share: time, ports, folders, byte patterns. Plain
 * promises over node, nothing of either line.
 */
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Scope } from "./Line.js"

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const now = (): number => performance.now()

/** Polls `check` every 10 ms until it holds; `false` after `timeoutMs`. */
export const waitUntil = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<boolean> => {
  const end = now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (now() > end) return false
    await sleep(10)
  }
}

/** A port nothing listens on: bound by the OS, then released. */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** A fresh folder (its real path), removed with `scope`. */
export const tempDir = (scope: Scope, prefix = "courier-suites-"): string => {
  const dir = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix)))
  scope.add(() => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const listing = (dir: string): ReadonlyArray<string> => Fs.readdirSync(dir).sort()

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
