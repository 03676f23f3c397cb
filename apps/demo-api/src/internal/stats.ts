import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as DemoApi from "../DemoApi.js"

/** @internal */
export interface StatsStore {
  readonly get: Effect.Effect<DemoApi.Stats>
  readonly reset: Effect.Effect<void>
  readonly request: (key: string) => Effect.Effect<void>
  readonly login: Effect.Effect<void>
  readonly refresh: Effect.Effect<void>
  readonly refreshFailure: Effect.Effect<void>
  readonly unauthorized: Effect.Effect<void>
}

const empty: DemoApi.Stats = { logins: 0, refreshes: 0, refreshFailures: 0, unauthorized: 0, requests: {} }

/** @internal */
export const make: Effect.Effect<StatsStore> = Effect.map(Ref.make(empty), (ref) => {
  const bump = (field: "logins" | "refreshes" | "refreshFailures" | "unauthorized") =>
    Ref.update(ref, (stats) => ({ ...stats, [field]: stats[field] + 1 }))
  return {
    get: Ref.get(ref),
    reset: Ref.set(ref, empty),
    request: (key) =>
      Ref.update(ref, (stats) => ({
        ...stats,
        requests: { ...stats.requests, [key]: (stats.requests[key] ?? 0) + 1 }
      })),
    login: bump("logins"),
    refresh: bump("refreshes"),
    refreshFailure: bump("refreshFailures"),
    unauthorized: bump("unauthorized")
  }
})
