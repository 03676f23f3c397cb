import { assertCase } from "@courier/suites/Case"
import * as Security from "@courier/suites/Security"
import { describe, it } from "@effect/vitest"
import { line } from "./line.js"

// The security suite of @courier/suites on the effect 4 line: each case
// named after the advisory it guards against, proven on the wire.

describe("security", () => {
  for (const c of Security.cases) it(c.name, () => assertCase(line, c), c.timeoutMs)
})
