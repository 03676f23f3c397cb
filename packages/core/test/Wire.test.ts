import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Wire from "../src/Wire.js"

const head = (text: string) => {
  const parsed = Wire.parseHead(Buffer.from(text, "latin1"))
  if (parsed === undefined) throw new Error("no head")
  return parsed
}

/** Feeds `input` in pieces cut at `cuts`; the body, the bytes consumed, and whether framing failed. */
const read = (reader: Wire.BodyReader, input: Buffer, cuts: ReadonlyArray<number>) => {
  const points = [...new Set(cuts.map((c) => c % (input.byteLength + 1)))].sort((a, b) => a - b)
  const body: Array<Buffer> = []
  let consumed = 0
  let start = 0
  for (const end of [...points, input.byteLength]) {
    let piece = input.subarray(start, end)
    start = end
    while (piece.byteLength > 0 && !reader.done) {
      const used = reader.feed(piece, (chunk) => body.push(Buffer.from(chunk)))
      if (used === -1) return { body: Buffer.concat(body), consumed, error: true }
      if (used === 0) break
      consumed += used
      piece = piece.subarray(used)
    }
  }
  return { body: Buffer.concat(body), consumed, error: false }
}

describe("Wire.parseHead", () => {
  it("reads the request line and headers, joining repeated names and keeping the raw pairs", () => {
    const parsed = head("POST /a?b=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
    expect(parsed).toEqual({
      method: "POST",
      target: "/a?b=1",
      headers: { host: "h", "x-a": "1, 2" },
      rawHeaders: ["Host", "h", "X-A", "1", "x-a", "2"]
    })
    expect(Wire.parseHead(Buffer.from("GET / HTTP/2\r\n\r\n"))).toBeUndefined()
    expect(Wire.parseHead(Buffer.from("GET / HTTP/1.1\r\nno colon\r\n\r\n"))).toBeUndefined()
  })

  it("finds the end of a head", () => {
    expect(Wire.findHeadEnd(Buffer.from("GET / HTTP/1.1\r\n\r\nbody"))).toBe(18)
    expect(Wire.findHeadEnd(Buffer.from("GET / HTTP/1.1\r\n"))).toBe(-1)
  })
})

describe("Wire.BodyReader", () => {
  it("refuses framing it cannot read", () => {
    expect(Wire.BodyReader.of(head("POST / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n"))).toBeUndefined()
    expect(Wire.BodyReader.of(head("POST / HTTP/1.1\r\ncontent-length: -1\r\n\r\n"))).toBeUndefined()
    expect(Wire.BodyReader.of(head("GET / HTTP/1.1\r\n\r\n"))!.done).toBe(true)
    const chunked = Wire.BodyReader.of(head("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"))!
    expect(read(chunked, Buffer.from("zz\r\n"), []).error).toBe(true)
  })

  it("reads a Content-Length body, leaving what follows it for the next request", () => {
    const reader = Wire.BodyReader.of(head("POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n"))!
    expect(read(reader, Buffer.from("helloGET / HTTP/1.1"), [2])).toEqual({ body: Buffer.from("hello"), consumed: 5, error: false })
  })

  it("a chunked body reads back whole however it is chunked and however the bytes arrive", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 30 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (chunks, cuts, extension) => {
          const wire = Buffer.concat([
            ...chunks.flatMap((c) => [Buffer.from(`${c.byteLength.toString(16)}${extension ? ";x=y" : ""}\r\n`), Buffer.from(c), Buffer.from("\r\n")]),
            Buffer.from("0\r\ntrailer: t\r\n\r\n")
          ])
          const reader = Wire.BodyReader.of(head("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"))!
          const result = read(reader, Buffer.concat([wire, Buffer.from("NEXT")]), cuts)
          expect(result.error).toBe(false)
          expect(reader.done).toBe(true)
          expect(result.consumed).toBe(wire.byteLength)
          expect(result.body.equals(Buffer.concat(chunks))).toBe(true)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("Wire.responseHead", () => {
  it("writes a status line with its reason phrase and the header lines", () => {
    expect(Wire.responseHead(404, [["content-length", "0"]]).toString("latin1")).toBe("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
    expect(Wire.responseHead(299, [], { terminated: false }).toString("latin1")).toBe("HTTP/1.1 299 Unknown\r\n")
  })
})
