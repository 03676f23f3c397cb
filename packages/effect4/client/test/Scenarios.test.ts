import * as Scenarios from "@courier/suites/Scenarios"
import { describe, expect, it } from "@effect/vitest"
import { line } from "./line.js"

// The scenario fuzzer of @courier/suites on the effect 4 line, with the same
// settings as the effect 3 runner (COURIER_SCENARIOS, COURIER_SCENARIO_SEED,
// COURIER_SCENARIO_JSON, COURIER_SCENARIO_BUDGET). Scenarios that need what
// this line does not offer (NDJSON) are counted as skipped, not run on a
// stand-in.

const settings = Scenarios.settingsFromEnv(process.env)

describe("scenarios: redirect × retry × auth × deadline × faults", () => {
  it(
    `${settings.count} generated scenarios keep every guarantee (seeds ${settings.baseSeed}..${settings.baseSeed + settings.count - 1})`,
    async () => {
      const report = await Scenarios.runMany(line, settings)
      console.log(
        `scenarios: ${report.ran} run from seed ${settings.baseSeed} in ${report.seconds} s, ${report.failures.length} failing, skipped ${JSON.stringify(report.skipped)}`
      )
      if (report.failures.length > 0) console.log(report.failures.join("\n\n"))
      expect(report.failures, report.failures.join("\n\n")).toEqual([])
    },
    settings.budgetMillis + 60_000
  )
})
