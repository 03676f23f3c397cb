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

/** The client-certificate fixtures (mutual TLS): PEM text, and the PKCS#12 bundle's bytes. */
export const client = {
  cert: fixture("tls-client.cert.pem"),
  key: fixture("tls-client.key.pem"),
  encryptedKey: fixture("tls-client.key.encrypted.pem"),
  pfx: readFileSync(new URL("../../testing/fixtures/tls-client.p12", import.meta.url)),
  passphrase: "fixture-passphrase",
  /** Paths, for the options that read files. */
  certFile: new URL("../../testing/fixtures/tls-client.cert.pem", import.meta.url).pathname,
  keyFile: new URL("../../testing/fixtures/tls-client.key.pem", import.meta.url).pathname
}

/**
 * Starts the server, scoped; `handler` answers every request. With
 * `clientCa`, the handshake requires a client certificate signed by it.
 */
export const make = (
  handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  options: { readonly clientCa?: string } = {}
) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Https.Server; readonly sockets: Set<Net.Socket>; readonly service: TlsServer }>((resume) => {
      const requests: Array<TlsEntry> = []
      let failures = 0
      const sockets = new Set<Net.Socket>()
      const server = Https.createServer({
        cert: certificate,
        key,
        ...(options.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: options.clientCa })
      }, (request, response) => {
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
