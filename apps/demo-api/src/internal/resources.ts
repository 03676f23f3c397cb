import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"
import * as Seed from "../Seed.js"
import type { AuthStore } from "./auth.js"
import { type BadRequest, decodeBody, json, NotFound, pathInt, query, queryInt } from "./http.js"

const PostBody = Schema.Struct({
  userId: Schema.Int.pipe(Schema.positive()),
  title: Schema.NonEmptyString,
  body: Schema.String
})
const PostPatch = Schema.partialWith(PostBody, { exact: true })

interface PostStore {
  readonly posts: ReadonlyArray<Seed.Post>
  readonly nextId: number
}

const maxId = Number.MAX_SAFE_INTEGER

/**
 * A filtered, optionally paginated list, the way json-server answers:
 * `?field=value` keeps items whose field prints as `value` (repeat the
 * parameter to allow several values); parameters that name no field are
 * ignored. `_page` (from 1) and `_limit` (default 10 with `_page`) cut a page
 * and add a `link` header; `x-total-count` always counts the filtered items.
 */
const list = <A extends object>(items: ReadonlyArray<A>, baseUrl: string) =>
  Effect.gen(function*() {
    const params = yield* HttpServerRequest.ParsedSearchParams
    const filters = Object.entries(params).filter(([name]) => !name.startsWith("_"))
    const filtered = items.filter((item) =>
      filters.every(([name, value]) => {
        if (!Object.hasOwn(item, name)) return true
        const wanted: ReadonlyArray<string> = Array.isArray(value) ? value : [value]
        return wanted.includes(String((item as Record<string, unknown>)[name]))
      })
    )
    const total = String(filtered.length)
    if (Option.isNone(query(params, "_page")) && Option.isNone(query(params, "_limit"))) {
      return json(filtered, 200, { "x-total-count": total })
    }
    const page = yield* queryInt("_page", { default: 1, min: 1, max: 1_000_000 })
    const limit = yield* queryInt("_limit", { default: 10, min: 1, max: 1_000 })
    const last = Math.max(1, Math.ceil(filtered.length / limit))
    const request = yield* HttpServerRequest.HttpServerRequest
    const link = (rel: string, target: number) => {
      const url = new URL(request.url, baseUrl)
      url.searchParams.set("_page", String(target))
      url.searchParams.set("_limit", String(limit))
      return `<${url.href}>; rel="${rel}"`
    }
    const links = [
      link("first", 1),
      ...(page > 1 ? [link("prev", Math.min(page - 1, last))] : []),
      ...(page < last ? [link("next", page + 1)] : []),
      link("last", last)
    ]
    return json(filtered.slice((page - 1) * limit, page * limit), 200, {
      "x-total-count": total,
      "link": links.join(", ")
    })
  })

const find = <A extends { readonly id: number }>(items: ReadonlyArray<A>, id: number): Effect.Effect<A, NotFound> => {
  const item = items.find((item) => item.id === id)
  return item === undefined ? Effect.fail(new NotFound()) : Effect.succeed(item)
}

const byId = <A extends { readonly id: number }>(items: ReadonlyArray<A>) =>
  Effect.flatMap(pathInt("id", 1, maxId, "NotFound"), (id) => Effect.map(find(items, id), (item) => json(item)))

/**
 * A post with a validator: `etag` is a hash of its JSON, `cache-control:
 * no-cache` asks caches to check it on every use, and a request whose
 * `If-None-Match` names the current ETag is answered 304 without a body.
 * An edit changes the ETag, so the next check fetches the new post.
 */
const postById = (items: ReadonlyArray<Seed.Post>) =>
  Effect.gen(function*() {
    const id = yield* pathInt("id", 1, maxId, "NotFound")
    const post = yield* find(items, id)
    const body = JSON.stringify(post)
    const etag = `"${Crypto.createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`
    const headers = { etag, "cache-control": "no-cache" }
    const request = yield* HttpServerRequest.HttpServerRequest
    const asked = request.headers["if-none-match"]
    if (asked !== undefined && asked.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
      return HttpServerResponse.empty({ status: 304, headers })
    }
    return json(post, 200, headers)
  })

/** @internal The JSONPlaceholder-style resources, `/me` and the post writes. */
export const make = (options: { readonly baseUrl: string; readonly auth: AuthStore }) =>
  Effect.gen(function*() {
    const { auth, baseUrl } = options
    const store = yield* Ref.make<PostStore>({ posts: Seed.posts, nextId: Seed.posts.length + 1 })
    const posts = Effect.map(Ref.get(store), (current) => current.posts)

    // Writes check the token first, then the id, then the body: a client
    // without a token learns nothing about which posts exist.
    const existingPost = Effect.flatMap(
      pathInt("id", 1, maxId, "NotFound"),
      (id) => Effect.flatMap(posts, (current) => find(current, id))
    )

    const createPost = Effect.gen(function*() {
      yield* auth.authenticate
      const body = yield* decodeBody(PostBody)
      const post = yield* Ref.modify(store, (current): [Seed.Post, PostStore] => {
        const created = { id: current.nextId, ...body }
        return [created, { posts: [...current.posts, created], nextId: current.nextId + 1 }]
      })
      return json(post, 201, { location: `/posts/${post.id}` })
    })

    const replacePost = (
      decode: Effect.Effect<Partial<typeof PostBody.Type>, BadRequest, HttpServerRequest.HttpServerRequest>
    ) =>
      Effect.gen(function*() {
        yield* auth.authenticate
        const { id } = yield* existingPost
        const body = yield* decode
        const post = yield* Ref.modify(store, (current): [Option.Option<Seed.Post>, PostStore] => {
          const previous = current.posts.find((post) => post.id === id)
          if (previous === undefined) return [Option.none(), current]
          const next: Seed.Post = { ...previous, ...body, id }
          return [Option.some(next), { ...current, posts: current.posts.map((post) => post.id === id ? next : post) }]
        })
        // A concurrent DELETE can win between the lookup and the update.
        if (Option.isNone(post)) {
          return yield* new NotFound()
        }
        return json(post.value)
      })

    const deletePost = Effect.gen(function*() {
      yield* auth.authenticate
      const { id } = yield* existingPost
      yield* Ref.update(store, (current) => ({ ...current, posts: current.posts.filter((post) => post.id !== id) }))
      return json({})
    })

    return HttpRouter.empty.pipe(
      HttpRouter.get("/users", list(Seed.users, baseUrl)),
      HttpRouter.get("/users/:id", byId(Seed.users)),
      HttpRouter.get("/posts", Effect.flatMap(posts, (current) => list(current, baseUrl))),
      HttpRouter.get("/posts/:id", Effect.flatMap(posts, postById)),
      HttpRouter.get(
        "/posts/:id/comments",
        Effect.flatMap(existingPost, (post) => list(Seed.comments.filter((c) => c.postId === post.id), baseUrl))
      ),
      HttpRouter.get("/comments", list(Seed.comments, baseUrl)),
      HttpRouter.get("/todos", list(Seed.todos, baseUrl)),
      HttpRouter.get("/me", Effect.map(auth.authenticate, (user) => json(user))),
      HttpRouter.get(
        "/me/todos",
        Effect.flatMap(auth.authenticate, (user) => list(Seed.todos.filter((todo) => todo.userId === user.id), baseUrl))
      ),
      HttpRouter.post("/posts", createPost),
      HttpRouter.put("/posts/:id", replacePost(decodeBody(PostBody))),
      HttpRouter.patch("/posts/:id", replacePost(decodeBody(PostPatch))),
      HttpRouter.del("/posts/:id", deletePost)
    )
  })
