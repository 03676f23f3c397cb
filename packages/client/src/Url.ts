/**
 * URLs as requests name them: a path joined to the base URL, `{name}` path
 * parameters encoded as single segments, and a query record.
 *
 * @example
 * ```ts
 * import { CourierClient } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * // GET /users/a%2Fb/posts?tag=x&tag=y&since=2024-01-01T00%3A00%3A00.000Z
 * const posts = Effect.flatMap(CourierClient.CourierClient, (client) =>
 *   client.get("/users/{name}/posts", {
 *     params: { name: "a/b" },
 *     query: { tag: ["x", "y"], since: new Date("2024-01-01T00:00:00Z"), page: undefined }
 *   }))
 * ```
 *
 * @since 0.1.0
 */

/**
 * One query value: numbers, booleans and bigints are stringified, a `Date`
 * is written as ISO 8601, and `undefined` or `null` drop the parameter.
 *
 * @since 0.1.0
 */
export type QueryValue = string | number | boolean | bigint | Date | null | undefined

/**
 * Query parameters: a value or an array of values per name. Arrays follow
 * the configured `arrayFormat` (repeated keys by default).
 *
 * @since 0.1.0
 */
export type Query = Readonly<Record<string, QueryValue | ReadonlyArray<QueryValue>>>

/**
 * Values for `{name}` placeholders in a path. Each is percent-encoded as one
 * segment: `/`, `?`, `#`, `@` and `%` cannot change the target, and `.`,
 * `..` or an empty value are refused.
 *
 * @since 0.1.0
 */
export type PathParams = Readonly<Record<string, string | number | bigint>>
