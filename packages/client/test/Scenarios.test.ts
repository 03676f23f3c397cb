import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { violations } from "./scenarios/Invariants.js"
import { run } from "./scenarios/Run.js"
import { fromSeed, type Scenario } from "./scenarios/Scenario.js"

// The guarantees in every combination. fast-check generates scenarios (a
// request kind; what two real origins answer on each hop of a redirect
// chain: statuses with any Retry-After, redirects, resets, stalls, drips,
// truncated or compressed bodies; the token state and how the token
// endpoint behaves; the call's deadline; default headers carrying secrets),
// each runs through the recommended preset on the node transport against
// loopback servers, and every invariant is checked whatever the scenario:
// see scenarios/Invariants.ts.
//
// Each scenario is drawn from its own seed (fc.sample, not fc.assert): every
// failing run replays alone, one run reports every failing seed rather than
// the first, and nothing is shrunk (each try is real sockets and timers).
//
// `pnpm test` runs a fixed set (the same seeds every time). More:
//   COURIER_SCENARIOS=10000 COURIER_SCENARIO_BUDGET=1800 (seconds)  (`pnpm fuzz`)
// Replay one failing run, printed with its seed:
//   COURIER_SCENARIO_SEED=<seed> COURIER_SCENARIOS=1 pnpm vitest run packages/client/test/Scenarios.test.ts
// or run a scenario given as JSON (as printed, edited at will):
//   COURIER_SCENARIO_JSON='{"kind":"post",...}' COURIER_SCENARIOS=1 pnpm vitest run ...

const env = process.env
const count = Number(env.COURIER_SCENARIOS ?? 40)
const budgetMillis = Number(env.COURIER_SCENARIO_BUDGET ?? 45) * 1000
/** A fixed base for the default run, a fresh one for a longer run unless given. */
const baseSeed = env.COURIER_SCENARIO_SEED !== undefined
  ? Number(env.COURIER_SCENARIO_SEED)
  : env.COURIER_SCENARIOS !== undefined
  ? Math.floor(Math.random() * 2 ** 31)
  : 20261203

describe("scenarios: redirect × retry × auth × deadline × faults", () => {
  it.live(
    `${count} generated scenarios keep every guarantee (seeds ${baseSeed}..${baseSeed + count - 1})`,
    () =>
      Effect.gen(function*() {
        const started = Date.now()
        const failures: Array<string> = []
        let ran = 0
        for (let i = 0; i < count && Date.now() - started < budgetMillis; i++) {
          const seed = baseSeed + i
          // A scenario written by hand (or edited from a printed one) runs as the only one.
          const scenario: Scenario = env.COURIER_SCENARIO_JSON !== undefined ? JSON.parse(env.COURIER_SCENARIO_JSON) : fromSeed(seed)
          const observation = yield* Effect.scoped(run(scenario))
          ran += 1
          const found = violations(scenario, observation)
          if (found.length > 0) {
            failures.push(
              [
                env.COURIER_SCENARIO_JSON !== undefined
                  ? "the scenario given in COURIER_SCENARIO_JSON"
                  : `seed ${seed} (replay: COURIER_SCENARIO_SEED=${seed} COURIER_SCENARIOS=1)`,
                `  scenario: ${JSON.stringify(scenario)}`,
                ...found.map((v) => `  ${v}`)
              ].join("\n")
            )
          }
        }
        console.log(`scenarios: ${ran} run from seed ${baseSeed} in ${Math.round((Date.now() - started) / 1000)} s, ${failures.length} failing`)
        if (failures.length > 0) console.log(failures.join("\n\n"))
        expect(failures, failures.join("\n\n")).toEqual([])
      }),
    budgetMillis + 60_000
  )
})
