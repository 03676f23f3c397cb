import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as FastDecode from "../src/internal/core/fastDecode.js"

const Post = Schema.Struct({ userId: Schema.Number, id: Schema.Number, title: Schema.String, body: Schema.String })

const schemas = {
  posts: Schema.Array(Post),
  small: Schema.Struct({ ok: Schema.Literal(true) }),
  nested: Schema.Struct({
    kind: Schema.Literal("page", "last").pipe(Schema.pickLiteral("page")),
    done: Schema.Boolean,
    nothing: Schema.Null,
    meta: Schema.Unknown,
    page: Schema.Struct({ items: Schema.Array(Schema.Struct({ name: Schema.String, tags: Schema.Array(Schema.String) })) }),
    note: Schema.optionalWith(Schema.String, { exact: true })
  })
} as const

/** A value the schema accepts, then perhaps bent: a key added, a key dropped, a value replaced. */
const inputs = (schema: Schema.Schema<any, any, never>): fc.Arbitrary<unknown> =>
  fc.oneof(
    Arbitrary.make(schema),
    fc.jsonValue(),
    fc.tuple(Arbitrary.make(schema), fc.jsonValue(), fc.nat(), fc.constantFrom("add", "drop", "replace")).map(
      ([value, other, n, how]) => bend(value, other, n, how)
    )
  )

const bend = (value: unknown, other: unknown, n: number, how: string): unknown => {
  if (Array.isArray(value)) {
    if (value.length === 0) return how === "add" ? [other] : value
    const copy = [...value]
    copy[n % copy.length] = bend(copy[n % copy.length], other, Math.floor(n / 2), how)
    return copy
  }
  if (typeof value !== "object" || value === null) return how === "replace" ? other : value
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  const keys = Object.keys(copy)
  if (how === "add") copy[`extra${n % 3}`] = other
  else if (keys.length > 0 && how === "drop") delete copy[keys[n % keys.length]]
  else if (keys.length > 0) copy[keys[n % keys.length]] = n % 2 === 0 ? other : bend(copy[keys[n % keys.length]], other, n, how)
  return copy
}

/** Values and key order both. */
const shape = (u: unknown): unknown =>
  Array.isArray(u)
    ? u.map(shape)
    : typeof u === "object" && u !== null
    ? Object.entries(u).map(([k, v]) => [k, shape(v)])
    : u

describe("the compiled decoder of plain schemas", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: accepts exactly what Schema accepts, and returns what Schema returns`, () => {
      const fast = FastDecode.compile(schema.ast)
      expect(fast).toBeDefined()
      const slow = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown, never>, {
        errors: "all",
        onExcessProperty: "ignore"
      })
      fc.assert(
        fc.property(inputs(schema as Schema.Schema<any, any, never>), (input) => {
          const expected = slow(input)
          const got = fast!(input)
          if (Either.isLeft(expected)) {
            expect(got).toBe(FastDecode.failed)
          } else {
            expect(got).not.toBe(FastDecode.failed)
            expect(shape(got)).toEqual(shape(expected.right))
            // A new object, as Schema's: the caller's JSON is never handed back as the result.
            if (typeof input === "object" && input !== null) expect(got).not.toBe(input)
          }
        }),
        { numRuns: 400 }
      )
    })
  }

  it("leaves to Schema every shape it does not handle", () => {
    const unhandled = [
      Schema.NumberFromString,
      Schema.Struct({ n: Schema.Number.pipe(Schema.int()) }),
      Schema.Struct({ a: Schema.Union(Schema.String, Schema.Number) }),
      Schema.Struct({ a: Schema.optional(Schema.String) }),
      Schema.Record({ key: Schema.String, value: Schema.Number }),
      Schema.Struct({ a: Schema.String }).annotations({ parseOptions: { onExcessProperty: "error" } }),
      Schema.Array(Schema.Struct({ at: Schema.Date })),
      Schema.Tuple(Schema.String, Schema.Number)
    ]
    for (const schema of unhandled) expect(FastDecode.compile(schema.ast)).toBeUndefined()
  })
})
