import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as CourierConfig from "../src/CourierConfig.js"

const build = (layer: Layer.Layer<CourierConfig.CourierConfig, unknown>) => Effect.provide(CourierConfig.CourierConfig, layer)

describe("CourierConfig", () => {
  it("defaults and values from code", () => {
    const config = Result.getOrThrow(CourierConfig.make({ baseUrl: "https://api.example.com/v1/", timeouts: { total: "5 seconds" } }))
    expect(config.basePath).toBe("/v1")
    expect(config.headers).toEqual({ accept: "application/json, text/plain, */*" })
    expect(Duration.toMillis(config.timeouts.total)).toBe(5000)
    expect(Duration.toMillis(config.timeouts.connect)).toBe(10_000)
    expect(config.maxRedirects).toBe(10)
    expect(config.maxResponseBytes).toBe(32 * 1024 * 1024)
    expect(config.credentialHeaders.has("authorization")).toBe(true)
  })

  it("problems name the option and never echo credentials", () => {
    expect(Result.merge(CourierConfig.make({ baseUrl: "not a url" }))).toContain("baseUrl:")
    expect(String(Result.merge(CourierConfig.make({ baseUrl: "https://u:hunter2@x.example" })))).not.toContain("hunter2")
    expect(Result.isFailure(CourierConfig.make({ maxRedirects: -1 }))).toBe(true)
    expect(Result.isFailure(CourierConfig.make({ headers: { "x-a": "b\r\nc" } }))).toBe(true)
    expect(Result.merge(CourierConfig.make({ timeouts: { send: "later" as never } }))).toContain("timeouts.send")
  })

  it.effect("layer fails with a ConfigError on an invalid option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(build(CourierConfig.layer({ baseUrl: "ftp://x" })))
      expect(String(error)).toContain("baseUrl")
    }))

  it.effect("from Config, each problem naming the variable, code on top", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromEnv({
        env: {
          COURIER_BASE_URL: "https://api.example.com",
          COURIER_TIMEOUT_TOTAL: "5 seconds",
          COURIER_MAX_REDIRECTS: "3",
          COURIER_ALLOW_INSECURE_REDIRECTS: "yes"
        }
      })
      const config = yield* Effect.provide(
        CourierConfig.CourierConfig,
        CourierConfig.layerConfig(CourierConfig.config(), { maxRedirects: 5, headers: { "x-app": "notes" } })
      ).pipe(Effect.provideService(ConfigProvider.ConfigProvider, env))
      expect(config.baseUrl?.href).toBe("https://api.example.com/")
      expect(Duration.toMillis(config.timeouts.total)).toBe(5000)
      expect(config.maxRedirects).toBe(5)
      expect(config.allowInsecureRedirects).toBe(true)
      expect(config.headers["x-app"]).toBe("notes")
      const bad = ConfigProvider.fromEnv({ env: { NOTES_TIMEOUT_SEND: "whenever" } })
      const error = yield* Effect.flip(
        Effect.provide(CourierConfig.CourierConfig, CourierConfig.layerConfig(CourierConfig.config("NOTES"))).pipe(
          Effect.provideService(ConfigProvider.ConfigProvider, bad)
        )
      )
      expect(String(error)).toContain("NOTES_TIMEOUT_SEND")
    }))
})
