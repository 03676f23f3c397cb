#!/usr/bin/env node
// Runs the TypeScript sources directly, so the command works right after
// `pnpm install` with no build step: the same as
// `node --conditions=@courier/source --import tsx src/main.ts`, set up in
// this process (no child process, so signals reach the program itself).
import { register } from "node:module"

// Workspace packages export their sources under the "@courier/source" condition.
register("./source-condition.js", import.meta.url)
const { register: registerTsx } = await import("tsx/esm/api")
registerTsx()
await import("../src/main.ts")
