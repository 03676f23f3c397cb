import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as H2 from "./h2.js"
import * as Tls from "./tls.js"

// The transport's options from the environment (COURIER_*), as the rest of
// the client's configuration: a value that does not read names its variable.

const fromEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))

const clientFromEnv = (env: Record<string, string>) =>
  Layer.build(NodeTransport.layerClientConfig()).pipe(
    Effect.map((context) => Context.get(context, CourierClient.CourierClient)),
    fromEnv(env)
  )

const path = (name: string) => new URL(`../../testing/fixtures/${name}`, import.meta.url).pathname

describe("NodeTransport from COURIER_* variables", () => {
  it.scopedLive("COURIER_CA_FILE, COURIER_CERT_FILE, COURIER_KEY_FILE and COURIER_HTTP2", () =>
    Effect.gen(function*() {
      const mutual = yield* Tls.make((_, response) => response.end(JSON.stringify("certified")), { clientCa: Tls.client.cert })
      const tlsEnv = {
        COURIER_CA_FILE: path("tls-127.0.0.1.cert.pem"),
        COURIER_CERT_FILE: path("tls-client.cert.pem"),
        COURIER_KEY_FILE: path("tls-client.key.pem")
      }
      const client = yield* Effect.orDie(clientFromEnv({ COURIER_BASE_URL: mutual.url, ...tlsEnv }))
      expect(yield* client.get("/")).toBe("certified")
      const h2 = yield* H2.make()
      const h2Client = yield* Effect.orDie(clientFromEnv({
        COURIER_BASE_URL: h2.url,
        COURIER_CA_FILE: path("tls-127.0.0.1.cert.pem"),
        COURIER_HTTP2: "true"
      }))
      expect(yield* h2Client.get("/hello")).toEqual({ hello: "2.0" })
    }))

  it.scopedLive("COURIER_KEY_PASSPHRASE and COURIER_PFX_FILE", () =>
    Effect.gen(function*() {
      const mutual = yield* Tls.make((_, response) => response.end(JSON.stringify("certified")), { clientCa: Tls.client.cert })
      const client = yield* Effect.orDie(clientFromEnv({
        COURIER_BASE_URL: mutual.url,
        COURIER_CA_FILE: path("tls-127.0.0.1.cert.pem"),
        COURIER_PFX_FILE: path("tls-client.p12"),
        COURIER_KEY_PASSPHRASE: Tls.client.passphrase
      }))
      expect(yield* client.get("/")).toBe("certified")
    }))

  it.scoped("a value that does not read fails with the variable's name", () =>
    Effect.gen(function*() {
      const problem = (env: Record<string, string>) => Effect.map(Effect.flip(clientFromEnv(env)), String)
      expect(yield* problem({ COURIER_CONNECTIONS: "0" })).toContain("COURIER_CONNECTIONS")
      expect(yield* problem({ COURIER_FAMILY: "5" })).toContain("COURIER_FAMILY")
      expect(yield* problem({ COURIER_HTTP2: "maybe" })).toContain("COURIER_HTTP2")
      expect(yield* problem({ COURIER_KEEP_ALIVE_TIMEOUT: "soon" })).toContain("COURIER_KEEP_ALIVE_TIMEOUT")
      const passphrase = yield* problem({ COURIER_CERT_FILE: "/nonexistent.pem", COURIER_KEY_FILE: "/nonexistent.key", COURIER_KEY_PASSPHRASE: "hunter2" })
      expect(passphrase).toContain("/nonexistent.pem")
      expect(passphrase).not.toContain("hunter2")
    }))
})
