/**
 * A real forward proxy on 127.0.0.1 (the `proxy` package from npm),
 * journaling what it was asked: the `CONNECT` targets and the
 * `Proxy-Authorization` and `Authorization` headers each request carried.
 */
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import { createProxy } from "proxy"

/** A request as the proxy saw it. */
export interface ProxyEntry {
  readonly method: string
  /** `host:port` for `CONNECT`, the absolute URL otherwise. */
  readonly target: string
  readonly proxyAuthorization: string | undefined
  readonly authorization: string | undefined
}

export interface ProxyServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly port: number
  readonly requests: ReadonlyArray<ProxyEntry>
}

/** Starts the proxy, scoped. With `credentials` (`user:password`), any other `Proxy-Authorization` gets a 407. */
export const make = (options: { readonly credentials?: string } = {}) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly sockets: Set<Net.Socket>; readonly service: ProxyServer }>(
      (resume) => {
        const requests: Array<ProxyEntry> = []
        const sockets = new Set<Net.Socket>()
        const server = Http.createServer()
        const record = (request: Http.IncomingMessage) => {
          requests.push({
            method: request.method ?? "",
            target: request.url ?? "",
            proxyAuthorization: request.headers["proxy-authorization"],
            authorization: request.headers["authorization"]
          })
        }
        // Journaled before the proxy's own listeners run.
        server.on("connect", record)
        server.on("request", record)
        const proxy = createProxy(server)
        if (options.credentials !== undefined) {
          const expected = `Basic ${Buffer.from(options.credentials).toString("base64")}`
          proxy.authenticate = (request) => request.headers["proxy-authorization"] === expected
        }
        server.on("connection", (socket: Net.Socket) => {
          sockets.add(socket)
          socket.once("close", () => sockets.delete(socket))
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as Net.AddressInfo).port
          resume(Effect.succeed({ server, sockets, service: { url: `http://127.0.0.1:${port}`, port, requests } }))
        })
      }
    ),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ service }) => service))
