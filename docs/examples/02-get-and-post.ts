/**
 * GET and POST: query parameters, path parameters, JSON bodies, responses
 * validated by a Schema, headers of the response, and a typed error body.
 * Run it with `pnpm docs:example 02-get`.
 */
import { Body, CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

class Post extends Schema.Class<Post>("Post")({
  id: Schema.Number,
  userId: Schema.Number,
  title: Schema.String,
  body: Schema.String
}) {}
const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })
// What the demo API answers on a 400: decoded into BadResponse.errorBody.
const ApiError = Schema.Struct({ error: Schema.String, issues: Schema.optional(Schema.Array(Schema.Unknown)) })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // GET with query parameters, decoded by a Schema: `posts` is `readonly Post[]`.
  const posts = yield* client.get("/posts", { query: { userId: 1, _limit: 3, _page: 1 }, schema: Schema.Array(Post) })
  yield* Console.log(`user 1, first page: ${posts.map((p) => p.id).join(", ")}`)

  // Path parameters fill `{name}` placeholders, each encoded as one segment.
  const post = yield* client.get("/posts/{id}", { params: { id: 7 }, schema: Post })
  yield* Console.log(`post 7: "${post.title.slice(0, 30)}..."`)

  // Arrays in the query repeat the key by default: ?id=1&id=2&id=3.
  const some = yield* client.get("/posts", { query: { id: [1, 2, 3] }, schema: Schema.Array(Post) })
  yield* Console.log(`posts 1 to 3: ${some.length} found`)

  // The whole response when the headers matter (here the total count).
  const page = yield* client.response("GET", "/posts", { query: { _page: 2, _limit: 10 } })
  yield* Console.log(`status ${page.status}, x-total-count ${page.headers["x-total-count"]}`)

  // POST a JSON body; the answer is validated like any other.
  const login = yield* client.post("/auth/login", {
    body: Body.json({ username: "demo", password: "courier" }),
    schema: Tokens
  })

  // A per-request header (guide section 3 replaces this with the auth Layer).
  const authorization = { authorization: `Bearer ${login.accessToken}` }
  const created = yield* client.post("/posts", {
    headers: authorization,
    body: Body.json({ userId: 1, title: "Hello from Courier", body: "..." }),
    schema: Post
  })
  yield* Console.log(`created post ${created.id}`)

  // A body encoded through a Schema: `publishAt` is a Date in the program and
  // an ISO string on the wire; a value the schema rejects is refused before
  // any I/O (RequestRefused, InvalidBody, with the issue's path).
  const Draft = Schema.Struct({ userId: Schema.Number, title: Schema.String, body: Schema.String, publishAt: Schema.Date })
  const draft = yield* client.post("/posts", {
    headers: authorization,
    body: Body.json({ userId: 1, title: "Scheduled", body: "...", publishAt: new Date("2030-01-01T00:00:00Z") }, { schema: Draft }),
    schema: Post
  })
  yield* Console.log(`created post ${draft.id} from a schema-encoded body`)

  // A 400 is a BadResponse; with `errorSchema` its body arrives decoded and typed.
  const invalid = yield* client.post("/posts", {
    headers: authorization,
    body: Body.json({ userId: 1, title: "" }),
    schema: Post,
    errorSchema: ApiError
  }).pipe(
    Effect.as("created?!"),
    Effect.catchTag("BadResponse", (e) =>
      Effect.succeed(
        `${e.status}: ${Option.match(e.errorBody, { onNone: () => e.bodyExcerpt, onSome: (body) => body.error })}`
      ))
  )
  yield* Console.log(`an empty title: ${invalid}`)

  // Other methods, and other response types.
  yield* client.patch("/posts/{id}", { params: { id: created.id }, headers: authorization, body: Body.json({ title: "Edited" }), responseType: "none" })
  yield* client.delete("/posts/{id}", { params: { id: created.id }, headers: authorization, responseType: "none" })
  const head = yield* client.response("HEAD", "/files/{size}", { params: { size: 1024 } })
  yield* Console.log(`HEAD /files/1024: content-length ${head.headers["content-length"]}, etag ${head.headers["etag"]}`)
})

// ── Wiring: the demo API on a free 127.0.0.1 port, and a client pointed at it.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))), NodeRuntime.runMain)
