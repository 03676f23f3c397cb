import * as Scenarios from "@courier/suites/Scenarios"
import { describe, expect, it } from "@effect/vitest"
import { line } from "./line.js"

// The scenario fuzzer of @courier/suites (redirect × retry × auth × deadline
// × faults, every invariant checked whatever the scenario) on the effect 3
// line's node transport. `pnpm test` runs a fixed set (the same seeds every
// time). More:
//   COURIER_SCENARIOS=10000 COURIER_SCENARIO_BUDGET=1800 (seconds)  (`pnpm fuzz`)
// Replay one failing run, printed with its seed:
//   COURIER_SCENARIO_SEED=<seed> COURIER_SCENARIOS=1 pnpm vitest run packages/client/test/Scenarios.test.ts
// or run a scenario given as JSON (as printed, edited at will):
//   COURIER_SCENARIO_JSON='{"kind":"post",...}' COURIER_SCENARIOS=1 pnpm vitest run ...

const settings = Scenarios.settingsFromEnv(process.env)

describe("scenarios: redirect × retry × auth × deadline × faults", () => {
  it(
    `${settings.count} generated scenarios keep every guarantee (seeds ${settings.baseSeed}..${settings.baseSeed + settings.count - 1})`,
    async () => {
      const report = await Scenarios.runMany(line("node"), settings)
      console.log(`scenarios: ${report.ran} run from seed ${settings.baseSeed} in ${report.seconds} s, ${report.failures.length} failing`)
      if (report.failures.length > 0) console.log(report.failures.join("\n\n"))
      expect(report.failures, report.failures.join("\n\n")).toEqual([])
    },
    settings.budgetMillis + 60_000
  )
})
