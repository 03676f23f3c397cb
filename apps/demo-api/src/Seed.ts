/**
 * The demo API's seed data, in the spirit of JSONPlaceholder: 10 users, 100
 * posts (10 per user), 500 comments (5 per post) and 200 todos (20 per user).
 * Every value is computed from a fixed seed, so two runs (and two servers)
 * serve the same data and tests can assert on it.
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * import * as Seed from "demo-api/Seed"
 *
 * const Posts = Schema.Array(Seed.Post)
 * const firstTitle = Seed.posts[0]?.title
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A user. The ten users are JSONPlaceholder's, trimmed to these fields.
 *
 * @since 0.1.0
 * @category schemas
 */
export const User = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  username: Schema.String,
  email: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type User = typeof User.Type

/**
 * A post. Seeded posts have ids 1..100; created posts get 101 and up.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Post = Schema.Struct({
  id: Schema.Int,
  userId: Schema.Int,
  title: Schema.String,
  body: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type Post = typeof Post.Type

/**
 * A comment on a post.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Comment = Schema.Struct({
  id: Schema.Int,
  postId: Schema.Int,
  name: Schema.String,
  email: Schema.String,
  body: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type Comment = typeof Comment.Type

/**
 * A todo item.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Todo = Schema.Struct({
  id: Schema.Int,
  userId: Schema.Int,
  title: Schema.String,
  completed: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export type Todo = typeof Todo.Type

/**
 * The password every account accepts.
 *
 * @since 0.1.0
 * @category auth
 */
export const password = "courier"

/**
 * A username that logs in as user 1 ("Bret"), for demos that should not
 * need to know the seed.
 *
 * @since 0.1.0
 * @category auth
 */
export const demoUsername = "demo"

/**
 * The OAuth2 client registered with the demo authorization server
 * (`DemoApi.Service.authUrl`): a confidential client that authenticates with
 * HTTP Basic or with `client_id` / `client_secret` form fields.
 *
 * @since 0.1.0
 * @category auth
 */
export const oauthClient = { id: "courier-demo", secret: "demo-secret" } as const

/**
 * The scope the demo authorization server grants when a token request names
 * none; a refresh may ask for part of it (`scope=read`), never more.
 *
 * @since 0.1.0
 * @category auth
 */
export const oauthScope = "read write"

/**
 * The ten users.
 *
 * @since 0.1.0
 * @category data
 */
export const users: ReadonlyArray<User> = [
  { id: 1, name: "Leanne Graham", username: "Bret", email: "Sincere@april.biz" },
  { id: 2, name: "Ervin Howell", username: "Antonette", email: "Shanna@melissa.tv" },
  { id: 3, name: "Clementine Bauch", username: "Samantha", email: "Nathan@yesenia.net" },
  { id: 4, name: "Patricia Lebsack", username: "Karianne", email: "Julianne.OConner@kory.org" },
  { id: 5, name: "Chelsey Dietrich", username: "Kamren", email: "Lucio_Hettinger@annie.ca" },
  { id: 6, name: "Mrs. Dennis Schulist", username: "Leopoldo_Corkery", email: "Karley_Dach@jasper.info" },
  { id: 7, name: "Kurtis Weissnat", username: "Elwyn.Skiles", email: "Telly.Hoeger@billy.biz" },
  { id: 8, name: "Nicholas Runolfsdottir V", username: "Maxime_Nienow", email: "Sherwood@rosamond.me" },
  { id: 9, name: "Glenna Reichert", username: "Delphine", email: "Chaim_McDermott@dana.io" },
  { id: 10, name: "Clementina DuBuque", username: "Moriah.Stanton", email: "Rey.Padberg@karina.biz" }
]

// mulberry32: a tiny PRNG, so the seed data never depends on Math.random.
const prng = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const words = (
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et " +
  "dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea " +
  "commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum eu fugiat nulla pariatur " +
  "excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum " +
  "quia voluptas dolorem nostrum rerum facere repellat provident occaecati optio reprehenderit molestiae"
).split(" ")

const firstNames = [
  "Eliseo", "Jayne", "Nikita", "Lew", "Hayden", "Presley", "Dallas", "Mallory", "Meghan", "Carmen",
  "Veronica", "Oswald", "Kariane", "Nathan", "Maynard", "Christine", "Emma", "Zola", "Ruben", "Isom"
]

const random = prng(0xc0de)
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1))
const phrase = (min: number, max: number): string =>
  Array.from({ length: between(min, max) }, () => pick(words)).join(" ")
const sentence = (min: number, max: number): string => {
  const text = phrase(min, max)
  return text.charAt(0).toUpperCase() + text.slice(1) + "."
}
const paragraph = (): string => Array.from({ length: between(3, 4) }, () => sentence(6, 12)).join("\n")

/**
 * The hundred posts: ids 1..100, post `n` belongs to user `ceil(n / 10)`.
 *
 * @since 0.1.0
 * @category data
 */
export const posts: ReadonlyArray<Post> = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  userId: Math.floor(i / 10) + 1,
  title: phrase(3, 8),
  body: paragraph()
}))

/**
 * The five hundred comments: ids 1..500, comment `n` is on post `ceil(n / 5)`.
 * Commenters' addresses use the reserved `.example` domain.
 *
 * @since 0.1.0
 * @category data
 */
export const comments: ReadonlyArray<Comment> = Array.from({ length: 500 }, (_, i) => ({
  id: i + 1,
  postId: Math.floor(i / 5) + 1,
  name: phrase(3, 6),
  email: `${pick(firstNames)}.${pick(words)}@${pick(words)}.example`,
  body: paragraph()
}))

/**
 * The two hundred todos: ids 1..200, todo `n` belongs to user `ceil(n / 20)`;
 * about half are completed.
 *
 * @since 0.1.0
 * @category data
 */
export const todos: ReadonlyArray<Todo> = Array.from({ length: 200 }, (_, i) => ({
  id: i + 1,
  userId: Math.floor(i / 20) + 1,
  title: phrase(2, 6),
  completed: random() < 0.5
}))
