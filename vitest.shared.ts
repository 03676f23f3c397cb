import { fileURLToPath } from "node:url"
import type { UserConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * Shared by every test project: workspace packages resolve to their
 * TypeScript sources, so tests need no build.
 */
export const shared: UserConfig = {
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000
  },
  resolve: {
    alias: [
      { find: /^@courier\/core$/, replacement: src("./packages/core/src/index.ts") },
      { find: /^@courier\/core\/(.+)$/, replacement: src("./packages/core/src/$1.ts") },
      { find: /^@courier\/suites$/, replacement: src("./packages/suites/src/index.ts") },
      { find: /^@courier\/suites\/(.+)$/, replacement: src("./packages/suites/src/$1.ts") },
      { find: /^@courier\/client$/, replacement: src("./packages/client/src/index.ts") },
      { find: /^@courier\/client\/node$/, replacement: src("./packages/client/src/node/index.ts") },
      { find: /^@courier\/client\/(.+)$/, replacement: src("./packages/client/src/$1.ts") },
      { find: /^@courier\/testing$/, replacement: src("./packages/testing/src/index.ts") },
      { find: /^@courier\/testing\/(.+)$/, replacement: src("./packages/testing/src/$1.ts") },
      { find: /^@courier\/flags$/, replacement: src("./packages/flags/src/index.ts") },
      { find: /^@courier\/flags\/(.+)$/, replacement: src("./packages/flags/src/$1.ts") },
      { find: /^@courier\/redis$/, replacement: src("./packages/redis/src/index.ts") },
      { find: /^@courier\/redis\/(.+)$/, replacement: src("./packages/redis/src/$1.ts") }
    ]
  }
}
