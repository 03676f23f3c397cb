/**
 * A cookie jar (RFC 6265) as a Layer over the client: cookies a server sets
 * are stored and sent back to the requests they belong to.
 *
 * - Scoping by tough-cookie's storage model: a cookie without `Domain` is
 *   host-only (sent to that host alone); `Domain` widens it to the domain and
 *   its subdomains, and is ignored when it is a public suffix (`com`,
 *   `co.uk`) or does not cover the host that set it; `Path` limits it to that
 *   path and below (`/a` matches `/a` and `/a/b`, not `/ab`). As RFC 6265
 *   says, cookies are scoped by host, not by port.
 * - `Secure` cookies are stored from and sent over https only (loopback
 *   included); `HttpOnly` ones are stored and sent (this is an HTTP client);
 *   `SameSite` is stored but not enforced, as there is no browsing context.
 * - `Expires` and `Max-Age` (measured from when the cookie arrived; `0` or
 *   less deletes it) are checked against Effect's `Clock`, so `TestClock`
 *   drives expiry.
 * - Every hop uses the jar, redirects included: a cookie set by a 302 is
 *   sent to the next hop when it belongs there, and never to another host.
 *   A `Cookie` header set by the caller is sent first, and is dropped on a
 *   cross-origin redirect like every secret header.
 * - Cookie values are secrets: the `cookie` and `set-cookie` headers are
 *   redacted in logs and failures by the default `Redaction`.
 *
 * Each attempt (retries and the auth Layer's replay included) reads the jar
 * when it is sent, so it carries the cookies current at that moment.
 *
 * @example
 * ```ts
 * import { Cookies } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Layer from "effect/Layer"
 *
 * const transport = NodeTransport.layerClient({ baseUrl: "https://api.example.com" })
 *
 * // Cookies for the life of the Layer.
 * const InMemory = Cookies.layer().pipe(Layer.provide(transport))
 *
 * // Cookies kept in a file (0600) between runs.
 * const Persistent = Cookies.layerFile({ path: "/home/me/.config/notes/cookies.json" }).pipe(
 *   Layer.provide(transport),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Layer from "effect/Layer"
import type * as CourierClient from "./CourierClient.js"
import * as error from "./internal/layers/cookies/error.js"
import * as internal from "./internal/layers/cookies/layer.js"

/**
 * The cookie file could not be read, or is not a cookie jar. The message
 * names the file, never its content.
 *
 * @since 0.1.0
 */
export const CookieJarError: typeof error.CookieJarError = error.CookieJarError

/**
 * @since 0.1.0
 */
export type CookieJarError = error.CookieJarError

/**
 * A jar in memory, empty when the Layer is built and shared by every call
 * of the client it decorates.
 *
 * @since 0.1.0
 */
export const layer: () => Layer.Layer<CourierClient.CourierClient, never, CourierClient.CourierClient> = internal.layer

/**
 * A jar kept in a file as tough-cookie's JSON serialisation. The file is
 * read when the Layer is built (a missing file is an empty jar; one that is
 * not a jar fails the Layer) and replaced after each change through a
 * temporary file renamed over it, with mode 0600 in a 0700 directory.
 * Expired cookies are left out. A failed write is logged as a warning
 * (path and error, never cookies) and the call goes on with the jar in
 * memory. One process should write a given file at a time.
 *
 * @since 0.1.0
 */
export const layerFile: (options: {
  readonly path: string
}) => Layer.Layer<CourierClient.CourierClient, CookieJarError, CourierClient.CourierClient | FileSystem.FileSystem> =
  internal.layerFile
