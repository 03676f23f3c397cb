import { CourierClient } from "@courier/client"
import { FeatureFlags, FlagStore, OpenFeatureProvider } from "@courier/flags"
import { describe, expect, it } from "@effect/vitest"
import { ErrorCode, OpenFeature } from "@openfeature/server-sdk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { clientOn, flagServer } from "./support.js"

const promise = <A>(run: () => Promise<A>) => Effect.orDie(Effect.tryPromise(run))

describe("OpenFeatureProvider", () => {
  it.scoped("serves stored values as CACHED while the server is down, and a malformed declared flag as DEFAULT", () =>
    Effect.gen(function*() {
      const definitions = { enable_new_ui: FeatureFlags.flag(Schema.Boolean, false), max_items: FeatureFlags.flag(Schema.Number, 5) }
      const flags = yield* flagServer({ enable_new_ui: true, max_items: "many", color: "red" })
      const client = yield* clientOn(flags.server)
      const store = FlagStore.memory()
      const start = FeatureFlags.make(definitions, { store }).pipe(Effect.provideService(CourierClient.CourierClient, client))

      const firstRun = yield* Scope.make()
      yield* start.pipe(Scope.extend(firstRun))
      yield* Scope.close(firstRun, Exit.void)
      flags.state.down = true

      const service = yield* start
      const provider = yield* OpenFeatureProvider.makeProvider(service)
      yield* promise(() => OpenFeature.setProviderAndWait("cached", provider))
      yield* Effect.addFinalizer(() => Effect.promise(() => OpenFeature.clearProviders()))
      const of = OpenFeature.getClient("cached")
      expect(yield* promise(() => of.getBooleanDetails("enable_new_ui", false))).toMatchObject({ value: true, reason: "CACHED" })
      // "many" fails the declared Schema: the declared default, said to be one.
      expect(yield* promise(() => of.getNumberDetails("max_items", 1))).toMatchObject({ value: 5, reason: "DEFAULT" })
      expect(yield* promise(() => of.getStringDetails("color", ""))).toMatchObject({ value: "red", reason: "CACHED" })
      expect(yield* promise(() => of.getStringDetails("enable_new_ui", "x"))).toMatchObject({
        value: "x",
        errorCode: ErrorCode.TYPE_MISMATCH
      })
    }))
})
