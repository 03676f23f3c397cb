#!/usr/bin/env node
// Loads the bundle that `pnpm install` (the package's `prepare` script) or
// `pnpm --filter cli build` writes to dist/courier.js.
import { existsSync } from "node:fs"
import * as Module from "node:module"

const bundle = new URL("../dist/courier.js", import.meta.url)

// A password typed ahead while the program loads would be echoed by the
// terminal until the prompt takes it; without echo from here on, only what
// was typed before Node started can show. The prompt restores the mode, and
// Node restores the terminal at exit.
const args = process.argv.slice(2)
if (args[0] === "login" && !args.includes("--password-stdin") && process.stdin.isTTY) {
  process.stdin.setRawMode(true)
}

if (!existsSync(bundle)) {
  process.stderr.write("courier: not built; run `pnpm install` or `pnpm --filter cli build`\n")
  process.exit(1)
}
// Node 22.1+ keeps the compiled bundle in a cache between runs; older Node
// has no such function and compiles it at every start.
Module.enableCompileCache?.()
await import(bundle.href)
