import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("smoke", () => {
  it.effect("runs", () => Effect.gen(function*() { expect(yield* Effect.succeed(process.versions.node)).toMatch(/^2[2-9]/) }))
})
