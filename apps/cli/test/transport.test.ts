/**
 * The transport flags end to end: --cacert, --cert/--key and --http2 against
 * an HTTPS server that requires a client certificate, and the proxy from
 * --proxy or the environment (a proxy nothing listens on: the failure names
 * it, which proves the request was routed to it).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import * as Http2 from "node:http2"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { run } from "./support/Courier.js"

const fixture = (name: string) => fileURLToPath(new URL(`../../../packages/testing/fixtures/${name}`, import.meta.url))

/** HTTPS (HTTP/2 and 1.1) requiring the fixture client certificate; answers with the protocol version. */
const secureServer = Effect.acquireRelease(
  Effect.async<Http2.Http2SecureServer>((resume) => {
    const server = Http2.createSecureServer({
      cert: readFileSync(fixture("tls-127.0.0.1.cert.pem")),
      key: readFileSync(fixture("tls-127.0.0.1.key.pem")),
      allowHTTP1: true,
      requestCert: true,
      rejectUnauthorized: true,
      ca: readFileSync(fixture("tls-client.cert.pem"))
    }, (request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end(JSON.stringify({ version: request.httpVersion }))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map((server) => `https://127.0.0.1:${(server.address() as Net.AddressInfo).port}`))

const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

const tls = ["--cacert", fixture("tls-127.0.0.1.cert.pem"), "--cert", fixture("tls-client.cert.pem"), "--key", fixture("tls-client.key.pem")]

describe.concurrent("courier: transport flags", () => {
  it.scoped("--cacert, --cert and --key reach a server that requires a client certificate; --http2 speaks HTTP/2", () =>
    Effect.gen(function*() {
      const url = yield* secureServer
      const h1 = yield* run(["get", `${url}/v`, ...tls])
      expect(h1.stderr).toBe("")
      expect(JSON.parse(h1.stdout)).toEqual({ version: "1.1" })
      const h2 = yield* run(["get", `${url}/v`, ...tls, "--http2"])
      expect(JSON.parse(h2.stdout)).toEqual({ version: "2.0" })
      // Without --cacert the self-signed server is not trusted: exit 3, a TLS failure.
      const untrusted = yield* run(["get", `${url}/v`, "--cert", fixture("tls-client.cert.pem"), "--key", fixture("tls-client.key.pem")])
      expect(untrusted.code).toBe(3)
      expect(untrusted.stderr).toMatch(/TLS/)
    }), 60_000)

  it.effect("--proxy routes through the proxy; its failure names it without the credentials", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const target = yield* closedPort
      const result = yield* run(["get", `http://127.0.0.1:${target}/x`, "--proxy", `http://me:s3cret@127.0.0.1:${port}`])
      expect(result.code).toBe(3)
      expect(result.stderr).toContain(`the proxy http://127.0.0.1:${port} could not be reached`)
      expect(result.stderr).not.toContain("s3cret")
    }), 30_000)

  it.effect("http_proxy from the environment is read, and --noproxy (or no_proxy) bypasses it", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const target = yield* closedPort
      const env = { http_proxy: `http://127.0.0.1:${port}` }
      const proxied = yield* run(["get", `http://127.0.0.1:${target}/x`], { env })
      expect(proxied.stderr).toContain(`the proxy http://127.0.0.1:${port} could not be reached`)
      for (const options of [{ args: ["--noproxy", "127.0.0.1"], env }, { args: [], env: { ...env, no_proxy: "127.0.0.1" } }]) {
        const direct = yield* run(["get", `http://127.0.0.1:${target}/x`, ...options.args], { env: options.env })
        expect(direct.code).toBe(3)
        expect(direct.stderr).not.toContain("proxy")
        expect(direct.stderr).toContain("refused")
      }
    }), 30_000)

  it.effect("--help lists the transport flags", () =>
    Effect.gen(function*() {
      const result = yield* run(["get", "--help"])
      for (const flag of ["--proxy", "--noproxy", "--cert", "--key", "--cacert", "--http2"]) expect(result.stdout).toContain(flag)
    }), 30_000)
})
