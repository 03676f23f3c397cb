import { describe, expect, it } from "vitest"
import * as ContentCoding from "../src/ContentCoding.js"

describe("ContentCoding", () => {
  it("lists the codings in the order applied, without identity or empty members", () => {
    expect(ContentCoding.codings(undefined)).toEqual([])
    expect(ContentCoding.codings("gzip")).toEqual(["gzip"])
    expect(ContentCoding.codings(" GZIP , identity,, br ")).toEqual(["gzip", "br"])
    expect(ContentCoding.isEncoded("identity, ")).toBe(false)
    expect(ContentCoding.isEncoded("deflate")).toBe(true)
  })

  it("HEAD, 1xx, 204 and 304 have no body", () => {
    expect(ContentCoding.hasNoBody("HEAD", 200)).toBe(true)
    expect(ContentCoding.hasNoBody("GET", 101)).toBe(true)
    expect(ContentCoding.hasNoBody("GET", 204)).toBe(true)
    expect(ContentCoding.hasNoBody("GET", 304)).toBe(true)
    expect(ContentCoding.hasNoBody("GET", 200)).toBe(false)
    expect(ContentCoding.hasNoBody("POST", 205)).toBe(false)
  })
})
