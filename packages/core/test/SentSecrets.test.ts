import { describe, expect, it } from "vitest"
import * as Redaction from "../src/Redaction.js"
import * as SentSecrets from "../src/SentSecrets.js"

const rules = Redaction.defaultRedactor
const encoder = new TextEncoder()

describe("SentSecrets", () => {
  it("finds the values of secret headers in every form a server echoes them", () => {
    const secrets = SentSecrets.secretsOf(rules, {
      headers: {
        authorization: `Basic ${btoa("ann:hunter2-pw")}`,
        cookie: "sid=cookie-value-1; theme=dark-mode",
        "x-trace": "not-a-secret-1"
      }
    })
    expect(secrets).toContain("hunter2-pw")
    expect(secrets).toContain("ann:hunter2-pw")
    expect(secrets).toContain(btoa("ann:hunter2-pw"))
    expect(secrets).toContain("cookie-value-1")
    expect(secrets).not.toContain("not-a-secret-1")
    // Longest first, so a value is masked before a part of it could be.
    expect([...secrets].sort((a, b) => b.length - a.length)).toEqual(secrets)
  })

  it("finds secret query parameters and secret body fields: JSON, form, and their serialised bytes", () => {
    const url = new URL("http://x.test/a?access_token=query-secret-1&page=200000")
    expect(SentSecrets.secretsOf(rules, { headers: {}, url })).toEqual(["query-secret-1"])
    const json = { _tag: "Json", value: { user: "ann-the-user", nested: { password: "json-secret-1" } } }
    expect(SentSecrets.secretsOf(rules, { headers: {}, body: json })).toEqual(["json-secret-1"])
    const form = { _tag: "Form", fields: { password: "form-secret-1", note: "plain-note-1" } }
    expect(SentSecrets.secretsOf(rules, { headers: {}, body: form })).toEqual(["form-secret-1"])
    const formBytes = { _tag: "Bytes", bytes: encoder.encode("password=bytes-secret-1&a=b"), contentType: "application/x-www-form-urlencoded" }
    expect(SentSecrets.secretsOf(rules, { headers: {}, body: formBytes })).toEqual(["bytes-secret-1"])
    const jsonBytes = { _tag: "Bytes", bytes: encoder.encode("{\"refresh_token\":\"bytes-secret-2\"}"), contentType: "application/json" }
    expect(SentSecrets.secretsOf(rules, { headers: {}, body: jsonBytes })).toEqual(["bytes-secret-2"])
    expect(SentSecrets.secretsOf(rules, { headers: {}, body: { _tag: "Text" } })).toEqual([])
  })

  it("masks every secret, and the start of one an excerpt cut in two", () => {
    const secrets = SentSecrets.secretsOf(rules, { headers: {}, body: { _tag: "Form", fields: { password: "form-secret-1" } } })
    expect(SentSecrets.mask("{\"body\":\"password=form-secret-1\"}", secrets)).toBe("{\"body\":\"password=<redacted>\"}")
    expect(SentSecrets.maskCut("echo: form-sec…(120 bytes)", secrets)).toBe("echo: <redacted>…(120 bytes)")
    expect(SentSecrets.maskCut("no mark form-sec", secrets)).toBe("no mark form-sec")
  })
})
