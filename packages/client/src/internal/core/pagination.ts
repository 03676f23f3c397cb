/**
 * Walking a paged collection: the stream that fetches one page at a time
 * through the client's calls, following `Link` headers as
 * `@courier/core/Link` reads them (RFC 8288).
 */
import * as Link from "@courier/core/Link"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierConfig from "../../CourierConfig.js"
import * as CourierError from "../../CourierError.js"
import type * as Pagination from "../../Pagination.js"

/** @internal */
export const parseLinkHeader: (value: string) => ReadonlyArray<Pagination.Link> = Link.parse

/** @internal */
export const nextFromLink = <A>(page: Pagination.Page<A>): Option.Option<Pagination.Next> => {
  const header = page.headers["link"]
  if (header === undefined) return Option.none()
  const url = Link.nextUrl(header, page.url)
  return url === undefined ? Option.none() : Option.some({ url })
}

/** A GET of one page, decoded, with the request's redacted info; the client supplies it. @internal */
export type FetchPage = (
  url: string,
  options: PageOptions
) => Effect.Effect<
  { readonly page: Pagination.Page<unknown>; readonly info: CourierError.RequestInfo },
  CourierError.CourierError
>

/** @internal */
export type PageOptions = CourierClient.RequestOptions<unknown, unknown> & {
  readonly schema?: unknown
  readonly responseType?: CourierConfig.ResponseType | undefined
  readonly items?: ((page: Pagination.Page<unknown>) => Iterable<unknown>) | undefined
  readonly next?: ((page: Pagination.Page<unknown>) => Option.Option<Pagination.Next>) | undefined
  readonly maxPages?: number | undefined
  readonly maxItems?: number | undefined
}

const defaultMaxPages = 1000

const count = (value: number | undefined, fallback: number) =>
  value === undefined ? fallback : Number.isNaN(value) || value < 0 ? 0 : Math.floor(value)

interface Cursor {
  readonly url: string
  readonly options: PageOptions
  /** Pages fetched so far. */
  readonly pages: number
  /** Items emitted so far. */
  readonly items: number
}

const asArray = (page: Pagination.Page<unknown>): Iterable<unknown> =>
  Array.isArray(page.body) ? page.body : []

/** @internal */
export const paginate = (
  fetchPage: FetchPage,
  url: string,
  options: PageOptions
): Stream.Stream<unknown, CourierError.CourierError> => {
  const maxPages = count(options.maxPages, defaultMaxPages)
  const maxItems = count(options.maxItems, Number.POSITIVE_INFINITY)
  const itemsOf = options.items ?? asArray
  const nextOf = options.next ?? nextFromLink
  if (maxPages === 0 || maxItems === 0) return Stream.empty
  const step = (
    cursor: Cursor
  ): Effect.Effect<readonly [Chunk.Chunk<unknown>, Option.Option<Cursor | CourierError.LimitExceeded>], CourierError.CourierError> =>
    Effect.map(fetchPage(cursor.url, cursor.options), ({ info, page }) => {
      const room = maxItems - cursor.items
      const items: Array<unknown> = []
      for (const item of itemsOf(page)) {
        if (items.length >= room) break
        items.push(item)
      }
      const emitted = cursor.items + items.length
      const pages = cursor.pages + 1
      if (emitted >= maxItems) return [Chunk.unsafeFromArray(items), Option.none()] as const
      const next = nextOf(page)
      if (Option.isNone(next)) return [Chunk.unsafeFromArray(items), Option.none()] as const
      if (pages >= maxPages) {
        const failure = new CourierError.LimitExceeded({
          request: info,
          reason: "TooManyPages",
          limit: maxPages
        })
        return [Chunk.unsafeFromArray(items), Option.some(failure)] as const
      }
      const { query, url: nextUrl } = next.value
      const nextOptions: PageOptions = nextUrl === undefined
        ? { ...options, query: query ?? options.query }
        : { ...options, params: undefined, query }
      return [
        Chunk.unsafeFromArray(items),
        Option.some({ url: nextUrl ?? url, options: nextOptions, pages, items: emitted })
      ] as const
    })
  return Stream.paginateChunkEffect<Cursor | CourierError.LimitExceeded, unknown, CourierError.CourierError, never>(
    { url, options, pages: 0, items: 0 },
    (state) => state instanceof CourierError.LimitExceeded ? Effect.fail(state) : step(state)
  )
}
