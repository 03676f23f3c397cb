/**
 * An HTTP cache (RFC 9111) as a Layer over the client. The rules come from
 * `http-cache-semantics` (the library got and npm's fetch use), which works
 * on plain method, URL and header values and knows nothing of sockets: that
 * is why it fits a Layer over any transport, the Node one, fetch, or a test
 * client.
 *
 * What it does:
 * - freshness from `Cache-Control` (`max-age`, `s-maxage` when shared) and
 *   `Expires`, heuristic freshness from `Last-Modified`, `Vary`;
 * - never stores `no-store`; revalidates `no-cache` every time; in shared
 *   mode never stores `private`, nor an answer to a request carrying
 *   `Authorization` unless the response says `public`, `s-maxage` or
 *   `must-revalidate`;
 * - revalidates a stale entry with `If-None-Match` / `If-Modified-Since`; a
 *   304 refreshes the stored entry and is served as the stored response;
 * - `stale-while-revalidate`: serves the stale entry and revalidates it once
 *   in the background (one revalidation per entry at a time, in the Layer's
 *   scope); `stale-if-error`: serves the stale entry when the origin fails
 *   with `Network`, `Timeout` or a 5xx `BadResponse`;
 * - a POST, PUT, PATCH or DELETE answered 2xx or 3xx removes the entries of
 *   its URL and of its same-origin `Location` / `Content-Location`.
 *
 * Only buffered GET and HEAD calls are cached, and only 2xx answers but 206;
 * a streaming call (`stream`, `streamingResponse`, downloads) passes through,
 * as does a call that carries its own `If-None-Match`, `If-Modified-Since` or
 * `Range`. An entry larger than `maxEntryBytes` is not stored, nor an answer
 * reached through a redirect (the core follows redirects below this Layer,
 * so the cache never sees the redirect itself; a call to the final URL is
 * cached as usual).
 *
 * Every response gets a `cache-status` header (RFC 9211) saying what the
 * cache did: `courier; hit; ttl=42`, `courier; fwd=miss; stored`,
 * `courier; fwd=stale; fwd-status=304`, `courier; fwd=stale; fwd-status=503;
 * detail=stale-if-error`, `courier; fwd=method`, `courier; fwd=bypass`. The
 * request line of each forwarded attempt logged by the `Logging` Layer below
 * carries the same as the annotation `http.cache` (`fwd=miss`, `fwd=stale`);
 * an answer served without the origin is logged by this Layer, at Debug, as
 * an `http` line with `http.cache` (`hit`, `stale-while-revalidate`,
 * `stale-if-error`). The counter `courier_http_client_cache` counts lookups
 * by `outcome`: `hit`, `miss`, `revalidated`, `stale`, `bypass`.
 *
 * @example
 * ```ts
 * import { Cache, CourierClient } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Cache.layer({ store: Cache.memoryStore({ maxBytes: 32 * 1024 * 1024 }) }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" }))
 * )
 *
 * // Per call: past the cache, or only from it.
 * const live = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/prices")).pipe(Cache.bypass)
 * const offline = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/prices"))
 *   .pipe(Cache.withPolicy({ onlyIfCached: true }))
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as FiberRef from "effect/FiberRef"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Option from "effect/Option"
import type * as CourierClient from "./CourierClient.js"
import * as internal from "./internal/layers/cache/layer.js"
import * as store from "./internal/layers/cache/store.js"
import { StoreError } from "./internal/layers/cache/store.js"

/**
 * What a store keeps under one key: the cache policy as a JSON value (its
 * state: request and response headers, the time it was received) and the
 * body.
 *
 * @since 0.1.0
 */
export interface Entry {
  /** A JSON value; a store serialises it as it likes and gives it back unchanged. */
  readonly policy: unknown
  readonly body: Uint8Array
}

export { StoreError }

/**
 * Where entries live. Keys are `METHOD url`; a Redis or database store
 * implements these three.
 *
 * @since 0.1.0
 */
