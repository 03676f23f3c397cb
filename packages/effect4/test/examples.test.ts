/**
 * The effect 4 examples of the guide (page 23), run the way a reader runs
 * them: each is its own process on this Node (22), started with tsx and the
 * workspace's source condition, and must exit 0 and print what the page
 * says it prints. `examples/*.test.ts` run as tests of this project instead.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const effect4 = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const examples = Path.join(effect4, "examples")

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

const run = (file: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = ChildProcess.spawn(process.execPath, ["--conditions=@courier/source", "--import", "tsx", file], {
      cwd: effect4,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 45_000
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("close", (code, signal) => resolve({ code, signal, output }))
  })

// What each example prints that the guide relies on: a line per promise.
const expected: Record<string, ReadonlyArray<string | RegExp>> = {
  "01-configured-client.ts": [
    "connect 2s, total 15s",
    "connect 10s, total 15s",
    "users: ada, grace",
    "last call: x-app-name notes, Bearer access-1"
  ],
  "02-requests-and-failures.ts": [
    "post 1: First, 43 views after mine",
    "created post 3",
    "404: no such post",
    "Parse (SchemaMismatch) at title",
    "failed with BadResponse",
    "Result.failure: BadResponse",
    `POST body on the wire: {"title":"Hello","views":"7"}`
  ],
  "03-custom-layer.ts": [
    "attempt 1: BadResponse\nattempt 2: 200",
    "2 attempts, 1 request id, x-tenant acme"
  ],
  "04-timeouts.ts": [
    "stalled server: Timeout in the receive phase, whose limit is 300ms",
    "dripping body: Timeout in the total phase, whose limit is 700ms",
    "slow answer without a deadline: done"
  ],
  "06-retries.ts": [
    "GET /a: 3 attempts",
    "/b: override {\"retries\":0}",
    "GET /b: 1 attempt",
    "GET /c: 5 attempts, GET /d: 5 attempts",
    "/d: override {\"retries\":4,\"baseDelay\":\"20 millis\"}",
    "POST /orders: 2 attempts, 1 key"
  ],
  "07-token-refresh.ts": [
    "3 answers, 1 refresh",
    "Unauthorized: SessionExpired",
    "onSessionExpired ran; tokens left: false",
    "a token in a log: <redacted>"
  ]
}

const runnable = Fs.readdirSync(examples)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
  .sort()

describe("every effect 4 example runs on its own test server and exits 0", () => {
  it("each example has its expected output listed, and each listed one exists", () => {
    expect(runnable).toEqual(Object.keys(expected).sort())
  })
  for (const name of runnable) {
    it(name, { timeout: 60_000 }, async () => {
      const result = await run(Path.join(examples, name))
      expect({ code: result.code, signal: result.signal }, result.output).toEqual({ code: 0, signal: null })
      for (const line of expected[name] ?? []) expect(result.output).toMatch(line)
    })
  }
})
