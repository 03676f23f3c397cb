/**
 * Downloads and uploads end to end against the demo API: progress lines on
 * a non-terminal stderr, the file byte for byte, the upload's checksum, and
 * Ctrl-C (SIGINT) mid-download leaving nothing behind with exit 130.
 */
import { describe, expect, layer } from "@effect/vitest"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import { createHash, randomBytes } from "node:crypto"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { eventually, run, start, tempDir } from "./support/Courier.js"

describe.concurrent("courier download and upload", () => {
layer(DemoApi.layer(), { excludeTestServices: true })((it) => {
  it.scoped("download writes the file byte for byte, with plain progress lines on a pipe", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const dir = yield* tempDir
      const size = 3 * 1024 * 1024 + 7
      const path = join(dir, "out.bin")
      const result = yield* run(["download", `${api.url}/files/${size}`, "-o", path], { configDir: dir })
      expect(result.code).toBe(0)
      expect(result.stdout).toBe("")
      const lines = result.stderr.trimEnd().split("\n")
      expect(lines[0]).toMatch(/^courier: download \d+% [\d.]+ \w?i?B of 3\.0 MiB/)
      expect(lines.at(-1)).toMatch(new RegExp(`^courier: saved 3\\.0 MiB to ${path} in `))
      // No bar redraws on a pipe.
      expect(result.stderr).not.toContain("\r")
      const bytes = readFileSync(path)
      expect(bytes.byteLength).toBe(size)
      expect(bytes.every((byte, offset) => byte === offset % 256)).toBe(true)
      expect(readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([])
    }), 40_000)

  it.scoped("upload: a field@path item sends multipart, and the echo has the file's sha256", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const dir = yield* tempDir
      const path = join(dir, "data.bin")
      const content = randomBytes(300 * 1024)
      writeFileSync(path, content)
      const result = yield* run(
        ["post", "/upload", "--base-url", api.url, `doc@${path}`, "note=hello", "n:=3", "--quiet"],
        { configDir: dir }
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const echo = JSON.parse(result.stdout) as {
        fields: Record<string, string>
        files: ReadonlyArray<{ field: string; filename: string; size: number; sha256: string }>
      }
      expect(echo.fields).toEqual({ note: "hello", n: "3" })
      expect(echo.files).toEqual([
        expect.objectContaining({
          field: "doc",
          filename: "data.bin",
          size: content.byteLength,
          sha256: createHash("sha256").update(content).digest("hex")
        })
      ])
    }), 40_000)

  it.scoped("SIGINT mid-download exits 130 and leaves no file and no .part file", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const dir = yield* tempDir
      const path = join(dir, "big.bin")
      // 400 chunks of 64 KiB, one every 50 ms: 25 MiB over 20 seconds.
      const url = `${api.url}/fault/drip?chunks=400&interval=50&bytes=65536`
      const running = start(["download", url, "-o", path], { configDir: dir })
      yield* eventually("the download to start", () => running.stderr().includes("courier: download"), 15_000)
      yield* eventually("a .part file", () => readdirSync(dir).some((name) => name.endsWith(".part")))
      running.kill("SIGINT")
      const result = yield* running.exit
      expect(result.code).toBe(130)
      expect(result.stderr.trimEnd().split("\n").at(-1)).toBe("courier: interrupted")
      expect(readdirSync(dir).filter((name) => name !== "tokens.json")).toEqual([])
    }), 40_000)
})
})
