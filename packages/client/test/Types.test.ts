import { Body, CourierClient } from "@courier/client"
import type { CourierError } from "@courier/client"
import { describe, expectTypeOf, it } from "@effect/vitest"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"

// Checked by `pnpm typecheck`: a program written as in the README gets the
// exact failure union, and `catchTag` narrows it.
const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const Posts = Schema.Array(Post)
const ApiError = Schema.Struct({ code: Schema.String })

type Failures =
  | CourierError.Timeout
  | CourierError.Unauthorized
  | CourierError.BadResponse
  | CourierError.Parse
  | CourierError.Network
  | CourierError.RequestRefused
  | CourierError.LimitExceeded
  | CourierError.CircuitOpen
  | CourierError.RateLimited
  | CourierError.BulkheadFull

describe("the types of a call", () => {
  it("a schema call succeeds with the schema's type and fails with the Courier union", () => {
    const program = (client: CourierClient.Service) => client.get("/posts", { query: { userId: 1 }, schema: Posts })
    expectTypeOf<ReturnType<typeof program>>().toEqualTypeOf<
      Effect.Effect<ReadonlyArray<{ readonly id: number; readonly title: string }>, Failures, never>
    >()
  })

  it("text, bytes and none cannot fail with Parse", () => {
    const text = (client: CourierClient.Service) => client.get("/x", { responseType: "text" })
    expectTypeOf<Effect.Effect.Error<ReturnType<typeof text>>>().toEqualTypeOf<Exclude<Failures, CourierError.Parse>>()
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof text>>>().toEqualTypeOf<string>()
    const bytes = (client: CourierClient.Service) => client.post("/x", { responseType: "bytes" })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof bytes>>>().toEqualTypeOf<Uint8Array>()
  })

  it("request takes the method first and decodes like the method calls", () => {
    const program = (client: CourierClient.Service) => client.request("PUT", "/posts/1", { schema: Post, errorSchema: ApiError })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof program>>>().toEqualTypeOf<{ readonly id: number; readonly title: string }>()
    const none = (client: CourierClient.Service) => client.request("DELETE", "/posts/1", { responseType: "none" })
    expectTypeOf<Effect.Effect.Error<ReturnType<typeof none>>>().toEqualTypeOf<Exclude<Failures, CourierError.Parse>>()
    // @ts-expect-error the method comes first
    const _missing = (client: CourierClient.Service) => client.request("/posts/1", { schema: Post })
  })

  it("an errorSchema types BadResponse.errorBody", () => {
    const program = (client: CourierClient.Service) => client.delete("/posts/1", { schema: Schema.Void, errorSchema: ApiError })
    type E = Effect.Effect.Error<ReturnType<typeof program>>
    expectTypeOf<Extract<E, { _tag: "BadResponse" }>["errorBody"]>().toEqualTypeOf<
      import("effect/Option").Option<{ readonly code: string }>
    >()
  })

  it("a call cannot set the connect timeout: it belongs to the client's pool", () => {
    // @ts-expect-error connect is not a per-call timeout
    const _program = (client: CourierClient.Service) => client.get("/x", { timeouts: { connect: "1 second" } })
    const fine = (client: CourierClient.Service) => client.get("/x", { timeouts: { receive: "1 second" } })
    expectTypeOf(fine).toBeFunction()
  })

  it("schemas that need services are not accepted", () => {
    // @ts-expect-error a schema with requirements cannot decode a response
    const _program = (client: CourierClient.Service, s: Schema.Schema<number, string, "Needs">) => client.get("/x", { schema: s })
  })

  it("exchange keeps the status and headers next to the body the options decode", () => {
    const program = (client: CourierClient.Service) => client.exchange("GET", "/posts", { schema: Posts, errorSchema: ApiError })
    expectTypeOf<ReturnType<typeof program>>().toEqualTypeOf<
      Effect.Effect<
        CourierClient.Exchange<ReadonlyArray<{ readonly id: number; readonly title: string }>>,
        | Exclude<Failures, CourierError.BadResponse>
        | CourierError.BadResponse<{ readonly code: string }>,
        never
      >
    >()
    expectTypeOf<CourierClient.Exchange<number>>().toEqualTypeOf<{
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: number
    }>()
    const text = (client: CourierClient.Service) => client.exchange("GET", "/x", { responseType: "text" })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof text>>["body"]>().toEqualTypeOf<string>()
    expectTypeOf<Effect.Effect.Error<ReturnType<typeof text>>>().toEqualTypeOf<Exclude<Failures, CourierError.Parse>>()
    const json = (client: CourierClient.Service) => client.exchange("DELETE", "/x")
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof json>>["body"]>().toEqualTypeOf<unknown>()
  })

  it("acceptStatus takes a list of statuses or a predicate, on every call", () => {
    const list = (client: CourierClient.Service) => client.get("/x", { schema: Post, acceptStatus: [304, 404] })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof list>>>().toEqualTypeOf<{ readonly id: number; readonly title: string }>()
    const predicate = (client: CourierClient.Service) =>
      client.exchange("GET", "/x", { responseType: "none", acceptStatus: (status: number) => status === 404 })
    expectTypeOf(predicate).toBeFunction()
    // @ts-expect-error statuses are numbers
    const _wrong = (client: CourierClient.Service) => client.get("/x", { acceptStatus: ["404"] })
  })

  it("paginate streams the items of each page, typed by the schema or by `items`", () => {
    const arrays = (client: CourierClient.Service) => client.paginate("/posts", { schema: Posts, maxItems: 10 })
    expectTypeOf<ReturnType<typeof arrays>>().toEqualTypeOf<
      Stream.Stream<{ readonly id: number; readonly title: string }, CourierError.CourierError, never>
    >()
    const Feed = Schema.Struct({ posts: Posts, cursor: Schema.NullOr(Schema.String) })
    const feed = (client: CourierClient.Service) =>
      client.paginate("/feed", {
        schema: Feed,
        errorSchema: ApiError,
        items: (page) => page.body.posts.map((post) => post.title),
        next: (page) => Option.map(Option.fromNullable(page.body.cursor), (cursor) => ({ query: { cursor } }))
      })
    expectTypeOf<ReturnType<typeof feed>>().toEqualTypeOf<
      Stream.Stream<string, CourierError.CourierError<{ readonly code: string }>, never>
    >()
    // @ts-expect-error without `items`, the schema must decode a page to an array
    const _notArray = (client: CourierClient.Service) => client.paginate("/x", { schema: Post })
  })

  it("Body.json with a schema takes the schema's Type, not its Encoded", () => {
    const Event = Schema.Struct({ at: Schema.Date })
    expectTypeOf(Body.json({ at: new Date() }, { schema: Event })).toEqualTypeOf<Body.Body>()
    // @ts-expect-error the value is the schema's Type: a Date, not its encoded string
    Body.json({ at: "2030-01-01" }, { schema: Event })
    // @ts-expect-error schemas that need services cannot encode a body
    const _needs = (s: Schema.Schema<number, string, "Needs">) => Body.json(1, { schema: s })
  })

  it("exchange with schemas is a union discriminated by status", () => {
    const program = (client: CourierClient.Service) =>
      client.exchange("GET", "/posts/1", { schemas: { 200: Post, 404: ApiError } })
    type A = Effect.Effect.Success<ReturnType<typeof program>>
    expectTypeOf<A>().toEqualTypeOf<
      | CourierClient.ExchangeAt<200, { readonly id: number; readonly title: string }>
      | CourierClient.ExchangeAt<404, { readonly code: string }>
    >()
    const narrow = (a: A) => a.status === 404 ? a.body.code : a.body.title
    expectTypeOf(narrow).returns.toEqualTypeOf<string>()
    // @ts-expect-error schemas and schema do not go together
    const _both = (client: CourierClient.Service) => client.exchange("GET", "/x", { schemas: { 200: Post }, schema: Post })
  })
})
