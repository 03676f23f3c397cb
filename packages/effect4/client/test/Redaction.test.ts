import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as CourierClient from "../src/CourierClient.js"
import * as CourierConfig from "../src/CourierConfig.js"
import * as NodeTransport from "../src/NodeTransport.js"
import * as Redaction from "../src/Redaction.js"

const build = (url: string, extra: Layer.Layer<never>, options: CourierConfig.Options = {}) =>
  Effect.map(
    Layer.build(
      CourierClient.layer.pipe(
        Layer.provide(NodeTransport.layer()),
        Layer.provide(CourierConfig.layer({ baseUrl: url, ...options })),
        Layer.provide(extra)
      )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  )

describe("Redaction", () => {
  it.live("the redactor in context, read when the client is built, shapes its failures", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.json({ otp: "123456", note: "x" }, { status: 400, headers: { "x-session": "abc" } })]]
      })
      const plain = yield* build(s.url, Layer.empty)
      const before = yield* Effect.flip(plain.get("/?otp=1"))
      expect(before._tag === "BadResponse" && before.headers["x-session"]).toBe("abc")
      const strict = yield* build(s.url, Redaction.layer({ headers: ["x-session"], queryParams: ["otp"], bodyFields: ["otp"] }))
      const after = yield* Effect.flip(strict.get("/?otp=1"))
      expect(after._tag).toBe("BadResponse")
      if (after._tag !== "BadResponse") return
      expect(after.headers["x-session"]).toBe(Redaction.placeholder)
      expect(after.bodyExcerpt).not.toContain("123456")
      expect(after.request.url).toContain("otp=<redacted>")
    }).pipe(Effect.scoped))

  it.live("credentialHeaders of the configuration are redacted too", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.json({}, { status: 400, headers: { "x-tenant-key": "abc" } })]]
      })
      const c = yield* build(s.url, Layer.empty, { credentialHeaders: ["x-tenant-key"] })
      const error = yield* Effect.flip(c.get("/"))
      expect(error._tag === "BadResponse" && error.headers["x-tenant-key"]).toBe(Redaction.placeholder)
    }).pipe(Effect.scoped))
})
