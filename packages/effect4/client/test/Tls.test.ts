import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as CourierClient from "../src/CourierClient.js"
import * as NodeTransport from "../src/NodeTransport.js"
import { certificate, client, httpsServer } from "./support.js"

const answer = (_: unknown, res: import("node:http").ServerResponse) => {
  res.setHeader("content-type", "application/json")
  res.end("{\"secure\":true}")
}

describe("TLS", () => {
  it.live("verification is on by default: a self-signed certificate fails with Network(Tls)", () =>
    Effect.gen(function*() {
      const s = yield* httpsServer(answer)
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(c.get("/"))
      expect(error._tag).toBe("Network")
      if (error._tag !== "Network") return
      expect(error.reason).toBe("Tls")
      expect(error.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      expect(error.nothingSent).toBe(false)
    }).pipe(Effect.scoped))

  it.live("the certificate's CA given as `ca` verifies it", () =>
    Effect.gen(function*() {
      const s = yield* httpsServer(answer)
      const c = yield* client({ baseUrl: s.url }, { ca: certificate })
      expect(yield* c.get("/")).toEqual({ secure: true })
    }).pipe(Effect.scoped))

  it.live("no option turns verification off: one given from JavaScript is ignored, and TLS_REJECT_UNAUTHORIZED is not read", () =>
    Effect.gen(function*() {
      const s = yield* httpsServer(answer)
      const options = { rejectUnauthorized: false } as NodeTransport.Options
      const c = yield* client({ baseUrl: s.url }, options)
      const error = yield* Effect.flip(c.get("/"))
      expect(error._tag === "Network" && error.reason).toBe("Tls")
      const env = ConfigProvider.fromEnv({ env: { COURIER_BASE_URL: s.url, COURIER_TLS_REJECT_UNAUTHORIZED: "false" } })
      const context = yield* Layer.build(NodeTransport.layerClientConfig()).pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, env)
      )
      const fromEnv = yield* Effect.flip(Context.get(context, CourierClient.CourierClient).get("/"))
      expect(fromEnv._tag === "Network" && fromEnv.reason).toBe("Tls")
    }).pipe(Effect.scoped))

  it.live("TLS options from Config: the CA from the environment, problems naming the variable", () =>
    Effect.gen(function*() {
      const s = yield* httpsServer(answer)
      const env = ConfigProvider.fromEnv({ env: { COURIER_BASE_URL: s.url, COURIER_TLS_CA: certificate } })
      const context = yield* Layer.build(NodeTransport.layerClientConfig()).pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, env)
      )
      expect(yield* Context.get(context, CourierClient.CourierClient).get("/")).toEqual({ secure: true })
      const bad = ConfigProvider.fromEnv({ env: { COURIER_CONNECTIONS: "many" } })
      const error = yield* Effect.flip(
        Layer.build(NodeTransport.layerClientConfig()).pipe(Effect.provideService(ConfigProvider.ConfigProvider, bad))
      )
      expect(String(error)).toContain("COURIER_CONNECTIONS")
    }).pipe(Effect.scoped))
})
