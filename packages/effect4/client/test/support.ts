/**
 * What the client's tests share: a client on the Node transport, built in
 * the test's scope, and an HTTPS server with the self-signed certificate of
 * `packages/testing/fixtures` (the test kit's servers speak plain HTTP).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFileSync } from "node:fs"
import type * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import * as CourierClient from "../src/CourierClient.js"
import type * as CourierConfig from "../src/CourierConfig.js"
import * as NodeTransport from "../src/NodeTransport.js"

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../testing/fixtures/${name}`, import.meta.url), "utf8")

/** The self-signed certificate of 127.0.0.1, also the CA that trusts it. */
export const certificate: string = fixture("tls-127.0.0.1.cert.pem")

/** A client on the Node transport, closed with the test's scope. */
export const client = (options: CourierConfig.Options, transport?: NodeTransport.Options) =>
  Effect.map(Layer.build(NodeTransport.layerClient(options, transport)), (context) =>
    Context.get(context, CourierClient.CourierClient))

/** An HTTPS server on 127.0.0.1 answering with `handler`, closed with the scope. */
export const httpsServer = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly url: string; readonly server: https.Server }>((resume) => {
      const server = https.createServer({ cert: certificate, key: fixture("tls-127.0.0.1.key.pem") }, handler)
      // A handshake the client breaks off is the point of some tests, not a failure.
      server.on("tlsClientError", () => {})
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server })))
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