export interface Store {
  readonly get: (key: string) => Effect.Effect<Option.Option<Entry>, StoreError>
  readonly set: (key: string, entry: Entry) => Effect.Effect<void, StoreError>
  readonly delete: (key: string) => Effect.Effect<void, StoreError>
}

/**
 * @since 0.1.0
 */
export interface Options {
  /** Default: a new `memoryStore()` for each Layer built. */
  readonly store?: Store | undefined
  /**
   * A shared cache (a gateway serving many users) honours `private`,
   * `s-maxage` and the `Authorization` rule; a private one (one user's
   * client) may store `private` answers. Default: false (private).
   */
  readonly shared?: boolean | undefined
  /** Larger answers are not stored. Default 1 MiB. */
  readonly maxEntryBytes?: number | undefined
}

/**
 * Per-call cache settings, like the request directives of `Cache-Control`
 * (which the cache also reads from the request's `cache-control` header).
 *
 * @since 0.1.0
 */
export interface RequestPolicy {
  /** Neither read nor write the cache for this call. */
  readonly bypass?: boolean | undefined
  /**
   * Answer from the cache or fail: a miss (or an entry that would need the
   * origin) fails with `BadResponse` 504, as RFC 9111 5.2.1.7 says.
   */
  readonly onlyIfCached?: boolean | undefined
  /** Accept a stale entry up to this much past its freshness, without revalidating; `true` for any. */
  readonly maxStale?: Duration.DurationInput | true | undefined
  /** Revalidate a stored entry before using it, even when fresh. */
  readonly noCache?: boolean | undefined
}

/**
 * The cache Layer, over the client below it.
 *
 * @since 0.1.0
 */
export const layer: (options?: Options) => Layer.Layer<
  CourierClient.CourierClient,
  ConfigError.ConfigError,
  CourierClient.CourierClient
> = internal.layer

/**
 * An in-memory store bounded by bytes (bodies plus stored headers): the least
 * recently used entries go first. Default 16 MiB.
 *
 * @since 0.1.0
 */
export const memoryStore: (options?: { readonly maxBytes?: number | undefined }) => Store = store.memory

/**
 * A store in a directory: one file per entry (named by a hash of its key),
 * written to a temporary file and renamed over the old one, so a reader
 * never sees half an entry. Entries survive the process. The directory has
 * no total bound: each key holds one file, replaced by the next answer for
 * it (and removed by an invalidation); clear the directory to reclaim space.
 * Needs a `FileSystem` (such as `NodeFileSystem.layer`).
 *
 * @since 0.1.0
 */
export const diskStore: (options: {
  readonly directory: string
}) => Effect.Effect<Store, never, FileSystem.FileSystem> = store.disk

/**
 * Per-call settings for the calls made by `effect`.
 *
 * @since 0.1.0
 */
export const withPolicy: {
  (policy: RequestPolicy): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: RequestPolicy): Effect.Effect<A, E, R>
} = internal.withPolicy

/**
 * The calls made by `effect` go past the cache: not read, not stored.
 *
 * @since 0.1.0
 */
export const bypass: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = internal.bypass

/**
 * The per-call settings in force.
 *
 * @since 0.1.0
 */
export const currentPolicy: FiberRef.FiberRef<RequestPolicy> = internal.currentPolicy

/**
 * What a lookup came to: served fresh (`hit`), fetched (`miss`), renewed by
 * a 304 (`revalidated`), served stale (`stale`: max-stale,
 * stale-while-revalidate, stale-if-error), or not looked up (`bypass`).
 *
 * @since 0.1.0
 */
export type Outcome = "hit" | "miss" | "revalidated" | "stale" | "bypass"

/**
 * The counter `courier_http_client_cache`, tagged `outcome`.
 *
 * @since 0.1.0
 */
export const lookups: Metric.Metric.Counter<number> = internal.lookups

/**
 * The counter for one outcome.
 *
 * @since 0.1.0
 */
export const lookupsFor: (outcome: Outcome) => Metric.Metric.Counter<number> = internal.lookupsFor

/**
 * The name of the response header the cache sets on every response.
 *
 * @since 0.1.0
 */
export const statusHeader: "cache-status" = "cache-status"
