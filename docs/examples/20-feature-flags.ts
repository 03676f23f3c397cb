/**
 * Feature flags from the backend: declared with a Schema and a default,
 * evaluated over OFREP through the client, followed live over server-sent
 * events, kept on disk, and read through OpenFeature too.
 * Run it with `pnpm docs:example 20`.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { FeatureFlags, FlagStore, OpenFeatureProvider } from "@courier/flags"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { OpenFeature } from "@openfeature/server-sdk"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

// ── The flags the program knows, each with its type and its default.
const flags = {
  enable_new_ui: FeatureFlags.flag(Schema.Boolean, false),
  max_items: FeatureFlags.flag(Schema.Number, 10),
  theme: FeatureFlags.flag(Schema.Struct({ accent: Schema.String }), { accent: "gray" })
}
class AppFlags extends Context.Tag("app/AppFlags")<AppFlags, FeatureFlags.Service<typeof flags>>() {}

// ── Program code: typed reads, and a stream of changes.
const program = Effect.gen(function*() {
  const appFlags = yield* AppFlags
  const { enable_new_ui, max_items, theme } = yield* appFlags.values
  yield* Console.log(`enable_new_ui=${enable_new_ui} max_items=${max_items} accent=${theme.accent}`)

  // Someone flips the flag on the server; the event stream says so, the
  // service evaluates again, and the change arrives while the program runs.
  const next = yield* appFlags.changes.pipe(Stream.drop(1), Stream.take(1), Stream.runCollect, Effect.fork)
  const client = yield* CourierClient.CourierClient
  yield* client.post("/flags/{key}/flip", { params: { key: "enable_new_ui" }, responseType: "none" })
  yield* next.await
  yield* Console.log(`after the flip: enable_new_ui=${yield* appFlags.get("enable_new_ui")}`)

  // Code written against OpenFeature reads the same values, from the same cache.
  const provider = yield* OpenFeatureProvider.makeProvider(appFlags)
  yield* Effect.promise(() => OpenFeature.setProviderAndWait(provider))
  const viaOpenFeature = yield* Effect.promise(() => OpenFeature.getClient().getBooleanValue("enable_new_ui", false))
  yield* Console.log(`OpenFeature says enable_new_ui=${viaOpenFeature}`)
  yield* Effect.promise(() => OpenFeature.close())
})

// ── Wiring: the flags Layer over the client, with a file store.
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-flags-"))
const store = FlagStore.file(Path.join(dir, "flags.json")).pipe(Effect.provide(NodeFileSystem.layer))

const Flags = Layer.unwrapEffect(
  Effect.map(store, (store) =>
    FeatureFlags.layer(AppFlags, flags, {
      targetingKey: "user-42",
      app: { appVersion: "1.4.2", platform: "ios" },
      attributes: { plan: "pro" },
      pollInterval: "1 minute",
      events: { path: "/flags/events" },
      startupTimeout: "3 seconds",
      store
    }))
)

const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(
  Effect.scoped,
  Effect.provide(Layer.provideMerge(Flags, Client).pipe(Layer.provide(DemoApi.layer()))),
  Effect.ensuring(Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))),
  NodeRuntime.runMain
)
