/**
 * The one list of test projects. The root `vitest.config.ts` feeds it to
 * `test.projects` (vitest 3.2 deprecates reading this file on its own).
 */
export default ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "docs/vitest.config.ts"]
