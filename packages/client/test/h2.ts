/**
 * An HTTP/2 server on 127.0.0.1 (`node:http2` over TLS, the committed
 * self-signed certificate), with the routes the HTTP/2 suite needs and a
 * journal of what arrived: each request's protocol version, and the streams
 * the client reset before the answer ended.
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import * as Http2 from "node:http2"
import type * as Net from "node:net"
import { certificate } from "./tls.js"

const key = readFileSync(new URL("../../testing/fixtures/tls-127.0.0.1.key.pem", import.meta.url), "utf8")

export interface H2Entry {
  readonly method: string
  readonly path: string
  readonly httpVersion: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly bodyBytes: number
}

export interface H2Server {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string
  readonly requests: ReadonlyArray<H2Entry>
  /** Streams that closed before the server ended its answer (the client reset them). */
  readonly resets: () => number
}

/** `size` bytes answered in 16 KiB chunks. */
const big = (response: Http2.Http2ServerResponse, size: number) => {
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) })
  const chunk = Buffer.alloc(16 * 1024, 97)
  let sent = 0
  const write = () => {
    while (sent < size) {
      const part = chunk.subarray(0, Math.min(chunk.length, size - sent))
      sent += part.length
      if (!response.write(part)) return response.once("drain", write)
    }
    response.end()
  }
  write()
}

const answer = (request: Http2.Http2ServerRequest, response: Http2.Http2ServerResponse, body: Buffer) => {
  const json = (status: number, value: unknown) => {
    response.writeHead(status, { "content-type": "application/json" })
    response.end(JSON.stringify(value))
  }
  const path = request.url.split("?")[0]
  switch (path) {
    case "/hello":
      return json(200, { hello: request.httpVersion })
    case "/echo":
      return json(200, { bytes: body.length })
    case "/redirect":
      response.writeHead(302, { location: "/hello" })
      return response.end()
    case "/stall":
      return
    case "/drip":
      response.writeHead(200, { "content-type": "application/json" })
      response.write("[1")
      return
    case "/big":
      return big(response, 2 * 1024 * 1024)
    default:
      return json(404, { missing: path })
  }
}

/** Starts the server, scoped. HTTP/1.1 clients are answered too, so a test can tell which one arrived. */
export const make = () =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http2.Http2SecureServer; readonly sockets: Set<Net.Socket>; readonly service: H2Server }>(
      (resume) => {
        const requests: Array<H2Entry> = []
        let resets = 0
        const sockets = new Set<Net.Socket>()
        const server = Http2.createSecureServer({ cert: certificate, key, allowHTTP1: true }, (request, response) => {
          const chunks: Array<Buffer> = []
          request.on("data", (chunk: Buffer) => chunks.push(chunk))
          request.on("end", () => {
            const body = Buffer.concat(chunks)
            requests.push({
              method: request.method,
              path: request.url,
              httpVersion: request.httpVersion,
              headers: { ...request.headers },
              bodyBytes: body.length
            })
            answer(request, response, body)
          })
          response.on("close", () => {
            if (!response.writableEnded) resets += 1
          })
        })
        server.on("connection", (socket: Net.Socket) => {
          sockets.add(socket)
          socket.once("close", () => sockets.delete(socket))
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as Net.AddressInfo).port
          resume(Effect.succeed({
            server,
            sockets,
            service: { url: `https://127.0.0.1:${port}`, requests, resets: () => resets }
          }))
        })
      }
    ),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ service }) => service))
