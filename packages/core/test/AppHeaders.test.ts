import { describe, expect, it } from "vitest"
import * as AppHeaders from "../src/AppHeaders.js"

describe("AppHeaders", () => {
  it("resolves the named options and extras, the named ones winning", () => {
    expect(AppHeaders.resolve({ appName: "notes", extra: { "X-App-Name": "other", "X-Tenant": "t1" } })).toEqual({
      _tag: "Headers",
      entries: [["x-app-name", "notes"], ["x-tenant", "t1"]]
    })
  })

  it("names the option that is wrong, never its value", () => {
    const injected = AppHeaders.resolve({ platform: "ios\r\nx-evil: secret-1" })
    expect(injected).toMatchObject({ _tag: "Problem", path: ["platform"] })
    expect(JSON.stringify(injected)).not.toContain("secret-1")
    expect(AppHeaders.resolve({ extra: { Authorization: "Bearer x" } })).toMatchObject({ _tag: "Problem", path: ["extra", "authorization"] })
    expect(AppHeaders.resolve({ extra: { Connection: "close" } })).toMatchObject({ _tag: "Problem" })
    expect(AppHeaders.resolve({ extra: { "bad name": "x" } })).toMatchObject({ _tag: "Problem", path: ["extra"] })
    expect(AppHeaders.resolve({ appVersion: "x".repeat(1025) })).toMatchObject({ _tag: "Problem" })
  })

  it("adds only what the request does not set", () => {
    const headers = { "user-agent": "mine" }
    expect(AppHeaders.addTo(headers, [["user-agent", "app"]])).toBe(headers)
    expect(AppHeaders.addTo(headers, [["x-app-name", "notes"]])).toEqual({ "user-agent": "mine", "x-app-name": "notes" })
  })
})
