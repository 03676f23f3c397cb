import { CourierClient } from "@courier/client"
import { FeatureFlags, OpenFeatureProvider } from "@courier/flags"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import { OFREPApi } from "@openfeature/ofrep-core"
import { OFREPProvider } from "@openfeature/ofrep-provider"
import { ErrorCode, OpenFeature, ProviderEvents } from "@openfeature/server-sdk"
import { DemoApi } from "demo-api"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { waitUntil } from "./support.js"

const promise = <A>(run: () => Promise<A>) => Effect.orDie(Effect.tryPromise(run))

const flip = (url: string, key: string) =>
  promise(() => fetch(`${url}/flags/${key}/flip`, { method: "POST" }).then((response) => response.status))

describe("OFREP interoperability with the demo API", () => {
  it.scopedLive("the official OFREP provider, through the OpenFeature SDK, reads the demo API's flags", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const domain = "official-ofrep"
      yield* promise(() => OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl: api.url })))
      yield* Effect.addFinalizer(() => Effect.promise(() => OpenFeature.clearProviders()))
      const client = OpenFeature.getClient(domain)

      const details = yield* promise(() => client.getBooleanDetails("enable_new_ui", true, { targetingKey: "user-1" }))
      expect(details).toMatchObject({ value: false, reason: "STATIC", variant: "off" })
      expect(yield* promise(() => client.getStringValue("welcome_message", ""))).toBe("Welcome to Courier")
      expect(yield* promise(() => client.getObjectValue("theme", {}))).toEqual({ accent: "teal", density: "comfortable" })

      const missing = yield* promise(() => client.getBooleanDetails("no_such_flag", true))
      expect(missing).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND })
      const mismatch = yield* promise(() => client.getNumberDetails("enable_new_ui", 7))
      expect(mismatch).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH })

      expect(yield* flip(api.url, "enable_new_ui")).toBe(200)
      expect(yield* promise(() => client.getBooleanValue("enable_new_ui", false))).toBe(true)
    }))

  it.scopedLive("the official OFREP API's bulk evaluation gets an ETag and a 304 for it", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const ofrep = new OFREPApi(api.url)
      const first = yield* promise(() => ofrep.postBulkEvaluateFlags({ context: { targetingKey: "user-1" } }))
      expect(first.httpStatus).toBe(200)
      const etag = first.httpResponse?.headers.get("etag")
      expect(etag).toBeTruthy()
      const again = yield* promise(() =>
        ofrep.postBulkEvaluateFlags({ context: { targetingKey: "user-1" } }, { headers: [["If-None-Match", etag!]] })
      )
      expect(again.httpStatus).toBe(304)
      yield* flip(api.url, "enable_new_ui")
      const changed = yield* promise(() =>
        ofrep.postBulkEvaluateFlags({ context: { targetingKey: "user-1" } }, { headers: [["If-None-Match", etag!]] })
      )
      expect(changed.httpStatus).toBe(200)
    }))

  it.scopedLive("Courier's provider, through the OpenFeature SDK, serves the demo API's flags and follows a flip live", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const definitions = { enable_new_ui: FeatureFlags.flag(Schema.Boolean, true) }
      const courier = yield* Layer.build(NodeTransport.layerClient({ baseUrl: api.url })).pipe(
        Effect.map((context) => Context.get(context, CourierClient.CourierClient)),
        Effect.orDie
      )
      const flags = yield* FeatureFlags.make(definitions, {
        targetingKey: "user-1",
        events: { path: "/flags/events" }
      }).pipe(Effect.provideService(CourierClient.CourierClient, courier))
      const provider = yield* OpenFeatureProvider.makeProvider(flags)
      const domain = "courier"
      yield* promise(() => OpenFeature.setProviderAndWait(domain, provider))
      yield* Effect.addFinalizer(() => Effect.promise(() => OpenFeature.clearProviders()))
      const client = OpenFeature.getClient(domain)
      const changed: Array<ReadonlyArray<string>> = []
      client.addHandler(ProviderEvents.ConfigurationChanged, (details) => {
        changed.push(details?.flagsChanged ?? [])
      })

      expect(yield* promise(() => client.getBooleanDetails("enable_new_ui", true))).toMatchObject({
        value: false,
        reason: "STATIC",
        variant: "off"
      })
      // Not declared, but sent by the server: served as sent.
      expect(yield* promise(() => client.getStringValue("welcome_message", ""))).toBe("Welcome to Courier")
      expect(yield* promise(() => client.getNumberValue("max_items", 0))).toBe(20)
      expect(yield* promise(() => client.getBooleanDetails("no_such_flag", true))).toMatchObject({
        value: true,
        errorCode: ErrorCode.FLAG_NOT_FOUND
      })
      expect(yield* promise(() => client.getNumberDetails("enable_new_ui", 7))).toMatchObject({
        value: 7,
        errorCode: ErrorCode.TYPE_MISMATCH
      })

      // The flip reaches the provider through the event stream, not a poll (the interval is a minute).
      yield* waitUntil(Effect.map(api.stats, (stats) => stats.requests["GET /flags/events"] === 1), "the event stream")
      expect(yield* flip(api.url, "enable_new_ui")).toBe(200)
      yield* waitUntil(
        Effect.promise(() => client.getBooleanValue("enable_new_ui", false)),
        "the flipped value through OpenFeature"
      )
      yield* waitUntil(Effect.sync(() => changed.some((keys) => keys.includes("enable_new_ui"))), "the change event")
    }))
})
