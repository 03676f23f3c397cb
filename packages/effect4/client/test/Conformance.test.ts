import { assertCase } from "@courier/suites/Case"
import * as Conformance from "@courier/suites/Conformance"
import { describe, it } from "@effect/vitest"
import { line } from "./line.js"

// The conformance suite of @courier/suites on the effect 4 line: what a
// program observes of a call is what it observes on the effect 3 line.

describe("conformance", () => {
  for (const c of Conformance.cases) it(c.name, () => assertCase(line, c), c.timeoutMs)
})
