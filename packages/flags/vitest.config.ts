import { fileURLToPath } from "node:url"
import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    // The interoperability tests run the demo API's OFREP server in the test process, from its sources.
    resolve: {
      alias: [
        { find: /^demo-api$/, replacement: fileURLToPath(new URL("../../apps/demo-api/src/index.ts", import.meta.url)) }
      ]
    },
    test: {
      name: "flags",
      include: ["test/**/*.test.ts"]
    }
  })
)
