/**
 * A typed API module the way a library ships one: it depends only on the
 * Courier client service, so the application decides the transport, the
 * base URL, auth, retries and logging by the Layers it provides. Its own
 * failure type is small and domain-shaped; transport details stay inside.
 */
import { CourierClient, Body } from "@courier/client"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export class Post extends Schema.Class<Post>("Post")({
  id: Schema.Number,
  userId: Schema.Number,
  title: Schema.String,
  body: Schema.String
}) {}

export const NewPost = Schema.Struct({ userId: Schema.Number, title: Schema.NonEmptyString, body: Schema.String })
export type NewPost = typeof NewPost.Type

/** What callers of the repository can branch on. */
export class PostsUnavailable extends Data.TaggedError("PostsUnavailable")<{ readonly cause: unknown }> {}

export class PostsRepository extends Context.Tag("posts-repository/PostsRepository")<PostsRepository, {
  readonly byUser: (userId: number) => Effect.Effect<ReadonlyArray<Post>, PostsUnavailable>
  readonly find: (id: number) => Effect.Effect<Option.Option<Post>, PostsUnavailable>
  readonly create: (post: NewPost) => Effect.Effect<Post, PostsUnavailable>
}>() {}

export const make = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const unavailable = (cause: unknown) => new PostsUnavailable({ cause })
  return PostsRepository.of({
    byUser: (userId) =>
      client.get("/posts", { query: { userId }, schema: Schema.Array(Post) }).pipe(Effect.mapError(unavailable)),
    find: (id) =>
      client.get("/posts/{id}", { params: { id }, schema: Post }).pipe(
        Effect.map(Option.some),
        // A 404 is an answer, not an outage.
        Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e)),
        Effect.mapError(unavailable)
      ),
    create: (post) =>
      client.post("/posts", { body: Body.json(post), schema: Post }).pipe(Effect.mapError(unavailable))
  })
})

/** The repository over whatever client the application provides. */
export const layer: Layer.Layer<PostsRepository, never, CourierClient.CourierClient> = Layer.effect(PostsRepository, make)
