/**
 * Paged collections as one `Stream`: `client.paginate(path, options)`
 * fetches a page when the stream needs more items, decodes it by the
 * schema, and follows the `Link: <...>; rel="next"` header (RFC 8288) or
 * the caller's own `next`. Each page is an ordinary GET through the
 * client's `execute`, so auth, retry, logging and the origin rules apply
 * to every one.
 *
 * @example
 * ```ts
 * import { CourierClient } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 * import * as Schema from "effect/Schema"
 * import * as Stream from "effect/Stream"
 *
 * const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
 * const Feed = Schema.Struct({ items: Schema.Array(Post), cursor: Schema.NullOr(Schema.String) })
 *
 * const titles = Effect.gen(function*() {
 *   const client = yield* CourierClient.CourierClient
 *   // Link: rel="next" pages, at most 500 posts.
 *   const posts = yield* Stream.runCollect(client.paginate("/posts", { schema: Schema.Array(Post), maxItems: 500 }))
 *   // A cursor in the body: `next` says what the following request is.
 *   const feed = client.paginate("/feed", {
 *     schema: Feed,
 *     items: (page) => page.body.items,
 *     next: (page) => Option.map(Option.fromNullable(page.body.cursor), (cursor) => ({ query: { cursor } }))
 *   })
 *   return [posts, yield* Stream.runCollect(feed)]
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as CourierClient from "./CourierClient.js"
import type { CourierError } from "./CourierError.js"
import * as internal from "./internal/core/pagination.js"
import type * as Url from "./Url.js"

/**
 * One fetched page: the `exchange` of its GET and the URL it was finally
 * answered from (after redirects), against which a relative link resolves.
 *
 * @since 0.1.0
 */
export interface Page<A> extends CourierClient.Exchange<A> {
  readonly url: URL
}

/**
 * The request for the following page. Without `url`, it is the first
 * call's path and `params`, with `query` (when given) in place of the
 * first call's query. With `url` (a path or an absolute URL, under the
 * same origin rules as any call), the first call's `params` and `query`
 * are not reused: the URL carries its own, plus `query` if given.
 * Headers, timeouts and the other options stay the first call's.
 *
 * @since 0.1.0
 */
export interface Next {
  readonly url?: string | undefined
  readonly query?: Url.Query | undefined
}

/**
 * How pages are walked, besides the per-request options of every page.
 *
 * @since 0.1.0
 */
export interface Options<A> {
  /**
   * The following request, or `Option.none()` at the last page. Default:
   * the `Link` header's `rel="next"` target, resolved against the page URL.
   */
  readonly next?: ((page: Page<A>) => Option.Option<Next>) | undefined
  /**
   * At most this many requests. When the last allowed page still has a
   * next one, the stream fails with `LimitExceeded` (`TooManyPages`)
   * after its items: a runaway chain is not mistaken for the end.
   * Default: 1000.
   */
  readonly maxPages?: number | undefined
  /** The stream ends after this many items, and no further page is fetched. Default: no limit. */
  readonly maxItems?: number | undefined
}

/**
 * `client.paginate`: the items of every page, in order. Pages are fetched
 * lazily, one at a time, when the stream is pulled past the items it has.
 * Without `items`, the schema must decode a page to an array of items.
 *
 * @since 0.1.0
 */
export interface Paginate {
  <A, I, Item, E = unknown, EI = unknown>(
    url: string,
    options: CourierClient.RequestOptions<E, EI> & Options<A> & {
      readonly schema: Schema.Schema<A, I, never>
      readonly items: (page: Page<A>) => Iterable<Item>
    }
  ): Stream.Stream<Item, CourierError<E>>
  <Item, I, E = unknown, EI = unknown>(
    url: string,
    options: CourierClient.RequestOptions<E, EI> & Options<ReadonlyArray<Item>> & {
      readonly schema: Schema.Schema<ReadonlyArray<Item>, I, never>
      readonly items?: undefined
    }
  ): Stream.Stream<Item, CourierError<E>>
}

/**
 * One link of a `Link` header value (RFC 8288): its target as written
 * (unresolved) and its parameters, names lower-cased, the first of each
 * name kept.
 *
 * @since 0.1.0
 */
export interface Link {
  readonly target: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * Parses a `Link` header value. Malformed links are skipped, never thrown on.
 *
 * @since 0.1.0
 */
export const parseLinkHeader: (value: string) => ReadonlyArray<Link> = internal.parseLinkHeader

/**
 * The default `next`: the first `rel="next"` link of the page's `Link`
 * header, resolved against the page URL.
 *
 * @since 0.1.0
 */
export const nextFromLink: <A>(page: Page<A>) => Option.Option<Next> = internal.nextFromLink
