/**
 * The scenario fuzzer: the guarantees in every combination. fast-check
 * generates scenarios (a request kind; what two real origins answer on each
 * hop of a redirect chain: statuses with any Retry-After, redirects, resets,
 * stalls, drips, truncated or compressed bodies; the token state and how the
 * token endpoint behaves; the call's deadline; default headers carrying
 * secrets), each runs through the line's recommended preset against loopback
 * servers, and every invariant is checked whatever the scenario (see
 * scenarios/Invariants.ts).
 *
 * Each scenario is drawn from its own seed (fc.sample, not fc.assert): every
 * failing run replays alone, one run reports every failing seed rather than
 * the first, and nothing is shrunk (each try is real sockets and timers).
 *
 * Settings, from the environment (see {@link settingsFromEnv}):
 *   COURIER_SCENARIOS=10000 COURIER_SCENARIO_BUDGET=1800 (seconds)   more runs (`pnpm fuzz`)
 *   COURIER_SCENARIO_SEED=<seed> COURIER_SCENARIOS=1                 replay one failing run
 *   COURIER_SCENARIO_JSON='{"kind":"post",...}' COURIER_SCENARIOS=1  run a scenario given as JSON
 */
import { Closers } from "./Case.js"
import type { Line } from "./Line.js"
import { violations } from "./scenarios/Invariants.js"
import { run } from "./scenarios/Run.js"
import { fromSeed, type Scenario } from "./scenarios/Scenario.js"

export type { Scenario } from "./scenarios/Scenario.js"

export interface Settings {
  readonly count: number
  readonly budgetMillis: number
  readonly baseSeed: number
  /** A scenario written by hand (or edited from a printed one), run instead of generated ones. */
  readonly scenario: Scenario | undefined
}

/** A fixed set by default (the same seeds every time); a fresh base for a longer run unless given. */
export const settingsFromEnv = (env: Readonly<Record<string, string | undefined>>): Settings => ({
  count: Number(env["COURIER_SCENARIOS"] ?? 40),
  budgetMillis: Number(env["COURIER_SCENARIO_BUDGET"] ?? 45) * 1000,
  baseSeed: env["COURIER_SCENARIO_SEED"] !== undefined
    ? Number(env["COURIER_SCENARIO_SEED"])
    : env["COURIER_SCENARIOS"] !== undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : 20261203,
  scenario: env["COURIER_SCENARIO_JSON"] === undefined ? undefined : JSON.parse(env["COURIER_SCENARIO_JSON"]) as Scenario
})

export interface Report {
  readonly ran: number
  /** Scenarios the line could not run, by the capability they needed. */
  readonly skipped: Readonly<Record<string, number>>
  readonly seconds: number
  /** One paragraph per failing scenario: how to replay it, the scenario, its violations. */
  readonly failures: ReadonlyArray<string>
}

/** Runs `settings.count` scenarios (or fewer, when the budget runs out) and reports the failing ones. */
export const runMany = async (line: Line, settings: Settings): Promise<Report> => {
  const started = Date.now()
  const failures: Array<string> = []
  const skipped: Record<string, number> = {}
  let ran = 0
  for (let i = 0; i < settings.count && Date.now() - started < settings.budgetMillis; i++) {
    const seed = settings.baseSeed + i
    const scenario = settings.scenario ?? fromSeed(seed)
    const missing = scenario.kind === "ndjson" && line.capabilities?.ndjson === false
      ? "ndjson"
      : scenario.store === "sharedFile" && line.capabilities?.fileTokenStore === false
      ? "fileTokenStore"
      : undefined
    if (missing !== undefined) {
      skipped[missing] = (skipped[missing] ?? 0) + 1
      continue
    }
    const scope = new Closers()
    let found: ReadonlyArray<string>
    try {
      found = violations(scenario, await run(line, scenario, scope))
    } catch (error) {
      found = [`the run threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`]
    } finally {
      await scope.close()
    }
    ran += 1
    if (found.length > 0) {
      failures.push(
        [
          settings.scenario !== undefined
            ? "the scenario given in COURIER_SCENARIO_JSON"
            : `seed ${seed} (replay: COURIER_SCENARIO_SEED=${seed} COURIER_SCENARIOS=1)`,
          `  scenario: ${JSON.stringify(scenario)}`,
          ...found.map((v) => `  ${v}`)
        ].join("\n")
      )
    }
  }
  return { ran, skipped, seconds: Math.round((Date.now() - started) / 1000), failures }
}
