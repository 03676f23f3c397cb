/**
 * The feature-flag step of the demo: flags evaluated over OFREP, then a
 * flip on the server that reaches the running program through the event
 * stream, without a restart or a poll.
 */
import { CourierClient } from "@courier/client"
import { FeatureFlags } from "@courier/flags"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Narrator from "./Narrator.js"

const definitions = {
  enable_new_ui: FeatureFlags.flag(Schema.Boolean, false),
  max_items: FeatureFlags.flag(Schema.Number, 10)
}

export const step = (n: number) =>
  Effect.scoped(Effect.gen(function*() {
    yield* Narrator.step(n, "Feature flags from the backend, flipped while the program runs")
    const flags = yield* FeatureFlags.make(definitions, {
      targetingKey: "demo-user",
      app: { appVersion: "0.1.0", platform: "node" },
      events: { path: "/flags/events" },
      pollInterval: "5 minutes"
    })
    const before = yield* flags.values
    yield* Narrator.ok(`enable_new_ui = ${before.enable_new_ui}, max_items = ${before.max_items} (typed, from OFREP)`)
    const next = yield* flags.changes.pipe(
      Stream.drop(1),
      Stream.runHead,
      Effect.fork
    )
    const client = yield* CourierClient.CourierClient
    yield* client.post("/flags/{key}/flip", { params: { key: "enable_new_ui" }, responseType: "none" })
    yield* Narrator.note("the server flipped enable_new_ui; its event stream announces the change")
    const after = yield* next.await.pipe(
      Effect.flatten,
      Effect.map(Option.map((snapshot) => snapshot.values.enable_new_ui)),
      Effect.timeout("10 seconds"),
      Effect.option
    )
    yield* Narrator.ok(
      Option.isSome(after) && Option.isSome(after.value)
        ? `enable_new_ui = ${after.value.value} now, in the same run (no restart, no poll)`
        : "no change arrived within 10 seconds"
    )
  }))
