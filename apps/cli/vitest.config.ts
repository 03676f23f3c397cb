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
      // The tests spawn bin/courier.js, which runs the bundle: rebuilt first
      // from the current sources.
      globalSetup: ["./scripts/bundle.js"],
      include: ["test/**/*.test.ts"]
    }
  })
)
