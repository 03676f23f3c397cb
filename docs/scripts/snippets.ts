/**
 * Keeps the guide's code blocks equal to the files they show. A block is
 *
 *     <!-- snippet: docs/examples/02-get-and-post.ts -->
 *     ```ts
 *     ...the file, verbatim...
 *     ```
 *     <!-- /snippet -->
 *
 * `sync` rewrites every block from its file; `check` fails (exit 1) when a
 * block differs, names a missing file, or an example is shown nowhere: one
 * of `docs/examples` (effect 3) or of `packages/effect4/examples` (effect 4,
 * shown on page 23).
 *
 *     node --conditions=@courier/source --import tsx docs/scripts/snippets.ts sync|check
 *
 * (`pnpm docs:sync` and `pnpm docs:check` from the repository root.)
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root: snippet paths are relative to it. */
export const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const docs = Path.join(root, "docs")
// The effect 3 examples live with the guide; the effect 4 ones (page 23)
// under packages/effect4, where effect 4 resolves.
const effect3Examples = Path.join(docs, "examples")
const effect4Examples = Path.join(root, "packages", "effect4", "examples")

const examplesIn = (dir: string): ReadonlyArray<string> =>
  Fs.readdirSync(dir)
    .filter((name) => name.endsWith(".ts"))
    .sort()
    .map((name) => Path.join(dir, name))

const block = /<!-- snippet: (\S+) -->\n[\s\S]*?<!-- \/snippet -->/g

/** The Markdown files that may hold snippets: `docs/**\/*.md` outside generated output and dependencies. */
export const markdownFiles = (): ReadonlyArray<string> => {
  const found: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "api" || entry.name.startsWith(".")) continue
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".md")) found.push(path)
    }
  }
  walk(docs)
  return found.sort()
}

/**
 * The effect 3 examples (`docs/examples`), which the docs project runs on
 * this Node; the effect 4 ones run in the `effect4-docs` project on Node 22.
 */
export const effect3ExampleFiles = (): ReadonlyArray<string> => examplesIn(effect3Examples)

/** Every example of both lines: the files the guide must show. */
export const exampleFiles = (): ReadonlyArray<string> => [...examplesIn(effect3Examples), ...examplesIn(effect4Examples)]

const fence = (path: string): string => {
  const code = Fs.readFileSync(Path.join(root, path), "utf8")
  // A fence longer than any backtick run in the code keeps the block closed.
  const longest = Math.max(2, ...Array.from(code.matchAll(/`+/g), (m) => m[0].length))
  const ticks = "`".repeat(longest + 1)
  return `<!-- snippet: ${path} -->\n${ticks}ts\n${code.endsWith("\n") ? code : `${code}\n`}${ticks}\n<!-- /snippet -->`
}

/** One problem found by `check`. */
export interface Problem {
  readonly file: string
  readonly message: string
}

interface Rendered {
  readonly text: string
  readonly problems: ReadonlyArray<Problem>
  readonly shown: ReadonlyArray<string>
}

/** The Markdown file with every block rendered from its source, and the problems met. */
const render = (file: string): Rendered => {
  const problems: Array<Problem> = []
  const shown: Array<string> = []
  const text = Fs.readFileSync(file, "utf8").replace(block, (whole, path: string) => {
    if (!Fs.existsSync(Path.join(root, path))) {
      problems.push({ file, message: `snippet source ${path} does not exist` })
      return whole
    }
    shown.push(Path.join(root, path))
    return fence(path)
  })
  return { text, problems, shown }
}

/** Problems: blocks that differ from their files, missing sources, examples shown nowhere. */
export const check = (): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  const shown = new Set<string>()
  for (const file of markdownFiles()) {
    const rendered = render(file)
    problems.push(...rendered.problems)
    rendered.shown.forEach((path) => shown.add(path))
    if (rendered.text !== Fs.readFileSync(file, "utf8")) {
      problems.push({ file, message: "a snippet differs from its source file; run `pnpm docs:sync`" })
    }
  }
  for (const example of exampleFiles()) {
    if (!shown.has(example)) {
      problems.push({ file: example, message: "this example is shown on no guide page (add a snippet block for it)" })
    }
  }
  return problems
}

/** Rewrites every block from its file; returns the files changed. */
export const sync = (): ReadonlyArray<string> => {
  const changed: Array<string> = []
  for (const file of markdownFiles()) {
    const rendered = render(file)
    if (rendered.text !== Fs.readFileSync(file, "utf8")) {
      Fs.writeFileSync(file, rendered.text)
      changed.push(file)
    }
  }
  return changed
}

const report = (problems: ReadonlyArray<Problem>): void => {
  for (const p of problems) process.stderr.write(`${Path.relative(root, p.file)}: ${p.message}\n`)
}

const isMain = process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)

if (isMain) {
  const mode = process.argv[2]
  if (mode === "sync") {
    for (const file of sync()) process.stdout.write(`updated ${Path.relative(root, file)}\n`)
    const problems = check()
    report(problems)
    process.exitCode = problems.length === 0 ? 0 : 1
  } else if (mode === "check") {
    const problems = check()
    report(problems)
    if (problems.length === 0) process.stdout.write(`snippets: ${markdownFiles().length} pages in sync\n`)
    process.exitCode = problems.length === 0 ? 0 : 1
  } else {
    process.stderr.write("usage: snippets.ts sync|check\n")
    process.exitCode = 2
  }
}
