import { fileURLToPath } from "node:url"
import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    // The demo API runs in the test process from its sources, like the workspace packages.
    resolve: {
      alias: [
        { find: /^demo-api$/, replacement: fileURLToPath(new URL("../demo-api/src/index.ts", import.meta.url)) }
      ]
    },
    test: {
      name: "cli",
      include: ["test/**/*.test.ts"]
    }
  })
)
