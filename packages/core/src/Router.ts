/**
 * Routing for a test server: by method and pathname, the most specific
 * route winning, so a test can register a catch-all and override one path.
 */

interface Route<R> {
  /** Uppercased method, or "*". */
  readonly method: string
  /** Exact pathname, or the prefix before a trailing "*". */
  readonly path: string
  readonly prefix: boolean
  readonly value: R
}

/** Options of a `Router`. */
export interface Options {
  /**
   * Whether a GET route also serves HEAD, as in Go's ServeMux (a server that
   * drops the body of a HEAD answer itself); a route for HEAD still wins.
   */
  readonly headServedByGet: boolean
}

/**
 * Routes by method and pathname. The most specific route wins: an exact path
 * over a prefix, a longer prefix over a shorter one, then a named method over
 * "*" (and, with `headServedByGet`, a GET route serving HEAD in between).
 * Registering the same method and path again replaces the route.
 */
export class Router<R> {
  private routes: Array<Route<R>> = []

  constructor(private readonly options: Options) {}

  /** Registers `value` for `method` (or "*") and `path` (a trailing "*" makes it a prefix). */
  add(method: string, path: string, value: R): void {
    const normalized = method === "*" ? "*" : method.toUpperCase()
    const prefix = path.endsWith("*")
    const route: Route<R> = { method: normalized, path: prefix ? path.slice(0, -1) : path, prefix, value }
    this.routes = this.routes.filter((r) => !(r.method === route.method && r.path === route.path && r.prefix === prefix))
    this.routes.push(route)
  }

  /** The value of the most specific route for an (uppercased) method and a pathname, if any matches. */
  match(method: string, pathname: string): R | undefined {
    let best: Route<R> | undefined
    let bestScore = -1
    for (const route of this.routes) {
      const byMethod = this.methodScore(route, method)
      if (byMethod === 0) continue
      if (route.prefix ? !pathname.startsWith(route.path) : route.path !== pathname) continue
      const score = (route.prefix ? route.path.length : Number.MAX_SAFE_INTEGER) * 4 + byMethod
      if (score >= bestScore) {
        best = route
        bestScore = score
      }
    }
    return best?.value
  }

  private methodScore(route: Route<R>, method: string): number {
    if (route.method === method) return 3
    if (this.options.headServedByGet && route.method === "GET" && method === "HEAD") return 2
    if (route.method === "*") return 1
    return 0
  }
}
