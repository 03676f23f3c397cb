/**
 * Bundles the server and the client process into plain JavaScript before a
 * run, so the measured processes run without a TypeScript loader: `tsx`
 * adds a loader thread of its own (about 35 MB of RSS) to every process it
 * starts, which would blur the memory figures. Only the benchmark's own files
 * are bundled: every package, Courier and Effect included, stays external and
 * loads from node_modules as in an application, Courier from its built `dist`
 * (so `pnpm build` must have run; `main.ts` checks). The effect 4 section's
 * worker is bundled into its own package (`apps/bench/effect4`), so that the
 * same bare imports resolve there to effect 4 and undici 8.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const buildDir = path.join(benchDir, ".build")

/** The effect 4 section's package, whose node_modules its worker loads from. */
export const effect4Dir = path.join(benchDir, "effect4")

export const entries = {
  server: path.join(buildDir, "server.mjs"),
  worker: path.join(buildDir, "worker.mjs"),
  /** Built into the effect 4 package, so its bare imports resolve there (effect 4, undici 8). */
  effect4Worker: path.join(effect4Dir, ".build", "worker.mjs")
} as const

const externalPackages: esbuild.Plugin = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }))
  }
}

export const build = async (): Promise<void> => {
  await esbuild.build({
    entryPoints: { server: path.join(benchDir, "src/server.ts"), worker: path.join(benchDir, "src/worker.ts") },
    outdir: buildDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // Each client's module is its own chunk, loaded only by the process measuring it.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    minify: false,
    logLevel: "warning",
    plugins: [externalPackages]
  })
  await esbuild.build({
    entryPoints: { worker: path.join(effect4Dir, "src/worker.ts") },
    outdir: path.dirname(entries.effect4Worker),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: "linked",
    minify: false,
    logLevel: "warning",
    plugins: [externalPackages]
  })
}

/**
 * The worker bundled against another build of Courier (`dist` is its output
 * folder, with `index.js` and `node/index.js`), for a before/after pair in one
 * run. Every other package still loads from node_modules. Returns its entry.
 */
export const buildWorkerAgainst = async (dist: string, name: string): Promise<string> => {
  const outdir = path.join(benchDir, `.build-${name}`)
  const courier: esbuild.Plugin = {
    name: "courier-elsewhere",
    setup(build) {
      build.onResolve({ filter: /^@courier\/client(\/node)?$/ }, (args) => ({
        path: path.join(dist, args.path.endsWith("/node") ? "node/index.js" : "index.js"),
        external: true
      }))
    }
  }
  await esbuild.build({
    entryPoints: { worker: path.join(benchDir, "src/worker.ts") },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    minify: false,
    logLevel: "warning",
    plugins: [courier, externalPackages]
  })
  return path.join(outdir, "worker.mjs")
}
