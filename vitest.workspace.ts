/**
 * The one list of effect 3 test projects. The root `vitest.config.ts` feeds it
 * to `test.projects` (vitest 3.2 deprecates reading this file on its own). The
 * effect 4 line (`packages/effect4`) runs on its own vitest 5 under Node 22:
 * see `scripts/effect4.sh`.
 */
export default [
  "packages/{core,client,testing,flags,redis}/vitest.config.ts",
  "apps/*/vitest.config.ts",
  "docs/vitest.config.ts"
]
