import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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

  it.live("rejectUnauthorized: false is an explicit choice", () =>
    Effect.gen(function*() {
      const s = yield* httpsServer(answer)
      const c = yield* client({ baseUrl: s.url }, { rejectUnauthorized: false })
      expect(yield* c.get("/")).toEqual({ secure: true })
    }).pipe(Effect.scoped))
})
