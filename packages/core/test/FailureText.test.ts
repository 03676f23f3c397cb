import { describe, expect, it } from "vitest"
import * as FailureText from "../src/FailureText.js"

describe("FailureText", () => {
  it("says what did not happen in each timeout phase", () => {
    expect(FailureText.timeoutPhaseText).toEqual({
      connect: "no connection was established",
      send: "the request body was not sent",
      receive: "no response bytes arrived",
      total: "the request did not complete"
    })
  })

  it("gives each network reason its own text, a clause that a message continues", () => {
    const texts = Object.values(FailureText.networkText)
    expect(texts).toHaveLength(10)
    expect(new Set(texts).size).toBe(texts.length)
    for (const text of texts) expect(text).toMatch(/^the [a-zA-Z]/)
    expect(FailureText.networkText.ConnectionRefused).toBe(
      "the connection was refused; is the server running at that address?"
    )
  })

  it("the auth Layer's reasons are distinct clauses a message can continue", () => {
    const texts = Object.values(FailureText.auth)
    expect(new Set(texts).size).toBe(texts.length)
    for (const text of texts) expect(text).toMatch(/^(the|another) [a-z0-9]/)
  })
})
