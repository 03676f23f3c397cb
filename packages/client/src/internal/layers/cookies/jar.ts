/**
 * The cookie jar: tough-cookie's RFC 6265 storage model (domain and path
 * matching, host-only cookies, the public suffix list, Secure, HttpOnly,
 * cookie prefixes), with time taken from Effect's `Clock`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { Cookie, CookieJar, MemoryCookieStore } from "tough-cookie"

/** @internal */
export interface Jar {
  /** The `Cookie` header value for a request to `url`, or undefined when no cookie applies. */
  readonly header: (url: URL) => Effect.Effect<string | undefined>
  /** Stores the `Set-Cookie` lines of a response from `url`; true when the jar changed. */
  readonly store: (url: URL, lines: ReadonlyArray<string>) => Effect.Effect<boolean>
  /** The jar as JSON text (tough-cookie's serialisation), expired cookies left out. */
  readonly serialize: Effect.Effect<string>
}

const options = {
  // A domain attribute that is a public suffix (`com`, `co.uk`) would share a
  // cookie with every site under it: such a cookie is ignored.
  rejectPublicSuffixes: true,
  // RFC 6265: Secure cookies go over https only. tough-cookie's default also
  // treats http://localhost and loopback addresses as secure; an API client
  // talking to a local plain-http proxy must not hand them a Secure cookie.
  allowSecureOnLocal: false,
  // A Secure cookie set over plain http is not stored (RFC 6265bis 5.7 step 13).
  enforceSecureOriginOnStorage: true,
  looseMode: false,
  prefixSecurity: "strict" as const
}

/**
 * When a cookie ends, in epoch milliseconds. tough-cookie's own check
 * measures Max-Age from the last access (so a cookie read often never
 * expires) and from `Date.now()`; RFC 6265 5.2.2 measures it from when the
 * cookie was received, which here is `creation`, set from `Clock`.
 */
const expiryOf = (cookie: Cookie): number => {
  const maxAge = cookie.maxAge
  if (maxAge === "Infinity") return Infinity
  if (maxAge !== undefined && maxAge !== null) {
    if (typeof maxAge !== "number" || maxAge <= 0) return -Infinity
    const created = cookie.creation instanceof Date ? cookie.creation.getTime() : 0
    return created + maxAge * 1000
  }
  return cookie.expires instanceof Date ? cookie.expires.getTime() : Infinity
}

const removeSync = (jar: CookieJar, cookie: Cookie): void => {
  // The memory store is synchronous: the callback runs before this returns.
  jar.store.removeCookie(cookie.domain, cookie.path, cookie.key, () => undefined)
}

const make = (jar: CookieJar): Jar => {
  const live = (cookies: ReadonlyArray<Cookie>, now: number): Array<Cookie> => {
    const out: Array<Cookie> = []
    for (const cookie of cookies) {
      if (expiryOf(cookie) <= now) removeSync(jar, cookie)
      else out.push(cookie)
    }
    return out
  }
  return {
    header: (url) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        // `expire: false`: expiry is checked here, against the Clock.
        const cookies = live(jar.getCookiesSync(url, { expire: false, sort: true }), now)
        return cookies.length === 0 ? undefined : cookies.map((cookie) => cookie.cookieString()).join("; ")
      }),
    store: (url, lines) =>
      lines.length === 0 ? Effect.succeed(false) : Effect.map(Clock.currentTimeMillis, (now) => {
        let changed = false
        for (const line of lines) {
          // A cookie the rules refuse (public suffix, foreign domain, Secure
          // over http, a bad prefix, unparsable) is ignored, as a browser does.
          const stored = jar.setCookieSync(line, url, { now: new Date(now), ignoreError: true, http: true })
          if (stored !== undefined) changed = true
        }
        return changed
      }),
    serialize: Effect.map(Clock.currentTimeMillis, (now) => {
      const all = jar.serializeSync()
      if (all === undefined) return JSON.stringify({ cookies: [] })
      return JSON.stringify({
        ...all,
        cookies: all.cookies.filter((serialized) => {
          const cookie = Cookie.fromJSON(serialized)
          return cookie !== undefined && expiryOf(cookie) > now
        })
      })
    })
  }
}

/** An empty jar. @internal */
export const empty = (): Jar => make(new CookieJar(new MemoryCookieStore(), options))

/**
 * A jar from its serialised text; undefined when the text is not a jar.
 *
 * @internal
 */
export const fromJSON = (text: string): Jar | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { cookies?: unknown }).cookies)) {
      return undefined
    }
    // The cookies are put into a jar with this module's rules: the settings
    // saved in the file are not trusted.
    const store = new MemoryCookieStore()
    for (const serialized of (parsed as { cookies: Array<unknown> }).cookies) {
      const cookie = Cookie.fromJSON(serialized)
      if (cookie === undefined || cookie.domain === null || cookie.path === null) continue
      store.putCookie(cookie, () => undefined)
    }
    return make(new CookieJar(store, options))
  } catch {
    return undefined
  }
}
