/**
 * An HTTPS server on 127.0.0.1 with the self-signed certificate committed
 * under `packages/testing/fixtures` (valid for 100 years), journaling the
 * requests that got through the handshake and counting the handshakes that
 * failed.
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import type * as Http from "node:http"
import * as Https from "node:https"
import type * as Net from "node:net"

const fixture = (name: string): string =>
  readFileSync(new URL(`../../testing/fixtures/${name}`, import.meta.url), "utf8")

/** The certificate, also the CA to trust it with (`NodeTransport` option `ca`). */
export const certificate: string = fixture("tls-127.0.0.1.cert.pem")
const key = fixture("tls-127.0.0.1.key.pem")

/** A request as the TLS server saw it. */
export interface TlsEntry {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
}

export interface TlsServer {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string
  readonly requests: ReadonlyArray<TlsEntry>
  /** Handshakes the client broke off (a rejected certificate). */
  readonly handshakeFailures: () => number
}

/** Starts the server, scoped; `handler` answers every request. */
export const make = (handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Https.Server; readonly sockets: Set<Net.Socket>; readonly service: TlsServer }>((resume) => {
      const requests: Array<TlsEntry> = []
      let failures = 0
      const sockets = new Set<Net.Socket>()
      const server = Https.createServer({ cert: certificate, key }, (request, response) => {
        requests.push({ method: request.method ?? "GET", path: request.url ?? "/", headers: { ...request.headers } as TlsEntry["headers"] })
        handler(request, response)
      })
      server.on("connection", (socket: Net.Socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
      })
      server.on("tlsClientError", () => {
        failures += 1
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = address !== null && typeof address === "object" ? address.port : 0
        resume(Effect.succeed({
          server,
          sockets,
          service: { url: `https://127.0.0.1:${port}`, requests, handshakeFailures: () => failures }
        }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ service }) => service))
