/**
 * The undici dispatcher Courier sends through, built from the transport's
 * options once they are read and checked: an `Agent` for direct requests,
 * one `ProxyAgent` per proxy, and a router choosing between them by origin.
 *
 * Every https request through a proxy, and every http one, is tunnelled
 * with `CONNECT` (undici's default): the proxy sees the target's host and
 * port, never the request, and whatever goes wrong before the tunnel opens
 * is the proxy's, which is what lets the failure name it.
 */
import * as Redacted from "effect/Redacted"
import type * as Net from "node:net"
import * as Undici from "undici"
import { ProxyFailure } from "../../internal/core/failure.js"
import { type Proxy, proxyFor, type Routing } from "./proxy.js"

/** TLS material as node:tls takes it, already read from files and unwrapped from `Redacted`. @internal */
export interface Tls {
  readonly ca?: Array<string | Buffer> | undefined
  readonly cert?: string | Buffer | undefined
  readonly key?: string | Buffer | undefined
  readonly pfx?: string | Buffer | undefined
  readonly passphrase?: string | undefined
}

/** The checked options the dispatcher is built from. @internal */
export interface Settings {
  readonly connectTimeout: number
  readonly tls: Tls
  readonly connections: number | undefined
  readonly keepAliveTimeout: number
  readonly keepAliveMaxTimeout: number | undefined
  readonly allowH2: boolean
  readonly lookup: Net.LookupFunction | undefined
  readonly family: 4 | 6 | undefined
  readonly autoSelectFamily: boolean | undefined
  readonly localAddress: string | undefined
  readonly routing: Routing | undefined
}

const defined = <A extends object>(a: A): { [K in keyof A]: Exclude<A[K], undefined> } =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as { [K in keyof A]: Exclude<A[K], undefined> }

/** What each new socket is opened with (node:net / node:tls options). */
const socketOptions = (settings: Settings) =>
  defined({
    timeout: settings.connectTimeout,
    lookup: settings.lookup,
    family: settings.family,
    autoSelectFamily: settings.autoSelectFamily
  })

/** The pool options shared by direct and proxied origins. */
const poolOptions = (settings: Settings) =>
  defined({
    connections: settings.connections,
    keepAliveTimeout: settings.keepAliveTimeout,
    keepAliveMaxTimeout: settings.keepAliveMaxTimeout,
    localAddress: settings.localAddress,
    allowH2: settings.allowH2 || undefined
  })

/**
 * The connection to the proxy: an undici `Pool` whose `CONNECT` failures
 * (the proxy unreachable, or answering anything but 200) are marked as the
 * proxy's before `ProxyAgent` sees them.
 */
class ProxyPool extends Undici.Pool {
  readonly #proxy: string
  constructor(origin: URL, options: Undici.Pool.Options, proxy: string) {
    super(origin, options)
    this.#proxy = proxy
  }
  override connect(options: Undici.Dispatcher.ConnectOptions): Promise<Undici.Dispatcher.ConnectData>
  override connect(
    options: Undici.Dispatcher.ConnectOptions,
    callback: (err: Error | null, data: Undici.Dispatcher.ConnectData) => void
  ): void
  override connect(
    options: Undici.Dispatcher.ConnectOptions,
    callback?: (err: Error | null, data: Undici.Dispatcher.ConnectData) => void
  ): Promise<Undici.Dispatcher.ConnectData> | void {
    if (callback !== undefined) return super.connect(options, callback)
    return super.connect(options).then(
      (data) => {
        if (data.statusCode === 200) return data
        data.socket.on("error", () => {}).destroy()
        throw new ProxyFailure(this.#proxy, data.statusCode, undefined)
      },
      (error: unknown) => {
        throw new ProxyFailure(this.#proxy, undefined, error)
      }
    )
  }
}

const proxyAgent = (settings: Settings, proxy: Proxy): Undici.ProxyAgent => {
  const socket = socketOptions(settings)
  return new Undici.ProxyAgent({
    uri: proxy.uri,
    ...(proxy.authorization === undefined ? {} : { token: Redacted.value(proxy.authorization) }),
    ...poolOptions(settings),
    // The target's TLS runs inside the tunnel, with the same certificates and timeout as a direct one.
    requestTls: { ...settings.tls, timeout: settings.connectTimeout, ...(settings.allowH2 ? { allowH2: true } : {}) },
    // An https proxy is verified with the same trusted CAs.
    proxyTls: { ...socket, ...(settings.tls.ca === undefined ? {} : { ca: settings.tls.ca }) },
    clientFactory: (origin, options) =>
      new ProxyPool(
        origin,
        { ...(options as Undici.Pool.Options), ...defined({ localAddress: settings.localAddress }) },
        proxy.display
      )
  })
}

/** Direct requests and proxied ones, chosen by the origin of each. */
class Router extends Undici.Dispatcher {
  readonly #direct: Undici.Dispatcher
  readonly #routing: Routing
  readonly #agents: Map<Proxy, Undici.Dispatcher>
  /** Origins already routed: most programs talk to a handful. */
  readonly #routes = new Map<string, Undici.Dispatcher>()

  constructor(direct: Undici.Dispatcher, routing: Routing, agents: Map<Proxy, Undici.Dispatcher>) {
    super()
    this.#direct = direct
    this.#routing = routing
    this.#agents = agents
  }

  #route(origin: string): Undici.Dispatcher {
    let route = this.#routes.get(origin)
    if (route !== undefined) return route
    const proxy = proxyFor(this.#routing, new URL(origin))
    route = proxy === undefined ? this.#direct : this.#agents.get(proxy)!
    if (this.#routes.size >= 1024) this.#routes.clear()
    this.#routes.set(origin, route)
    return route
  }

  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    const route = this.#route(String(options.origin))
    if (route === this.#direct) return route.dispatch(options, handler)
    // ProxyAgent writes `host` into the headers object it is given: a copy
    // keeps the caller's request (reused by a retry) as it was.
    const headers = options.headers
    if (headers === undefined || headers === null || Array.isArray(headers) || Symbol.iterator in Object(headers)) {
      return route.dispatch(options, handler)
    }
    return route.dispatch({ ...options, headers: { ...(headers as Record<string, string>) } }, handler)
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.#direct.close(), ...[...this.#agents.values()].map((a) => a.close())]).then(() => {})
    if (callback === undefined) return done
    void done.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b
    const done = Promise.all([this.#direct.destroy(), ...[...this.#agents.values()].map((x) => x.destroy())]).then(() => {})
    if (callback === undefined) return done
    void done.then(callback, callback)
  }
}

/** @internal */
export const make = (settings: Settings): Undici.Dispatcher => {
  const direct = new Undici.Agent({
    connect: { ...socketOptions(settings), ...settings.tls },
    ...poolOptions(settings)
  })
  const routing = settings.routing
  if (routing === undefined || (routing.http === undefined && routing.https === undefined)) return direct
  const agents = new Map<Proxy, Undici.Dispatcher>()
  for (const proxy of [routing.http, routing.https]) {
    if (proxy !== undefined && !agents.has(proxy)) agents.set(proxy, proxyAgent(settings, proxy))
  }
  return new Router(direct, routing, agents)
}
