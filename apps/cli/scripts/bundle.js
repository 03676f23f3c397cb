// Bundles the command into dist/courier.js (and chunks it imports), so that a
// start loads a few modules instead of compiling TypeScript (tsx) or
// resolving hundreds of files: `courier --version` went from about 2 s to 0.2–0.3 s.
// The workspace packages are bundled from their sources (the "@courier/source"
// export condition), so the bundle needs no prior build of them.
// Run by `prepare` (so `pnpm install` builds it), by `pnpm --filter cli build`,
// and by the tests' global setup (so they run the current sources).
import * as esbuild from "esbuild"
import { rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

export const bundle = () => {
  // Chunk names carry a hash: without this, each build would leave the last one's.
  rmSync(`${root}/dist`, { recursive: true, force: true })
  return esbuild.build({
    absWorkingDir: root,
    entryPoints: { courier: "src/main.ts" },
    outdir: "dist",
    // Modules imported with import() (the transport) go to chunks loaded on use.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@courier/source"],
    // Dependencies written as CommonJS call require() for Node's built-ins.
    banner: { js: "import { createRequire as __createRequire } from \"node:module\"\nconst require = __createRequire(import.meta.url)" },
    sourcemap: "linked",
    logLevel: "warning"
  })
}

// The tests' global setup.
export const setup = async () => {
  await bundle()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle()
