/**
 * Type-checks the `@example` blocks of the doc comments in
 * `packages/*\/src/**\/*.ts`: each ```ts block under an `@example` tag is
 * written to `docs/.doc-examples/` (where the workspace's packages resolve as
 * they do for users) and checked with the root compiler options. An example
 * is a whole module: it imports what it uses.
 *
 *     node --conditions=@courier/source --import tsx docs/scripts/docExamples.ts
 *
 * (`pnpm docs:examples` from the repository root.)
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const out = Path.join(root, "docs", ".doc-examples")

/** One `@example` code block, and where it came from. */
export interface DocExample {
  /** The source file, relative to the repository root. */
  readonly source: string
  /** The line of the source where the code starts (1-based). */
  readonly line: number
  readonly code: string
}

const sourceFiles = (): ReadonlyArray<string> => {
  const found: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(path)
    }
  }
  for (const pkg of Fs.readdirSync(Path.join(root, "packages"))) {
    const src = Path.join(root, "packages", pkg, "src")
    if (Fs.existsSync(src)) walk(src)
  }
  return found.sort()
}

/** The ```ts blocks under `@example` tags of one file's doc comments. */
export const examplesOf = (file: string): ReadonlyArray<DocExample> => {
  const text = Fs.readFileSync(file, "utf8")
  const found: Array<DocExample> = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, comment.index).split("\n").length
    const lines = comment[0].split("\n").map((line) => line.replace(/^\s*(\/\*\*|\*(?!\/))? ?/, "").replace(/\s*\*\/$/, ""))
    let inExample = false
    let code: Array<string> | undefined
    let codeLine = 0
    lines.forEach((line, i) => {
      if (code !== undefined) {
        if (/^```\s*$/.test(line)) {
          found.push({ source: Path.relative(root, file), line: codeLine, code: `${code.join("\n")}\n` })
          code = undefined
        } else {
          code.push(line)
        }
        return
      }
      if (/^@\w+/.test(line)) inExample = line.startsWith("@example")
      if (inExample && /^```(ts|typescript)\s*$/.test(line)) {
        code = []
        codeLine = startLine + i + 1
      }
    })
  }
  return found
}

/** Every `@example` block of the packages' sources. */
export const collect = (): ReadonlyArray<DocExample> => sourceFiles().flatMap(examplesOf)

/** The diagnostics of the examples, as `source:line: message` strings (empty when all compile). */
export const check = (examples: ReadonlyArray<DocExample> = collect()): ReadonlyArray<string> => {
  Fs.rmSync(out, { recursive: true, force: true })
  Fs.mkdirSync(out, { recursive: true })
  const written = new Map<string, DocExample>()
  examples.forEach((example, i) => {
    const path = Path.join(out, `${String(i).padStart(3, "0")}-${example.source.replace(/[/\\.]/g, "_")}.ts`)
    Fs.writeFileSync(path, example.code)
    written.set(path, example)
  })
  try {
    const config = ts.readConfigFile(Path.join(root, "tsconfig.json"), ts.sys.readFile)
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
    const options: ts.CompilerOptions = {
      ...parsed.options,
      noEmit: true,
      // An example may declare a value only to show its type.
      noUnusedLocals: false,
      noUnusedParameters: false
    }
    const program = ts.createProgram([...written.keys()], options)
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
      const file = diagnostic.file
      if (file === undefined || diagnostic.start === undefined) return text
      const example = written.get(Path.resolve(file.fileName))
      const { line } = file.getLineAndCharacterOfPosition(diagnostic.start)
      return example === undefined
        ? `${Path.relative(root, file.fileName)}:${line + 1}: ${text}`
        : `${example.source}:${example.line + line}: ${text}`
    })
  } finally {
    Fs.rmSync(out, { recursive: true, force: true })
  }
}

const isMain = process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)

if (isMain) {
  const examples = collect()
  const problems = check(examples)
  for (const problem of problems) process.stderr.write(`${problem}\n`)
  if (problems.length === 0) process.stdout.write(`doc examples: ${examples.length} @example blocks compile\n`)
  process.exitCode = problems.length === 0 ? 0 : 1
}
