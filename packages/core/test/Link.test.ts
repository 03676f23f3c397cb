import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Link from "../src/Link.js"

describe("Link.parse", () => {
  it("reads targets and parameters per RFC 8288, commas inside <> and quotes included", () => {
    expect(Link.parse(
      "<https://x.test/a?b=1,2>; rel=\"next\"; title=\"a, b; c\", <../up>;REL=prev;rel=ignored , junk, <y>"
    )).toEqual([
      { target: "https://x.test/a?b=1,2", params: { rel: "next", title: "a, b; c" } },
      { target: "../up", params: { rel: "prev" } },
      { target: "y", params: {} }
    ])
    expect(Link.parse("")).toEqual([])
    expect(Link.parse("<unterminated; rel=next")).toEqual([])
    expect(Link.parse("<a>; title=\"esc\\\"aped\"; rel=NEXT")).toEqual([{ target: "a", params: { title: "esc\"aped", rel: "NEXT" } }])
  })

  it("never throws, and reads back links it is given whole", () => {
    const target = fc.string({ maxLength: 20 }).filter((s) => !/[<>]/.test(s)).map((s) => s.trim())
    const rel = fc.constantFrom("next", "prev", "last", "next last")
    fc.assert(
      fc.property(fc.array(fc.tuple(target, rel), { maxLength: 5 }), fc.string({ maxLength: 30 }), (links, junk) => {
        expect(() => Link.parse(junk)).not.toThrow()
        const header = links.map(([t, r]) => `<${t}>; rel="${r}"`).join(", ")
        expect(Link.parse(header)).toEqual(links.map(([t, r]) => ({ target: t, params: { rel: r } })))
      }),
      { numRuns: 300 }
    )
  })
})

describe("Link.nextUrl", () => {
  const base = new URL("https://api.test/v1/posts?page=1")

  it("picks rel=next among several relation types, case-insensitively, resolved against the page", () => {
    expect(Link.nextUrl("<?page=2>; rel=\"Last NEXT\"", base)).toBe("https://api.test/v1/posts?page=2")
    expect(Link.nextUrl("<https://api.test/v1/posts?page=1>; rel=prev", base)).toBeUndefined()
    expect(Link.nextUrl("<http://[bad>; rel=next", base)).toBeUndefined()
  })

  it("percent-encodes braces, which would read as path placeholders", () => {
    expect(Link.nextUrl("<https://api.test/x?filter={a}>; rel=next", base)).toBe("https://api.test/x?filter=%7Ba%7D")
  })
})
