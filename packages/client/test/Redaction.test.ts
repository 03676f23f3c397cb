import * as CoreRedaction from "@courier/core/Redaction"
import * as Redaction from "@courier/client/Redaction"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

describe("Redaction", () => {
  // The rules themselves are tested in @courier/core; here, that the public
  // module hands them out unchanged.
  it("make, defaults and placeholder are @courier/core's", () => {
    expect(Redaction.defaults).toBe(CoreRedaction.defaults)
    expect(Redaction.placeholder).toBe(CoreRedaction.placeholder)
    expect(Redaction.make()).toBe(CoreRedaction.defaultRedactor)
    const redactor = Redaction.make({ queryParams: ["session"] })
    expect(redactor.url(new URL("https://h.test/?session=abc&page=2"))).toBe("https://h.test/?session=<redacted>&page=2")
    expect(redactor.headers({ Authorization: "Bearer x" })).toEqual({ Authorization: "<redacted>" })
  })

  describe("the Redaction reference", () => {
    it.effect("holds the default rules unless provided", () =>
      Effect.gen(function*() {
        const current = yield* Redaction.Redaction
        expect(current.rules).toEqual(Redaction.defaults)
        const custom = yield* Effect.provide(Redaction.Redaction, Redaction.layer({ headers: ["x-session"] }))
        expect(custom.isSensitiveHeader("X-Session")).toBe(true)
        expect(custom.isSensitiveHeader("authorization")).toBe(true)
        expect(Redaction.extend(custom, { bodyFields: ["pin"] }).isSensitiveBodyField("PIN")).toBe(true)
        expect(Layer.isLayer(Redaction.layer({}))).toBe(true)
      }))
  })
})
