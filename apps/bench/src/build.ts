/**
 * Bundles the server and the client process into plain JavaScript before a
 * run, so the measured processes run without a TypeScript loader: `tsx`
 * adds a loader thread of its own (about 35 MB of RSS) to every process it
 * starts, which would blur the memory figures. Courier is bundled from its
 * TypeScript source (the `@courier/source` condition, as the apps run it);
 * every other package stays external and loads from node_modules, as in an
 * application.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const buildDir = path.join(benchDir, ".build")

export const entries = {
  server: path.join(buildDir, "server.mjs"),
  worker: path.join(buildDir, "worker.mjs")
} as const

/** Courier from source, and the Effect packages (a process loads hundreds of their modules otherwise). */
const bundled = /^(@courier\/|effect(\/|$)|@effect\/)/

const externalPackages: esbuild.Plugin = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => bundled.test(args.path) ? undefined : { path: args.path, external: true })
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
    conditions: ["@courier/source"],
    sourcemap: "linked",
    minify: false,
    logLevel: "warning",
    plugins: [externalPackages]
  })
}
