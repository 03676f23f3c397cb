import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as DocExamples from "../scripts/docExamples.js"
import * as Snippets from "../scripts/snippets.js"

const docs = Path.join(Snippets.root, "docs")

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

// Spawned the way a reader runs it, so the example owns its process (and
// NodeRuntime.runMain) as a real program does.
const run = (file: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = ChildProcess.spawn(process.execPath, ["--conditions=@courier/source", "--import", "tsx", file], {
      cwd: docs,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 45_000
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("close", (code, signal) => resolve({ code, signal, output }))
  })

describe("the guide", () => {
  it("shows every example verbatim, and every example is shown", () => {
    const problems = Snippets.check().map((p) => `${Path.relative(Snippets.root, p.file)}: ${p.message}`)
    expect(problems).toEqual([])
  })

  it("every @example block in the packages' doc comments compiles", () => {
    const examples = DocExamples.collect()
    expect(examples.length).toBeGreaterThan(10)
    expect(DocExamples.check(examples)).toEqual([])
  })

  it("a broken @example block would be reported, with its source line", () => {
    const problems = DocExamples.check([{
      source: "packages/client/src/Broken.ts",
      line: 40,
      code: "import * as Effect from \"effect/Effect\"\nconst n: number = Effect.void\n"
    }])
    expect(problems.length).toBe(1)
    expect(problems[0]).toMatch(/^packages\/client\/src\/Broken\.ts:41: /)
  })
})

// The effect 4 examples need Node 22 and effect 4: the effect4-docs project runs them.
const runnable = Snippets.effect3ExampleFiles().filter((file) => !file.endsWith(".test.ts"))

describe.concurrent("every example runs against the embedded demo API and exits 0", () => {
  it("there are examples", () => {
    expect(runnable.length).toBeGreaterThan(10)
  })
  for (const file of runnable) {
    it(Path.basename(file), async () => {
      const result = await run(file)
      expect({ code: result.code, signal: result.signal }, result.output).toEqual({ code: 0, signal: null })
    })
  }
})
