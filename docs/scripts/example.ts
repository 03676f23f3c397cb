/**
 * Runs one example by the start of its name:
 *
 *     pnpm docs:example 02-get    # docs/examples/02-get-and-post.ts
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const examples = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "examples")
const wanted = process.argv[2] ?? ""
const names = Fs.readdirSync(examples).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts")).sort()
const match = names.filter((name) => name.startsWith(wanted))

if (wanted === "" || match.length !== 1) {
  process.stderr.write(`usage: pnpm docs:example <name prefix>; one of:\n${names.map((n) => `  ${n}`).join("\n")}\n`)
  process.exitCode = 2
} else {
  await import(pathToFileURL(Path.join(examples, match[0]!)).href)
}
