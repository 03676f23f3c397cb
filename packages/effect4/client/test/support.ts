/**
 * A tiny scoped node:http server for the client's tests until the effect 4
 * test kit lands: a handler per test, a journal of what reached the wire.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import * as CourierClient from "../src/CourierClient.js"
import * as CourierConfig from "../src/CourierConfig.js"
import * as NodeTransport from "../src/NodeTransport.js"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export interface Server {
  readonly url: string
  readonly seen: Array<Seen>
}

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../testing/fixtures/${name}`, import.meta.url), "utf8")

/** The self-signed certificate of 127.0.0.1 (also the CA that trusts it). */
export const certificate: string = fixture("tls-127.0.0.1.cert.pem")

export const server = (
  handler: (req: Seen, res: http.ServerResponse) => void,
  options: { readonly tls?: boolean; readonly host?: string } = {}
) =>
  Effect.acquireRelease(
    Effect.callback<Server & { readonly close: () => void }>((resume) => {
      const seen: Array<Seen> = []
      const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const one = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) }
          seen.push(one)
          handler(one, res)
        })
      }
      const s = options.tls === true
        ? https.createServer({ cert: certificate, key: fixture("tls-127.0.0.1.key.pem") }, listener)
        : http.createServer(listener)
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port
        resume(Effect.succeed({
          url: `${options.tls === true ? "https" : "http"}://${options.host ?? "127.0.0.1"}:${port}`,
          seen,
          close: () => {
            s.closeAllConnections()
            s.close()
          }
        }))
      })
    }),
    (s) => Effect.sync(s.close)
  )

export const client = (options: CourierConfig.Options, transport?: NodeTransport.Options) =>
  Effect.map(Layer.build(NodeTransport.layerClient(options, transport)), (context) =>
    Context.get(context, CourierClient.CourierClient))
