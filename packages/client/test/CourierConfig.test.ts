import { CourierConfig, Redaction } from "@courier/client"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"

const fromEnv = (env: Record<string, string>, overrides?: CourierConfig.Options) =>
  Effect.flatMap(Layer.build(CourierConfig.layerConfig(CourierConfig.config(), overrides)), (ctx) =>
    Effect.succeed(ctx.unsafeMap.get(CourierConfig.CourierConfig.key) as CourierConfig.ResolvedConfig)).pipe(
      Effect.scoped,
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))
    )

describe("configuration", () => {
  it.effect("defaults are the safe ones", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({})
      expect(config.baseUrl).toBeUndefined()
      expect(Duration.toMillis(config.timeouts.connect)).toBe(10_000)
      expect(Duration.toMillis(config.timeouts.send)).toBe(30_000)
      expect(Duration.toMillis(config.timeouts.receive)).toBe(30_000)
      expect(Duration.toMillis(config.timeouts.total)).toBe(60_000)
      expect(config.maxRedirects).toBe(10)
      expect(config.allowInsecureRedirects).toBe(false)
      expect(config.maxResponseBytes).toBe(32 * 1024 * 1024)
      // The secret headers of the redaction rules: one list for redaction and redirects.
      expect([...config.credentialHeaders]).toEqual([...Redaction.defaults.headers])
      expect(config.urlCredentials).toBe("refuse")
    }))

  it.effect("read from the environment, with code overrides on top", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv(
        {
          COURIER_BASE_URL: "https://api.example.test/v1/",
          COURIER_TIMEOUT_CONNECT: "2 seconds",
          COURIER_TIMEOUT_TOTAL: "15 seconds",
          COURIER_MAX_REDIRECTS: "3",
          COURIER_MAX_RESPONSE_BYTES: "1024"
        },
        { maxRedirects: 5, headers: { "x-app": "cli" } }
      )
      expect(config.baseUrl?.href).toBe("https://api.example.test/v1/")
      expect(config.basePath).toBe("/v1")
      expect(Duration.toMillis(config.timeouts.connect)).toBe(2_000)
      expect(Duration.toMillis(config.timeouts.total)).toBe(15_000)
      expect(Duration.toMillis(config.timeouts.receive)).toBe(30_000)
      expect(config.maxRedirects).toBe(5)
      expect(config.maxResponseBytes).toBe(1024)
      expect(config.headers["x-app"]).toBe("cli")
    }))

  it.effect.each([
    [{ COURIER_BASE_URL: "not a url" }, `COURIER_BASE_URL: "not a url" is not an absolute URL`],
    [{ COURIER_BASE_URL: "ftp://files.example.test" }, "COURIER_BASE_URL: \"ftp://files.example.test/\" must use http"],
    [{ COURIER_BASE_URL: "https://user:pw@api.example.test" }, "COURIER_BASE_URL: must not embed credentials"],
    [{ COURIER_BASE_URL: "https://user:pw@ bad" }, "COURIER_BASE_URL: (value not shown) is not an absolute URL"],
    [{ COURIER_MAX_REDIRECTS: "-1" }, `COURIER_MAX_REDIRECTS: "-1" is not a whole number of at least 0`],
    [{ COURIER_MAX_RESPONSE_BYTES: "1 MiB" }, `COURIER_MAX_RESPONSE_BYTES: "1 MiB" is not a whole number`],
    [{ COURIER_TIMEOUT_TOTAL: "soon" }, `COURIER_TIMEOUT_TOTAL: "soon" is not a duration`],
    [{ COURIER_ALLOW_INSECURE_REDIRECTS: "maybe" }, `COURIER_ALLOW_INSECURE_REDIRECTS: "maybe" is not one of true`]
  ] as const)("%j is a ConfigError naming the variable", ([env, message]) =>
    Effect.map(Effect.flip(fromEnv(env)), (error) => {
      expect(error._op).toBe("InvalidData")
      expect(String(error)).toContain(message)
      expect(String(error)).not.toContain("pw@")
    }))

  it.effect("another prefix is named in the message", () =>
    Effect.map(
      Effect.flip(
        Effect.withConfigProvider(
          CourierConfig.config("NOTES"),
          ConfigProvider.fromMap(new Map([["NOTES_TIMEOUT_SEND", "-"]]), { pathDelim: "_" })
        )
      ),
      (error) => expect(String(error)).toContain(`NOTES_TIMEOUT_SEND: "-" is not a duration`)
    ))

  it("make names the option in its messages", () => {
    const message = (options: CourierConfig.Options) =>
      Either.match(CourierConfig.make(options), { onLeft: (left) => left, onRight: () => "" })
    expect(message({ baseUrl: "api.example.test" })).toBe(`baseUrl: "api.example.test" is not an absolute URL`)
    expect(message({ maxResponseBytes: -1 })).toBe("maxResponseBytes: -1 is not a whole number of at least 0")
  })

  it("make validates options from code", () => {
    expect(CourierConfig.make({ baseUrl: "https://h", allowedOrigins: ["nope"] })._tag).toBe("Left")
    expect(CourierConfig.make({ credentialHeaders: ["bad header"] })._tag).toBe("Left")
    expect(CourierConfig.make({ baseUrl: "https://h", allowedOrigins: ["https://cdn.h:8443/path"] })._tag).toBe("Right")
  })
})
