import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "docs",
      // The guide's test example runs as a test; the others are spawned by test/docs.test.ts.
      include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
      // Each example is a process of its own: a few at a time on a small machine.
      maxConcurrency: 3,
      testTimeout: 60_000
    }
  })
)
