/**
 * Responses as values: the status and headers next to a typed body,
 * statuses the program handles as answers rather than failures, and a
 * paged collection as one Stream.
 * Run it with `pnpm docs:example 02-responses`.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Post = Schema.Struct({ id: Schema.Number, userId: Schema.Number, title: Schema.String })
const NotFound = Schema.Struct({ error: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // `exchange`: status, lower-cased headers and the decoded body together.
  const page = yield* client.exchange("GET", "/posts", { query: { _page: 1, _limit: 5 }, schema: Schema.Array(Post) })
  yield* Console.log(`status ${page.status}: ${page.body.length} of ${page.headers["x-total-count"]} posts`)

  // A 404 the program expects is an answer, not a failure: `acceptStatus`
  // lists such statuses (or takes a predicate), and `schema` decodes them too.
  const lookup = yield* client.exchange("GET", "/posts/{id}", {
    params: { id: 9999 },
    schema: Schema.Union(Post, NotFound),
    acceptStatus: [404]
  })
  yield* Console.log(
    lookup.status === 404 ? `post 9999: none (${JSON.stringify(lookup.body)})` : `post 9999: found`
  )

  // One schema per status: the statuses named are the answers, and checking
  // `status` narrows `body` to that status's type.
  const byStatus = yield* client.exchange("GET", "/posts/{id}", { params: { id: 3 }, schemas: { 200: Post, 404: NotFound } })
  yield* Console.log(byStatus.status === 200 ? `post 3: "${byStatus.body.title.slice(0, 20)}..."` : `post 3: ${byStatus.body.error}`)

  // Without it, the same 404 is a typed BadResponse, as everywhere else.
  const failed = yield* client.get("/posts/{id}", { params: { id: 9999 }, schema: Post }).pipe(
    Effect.as("found?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`BadResponse ${e.status}`))
  )
  yield* Console.log(`without acceptStatus: ${failed}`)

  // A paged collection as one Stream: each page is a GET through the
  // client's Layers, decoded by the schema; `Link: rel="next"` is followed
  // until it ends, `maxItems` is reached, or the stream stops pulling.
  const ids = yield* client.paginate("/posts", { query: { userId: 2, _limit: 4 }, schema: Schema.Array(Post), maxItems: 9 })
    .pipe(Stream.map((post) => post.id), Stream.runCollect)
  yield* Console.log(`user 2's first 9 posts, 4 per page: ${[...ids].join(", ")}`)
})

// ── Wiring: the demo API on a free 127.0.0.1 port, and a client pointed at it.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))), NodeRuntime.runMain)
