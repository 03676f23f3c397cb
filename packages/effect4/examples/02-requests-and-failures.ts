/**
 * GET and POST with v4 Schemas, and the typed failures: `Effect.catchTag`
 * as on effect 3, `Effect.catch` where effect 3 had `Effect.catchAll`, and
 * `Result` where effect 3 had `Either`. The effect 3 versions are
 * docs/examples/02-get-and-post.ts and 05-failures.ts.
 */
import { Body, CourierClient, NodeTransport } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

// v4 Schema: a `schema` or `errorSchema` option takes a `Schema.Codec<A, I>`
// (effect 3: `Schema.Schema<A, I, never>`). Transformations decode as usual.
const Post = Schema.Struct({ id: Schema.Number, title: Schema.String, views: Schema.NumberFromString })
const NewPost = Schema.Struct({ title: Schema.String, views: Schema.NumberFromString })
const ApiError = Schema.Struct({ error: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // GET with a path parameter, decoded and validated: `views` arrives as "42".
  const post = yield* client.get("/posts/{id}", { params: { id: 1 }, schema: Post })
  yield* Console.log(`post ${post.id}: ${post.title}, ${post.views + 1} views after mine`)

  // POST a body encoded by its schema (the number goes out as "7").
  const created = yield* client.post("/posts", {
    body: Body.json({ title: "Hello", views: 7 }, { schema: NewPost }),
    schema: Schema.Struct({ id: Schema.Number })
  })
  yield* Console.log(`created post ${created.id}`)

  // A 404 with a typed error body: catchTag removes BadResponse from the type.
  const missing = yield* client.get("/posts/{id}", { params: { id: 99 }, schema: Post, errorSchema: ApiError }).pipe(
    Effect.map(Option.some),
    Effect.catchTag("BadResponse", (e) =>
      e.status === 404
        ? Console.log(`404: ${Option.match(e.errorBody, { onNone: () => "?", onSome: (b) => b.error })}`).pipe(
          Effect.as(Option.none())
        )
        : Effect.fail(e))
  )
  yield* Console.log(`post 99 found: ${Option.isSome(missing)}`)

  // A body that does not match: Parse, with the path of the issue.
  yield* client.get("/posts/{id}", { params: { id: 2 }, schema: Post }).pipe(
    Effect.catchTag("Parse", (e) => Console.log(`Parse (${e.reason}) at ${e.issue?.path.join(".")}`))
  )

  // Every failure at once: `Effect.catch` (effect 3: `Effect.catchAll`).
  const text = yield* client.get("/down", { responseType: "text" }).pipe(
    Effect.catch((e) => Effect.succeed(`failed with ${e._tag}`))
  )
  yield* Console.log(text)

  // The outcome as a value: `Effect.result` gives a `Result` (effect 3:
  // `Effect.either` and an `Either`).
  const outcome = yield* Effect.result(client.get("/down", { responseType: "none" }))
  yield* Console.log(Result.isFailure(outcome) ? `Result.failure: ${outcome.failure._tag}` : "answered")
})

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [
      ["GET", "/posts/1", Reply.json({ id: 1, title: "First", views: "42" })],
      ["GET", "/posts/2", Reply.json({ id: 2, title: 3, views: "1" })],
      ["GET", "/posts/99", Reply.json({ error: "no such post" }, { status: 404 })],
      ["POST", "/posts", Reply.json({ id: 3 }, { status: 201 })],
      ["GET", "/down", Reply.status(500)]
    ]
  })
  yield* program.pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: server.url })))
  const [sent] = yield* server.requests("/posts")
  yield* Console.log(`POST body on the wire: ${sent?.bodyText}`)
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
