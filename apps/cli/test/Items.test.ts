import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { jsonObject, parseItem, parseItems } from "../src/Items.js"

const right = (text: string) => Either.getOrThrow(parseItem(text))

describe("Items", () => {
  it("tells the separators apart, the first one winning and the longest at one place", () => {
    expect(right("q==a b")).toEqual({ _tag: "Query", name: "q", value: "a b" })
    expect(right("X-Api:  v")).toEqual({ _tag: "Header", name: "X-Api", value: "v" })
    expect(right("Accept:")).toEqual({ _tag: "Header", name: "Accept", value: undefined })
    expect(right("name=a:b==c")).toEqual({ _tag: "Field", name: "name", value: "a:b==c" })
    expect(right("n:=[1,2]")).toEqual({ _tag: "JsonField", name: "n", value: [1, 2], raw: "[1,2]" })
    expect(right("doc@/tmp/a=b.txt")).toEqual({ _tag: "File", name: "doc", path: "/tmp/a=b.txt" })
    expect(right("url=http://x")).toEqual({ _tag: "Field", name: "url", value: "http://x" })
  })

  it("escapes separators with a backslash", () => {
    expect(right("a\\=b=c")).toEqual({ _tag: "Field", name: "a=b", value: "c" })
  })

  it("keeps CR and LF in a header name for the client to refuse", () => {
    expect(right("Bad\r\nHeader:x")).toEqual({ _tag: "Header", name: "Bad\r\nHeader", value: "x" })
  })

  it("explains what is not an item", () => {
    expect(Either.isLeft(parseItem("plain"))).toBe(true)
    expect(Either.isLeft(parseItem("=x"))).toBe(true)
    expect(Either.isLeft(parseItem("n:={"))).toBe(true)
    expect(Either.isLeft(parseItem("f@"))).toBe(true)
  })

  it("collects repeated queries and builds the JSON object", () => {
    const parsed = Either.getOrThrow(parseItems(["a==1", "a==2", "x=1", "x:=2", "__proto__=p"]))
    expect(parsed.query).toEqual({ a: ["1", "2"] })
    const body = jsonObject(parsed.fields)
    expect(JSON.stringify(body)).toBe(`{"x":2,"__proto__":"p"}`)
  })
})
