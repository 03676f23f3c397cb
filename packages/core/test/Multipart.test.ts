import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Multipart from "../src/Multipart.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The body as sent: each head, the content, CRLF; then the tail. */
const assemble = (framing: Multipart.Framing, contents: ReadonlyArray<Uint8Array>): Uint8Array =>
  Buffer.concat([...framing.heads.flatMap((head, i) => [head, contents[i]!, framing.crlf]), framing.tail])

describe("Multipart.frame", () => {
  it("frames fields and files, escaping quotes, backslashes, CR and LF in names", () => {
    const framing = Multipart.frame([
      { name: "title", size: 2 },
      { name: "a\"b\\c\r\nd", file: { filename: "x.txt", contentType: "text/plain" }, size: 3 }
    ], "B")
    if (typeof framing === "string") throw new Error(framing)
    const body = decoder.decode(assemble(framing, [encoder.encode("hi"), encoder.encode("abc")]))
    expect(body).toBe(
      "--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"a%22b%5Cc%0D%0Ad\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n" +
        "--B--\r\n"
    )
    expect(framing.length).toBe(encoder.encode(body).byteLength)
    expect(framing.contentType).toBe("multipart/form-data; boundary=B")
  })

  it("has no length when a part's size is unknown", () => {
    const framing = Multipart.frame([{ name: "a", size: 1 }, { name: "s", file: { filename: "s", contentType: "a/b" }, size: undefined }])
    expect(typeof framing !== "string" && framing.length).toBeUndefined()
  })

  it("refuses what would make a malformed or ambiguous body", () => {
    expect(Multipart.frame([{ name: 1, size: 0 }])).toBe("a multipart part name must be a string")
    expect(Multipart.frame([{ name: "a\u0000", size: 0 }])).toMatch(/control character \(part 1\)/)
    expect(Multipart.frame([{ name: "a", file: { filename: "f\u001b", contentType: "a/b" }, size: 0 }])).toMatch(/control character/)
    expect(Multipart.frame([{ name: "a", file: { filename: "f", contentType: " " }, size: 0 }])).toMatch(/content type/)
    expect(Multipart.frame([{ name: "a", file: { filename: "f", contentType: "a/b\r\nX: y" }, size: 0 }])).toMatch(/content type/)
    expect(Multipart.frame([{ name: "x--B", size: 0 }], "B")).toBe("a multipart name or content type contains the boundary")
  })

  it("boundaries are fresh", () => {
    expect(Multipart.boundary()).toMatch(/^courier-[0-9a-f]{32}$/)
    expect(Multipart.boundary()).not.toBe(Multipart.boundary())
  })

  it("for any names and contents, the length is the body's and each part reads back between the delimiters", () => {
    const part = fc.record({
      name: fc.string({ unit: "grapheme", maxLength: 12 }),
      file: fc.option(fc.record({ filename: fc.string({ maxLength: 10 }), contentType: fc.constantFrom("text/plain", "application/octet-stream") }), { nil: undefined }),
      content: fc.uint8Array({ maxLength: 40 })
    })
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
        const framing = Multipart.frame(parts.map((p) => ({ name: p.name, file: p.file, size: p.content.byteLength })))
        if (typeof framing === "string") {
          // Refused only for a control character (CR and LF are escaped, not refused).
          expect(parts.some((p) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(p.name + (p.file?.filename ?? "")))).toBe(true)
          return
        }
        const body = assemble(framing, parts.map((p) => p.content))
        expect(framing.length).toBe(body.byteLength)
        const mark = /boundary=(.+)$/.exec(framing.contentType)![1]!
        const text = Buffer.from(body).toString("latin1")
        const sections = text.split(`--${mark}`)
        expect(sections.length).toBe(parts.length + 2)
        expect(sections[sections.length - 1]).toBe("--\r\n")
        parts.forEach((p, i) => {
          const section = sections[i + 1]!
          const headEnd = section.indexOf("\r\n\r\n")
          expect(section.slice(headEnd + 4, -2)).toBe(Buffer.from(p.content).toString("latin1"))
          // No name or filename adds a line to the head.
          expect(section.slice(2, headEnd).split("\r\n").length).toBe(p.file === undefined ? 1 : 2)
        })
      }),
      { numRuns: 300 }
    )
  })
})
