import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The effect 4 line's tests: vitest 5 and @effect/vitest 4 on Node 22 (run by
 * `scripts/effect4.sh`, which the root `pnpm test` calls). Workspace packages
 * resolve to their TypeScript sources, so tests need no build.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@courier\/core$/, replacement: src("../core/src/index.ts") },
      { find: /^@courier\/core\/(.+)$/, replacement: src("../core/src/$1.ts") },
      { find: /^@courier\/suites$/, replacement: src("../suites/src/index.ts") },
      { find: /^@courier\/suites\/(.+)$/, replacement: src("../suites/src/$1.ts") },
      { find: /^@courier\/client-effect4$/, replacement: src("./client/src/index.ts") },
      { find: /^@courier\/client-effect4\/(.+)$/, replacement: src("./client/src/$1.ts") },
      { find: /^@courier\/testing-effect4$/, replacement: src("./testing/src/index.ts") },
      { find: /^@courier\/testing-effect4\/(.+)$/, replacement: src("./testing/src/$1.ts") }
    ]
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: "effect4-client", include: ["client/test/**/*.test.ts"] } },
      { extends: true, test: { name: "effect4-testing", include: ["testing/test/**/*.test.ts"] } },
      // The guide's effect 4 examples (docs/guide/23-effect-4.md): each runs as
      // its own process from test/examples.test.ts; the testing example is a test.
      { extends: true, test: { name: "effect4-docs", include: ["test/**/*.test.ts", "examples/**/*.test.ts"] } }
    ]
  }
})
