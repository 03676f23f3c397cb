/**
 * Walking a paged collection: `Link` header parsing (RFC 8288) and the
 * stream that fetches one page at a time through the client's calls.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierConfig from "../../CourierConfig.js"
import * as CourierError from "../../CourierError.js"
import type * as Pagination from "../../Pagination.js"

const isSpace = (c: string | undefined) => c === " " || c === "\t"

/**
 * A small scanner over the header value: `<target>` then `; name=value`
 * parameters (token or quoted string), links separated by commas. A comma
 * inside `<...>` or a quoted string does not split links.
 *
 * @internal
 */
export const parseLinkHeader = (value: string): ReadonlyArray<Pagination.Link> => {
  const links: Array<Pagination.Link> = []
  const n = value.length
  let i = 0
  const skipSpace = () => {
    while (i < n && isSpace(value[i])) i++
  }
  const skipToNextLink = () => {
    let quoted = false
    while (i < n) {
      const c = value[i]
      if (quoted) {
        if (c === "\\") i++
        else if (c === "\"") quoted = false
      } else if (c === "\"") quoted = true
      else if (c === ",") break
      i++
    }
  }
  while (i < n) {
    while (i < n && (isSpace(value[i]) || value[i] === ",")) i++
    if (i >= n) break
    if (value[i] !== "<") {
      skipToNextLink()
      continue
    }
    const close = value.indexOf(">", i + 1)
    if (close === -1) break
    const target = value.slice(i + 1, close).trim()
    i = close + 1
    const params: Record<string, string> = {}
    skipSpace()
    while (i < n && value[i] === ";") {
      i++
      skipSpace()
      let name = ""
      while (i < n && !"=;, \t".includes(value[i]!)) name += value[i++]
      skipSpace()
      let paramValue = ""
      if (value[i] === "=") {
        i++
        skipSpace()
        if (value[i] === "\"") {
          i++
          while (i < n && value[i] !== "\"") {
            if (value[i] === "\\" && i + 1 < n) i++
            paramValue += value[i++]
          }
          i++
        } else {
          while (i < n && !";, \t".includes(value[i]!)) paramValue += value[i++]
        }
      }
      skipSpace()
      const key = name.toLowerCase()
      // RFC 8288 3.3: occurrences after the first of a parameter are ignored.
      if (key !== "" && !Object.prototype.hasOwnProperty.call(params, key)) params[key] = paramValue
    }
    skipToNextLink()
    links.push({ target, params })
  }
  return links
}

/** @internal */
export const nextFromLink = <A>(page: Pagination.Page<A>): Option.Option<Pagination.Next> => {
  const header = page.headers["link"]
  if (header === undefined) return Option.none()
  for (const link of parseLinkHeader(header)) {
    // `rel` holds space-separated relation types, compared case-insensitively.
    const rels = (link.params["rel"] ?? "").toLowerCase().split(/[ \t]+/)
    if (!rels.includes("next")) continue
    let resolved: URL
    try {
      resolved = new URL(link.target, page.url)
    } catch {
      return Option.none()
    }
    // Braces left in a query would read as `{name}` path placeholders.
    return Option.some({ url: resolved.href.replace(/\{/g, "%7B").replace(/\}/g, "%7D") })
  }
  return Option.none()
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
