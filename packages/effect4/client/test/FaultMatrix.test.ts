import { assertCase } from "@courier/suites/Case"
import * as FaultMatrix from "@courier/suites/FaultMatrix"
import { describe, it } from "@effect/vitest"
import { line } from "./line.js"

// The fault matrix of @courier/suites (every socket fault × every kind of
// request through the recommended preset; no server; an upload failing
// half-way; the caller interrupting) on the effect 4 line: the very cases
// the effect 3 line passes.

describe("fault matrix", () => {
  for (const c of FaultMatrix.cases({ bodyFailureSentOnce: true })) {
    it(c.name, () => assertCase(line, c), c.timeoutMs)
  }
})
