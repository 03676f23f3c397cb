import { CourierClient, CourierConfig, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Proxy from "./proxy.js"
import * as Tls from "./tls.js"

// A server that requires a client certificate (mutual TLS): the fixture
// client certificate is its only trusted CA.

const clientWith = (options: CourierConfig.Options, transport: NodeTransport.Options) =>
  Effect.map(
    Layer.build(NodeTransport.layerClient(options, transport)),
    (context) => Context.get(context, CourierClient.CourierClient)
  )

const mutual = () => Tls.make((_, response) => response.end(JSON.stringify("for certified clients")), { clientCa: Tls.client.cert })

describe("NodeTransport: client certificates", () => {
  const ways: ReadonlyArray<readonly [string, NodeTransport.Options]> = [
    ["cert and key as PEM text", { cert: Tls.client.cert, key: Redacted.make(Tls.client.key) }],
    ["cert and key from files", { cert: { file: Tls.client.certFile }, key: { file: Tls.client.keyFile } }],
    ["an encrypted key and its passphrase", {
      cert: Tls.client.cert,
      key: Redacted.make(Tls.client.encryptedKey),
      passphrase: Redacted.make(Tls.client.passphrase)
    }],
    ["a PKCS#12 bundle", { pfx: Redacted.make(new Uint8Array(Tls.client.pfx)), passphrase: Redacted.make(Tls.client.passphrase) }]
  ]
  for (const [name, options] of ways) {
    it.scopedLive(`with the right certificate the call succeeds: ${name}`, () =>
      Effect.gen(function*() {
        const server = yield* mutual()
        const client = yield* Effect.orDie(clientWith({ baseUrl: server.url }, { ca: Tls.certificate, ...options }))
        expect(yield* client.get("/me")).toBe("for certified clients")
        expect(server.requests.map((r) => r.path)).toEqual(["/me"])
      }))
  }

  it.scopedLive("without a certificate the call is a typed Network failure and reaches no handler", () =>
    Effect.gen(function*() {
      const server = yield* mutual()
      const client = yield* Effect.orDie(clientWith({ baseUrl: server.url }, { ca: Tls.certificate }))
      const error = yield* Effect.flip(client.get("/me"))
      expect(error).toBeInstanceOf(CourierError.Network)
      // In TLS 1.3 the server checks the certificate after the client's side of
      // the handshake is done: its refusal arrives as an alert or a closed socket.
      expect(["Tls", "ConnectionReset"]).toContain((error as CourierError.Network).reason)
      expect(server.requests).toEqual([])
    }))

  it.scopedLive("through a proxy: the certificate is presented to the target inside the tunnel", () =>
    Effect.gen(function*() {
      const server = yield* mutual()
      const proxy = yield* Proxy.make()
      const client = yield* Effect.orDie(clientWith(
        { baseUrl: server.url },
        { ca: Tls.certificate, cert: Tls.client.cert, key: Redacted.make(Tls.client.key), proxy: proxy.url }
      ))
      expect(yield* client.get("/me")).toBe("for certified clients")
      expect(proxy.requests.map((r) => r.method)).toEqual(["CONNECT"])
    }))

  it.effect("a wrong setup fails the Layer with a ConfigError naming the option, never the secret", () =>
    Effect.gen(function*() {
      const build = (options: NodeTransport.Options) =>
        Effect.flip(Effect.scoped(clientWith({}, options)))
      expect(String(yield* build({ cert: Tls.client.cert }))).toContain("cert: a client certificate needs both cert and key")
      expect(String(yield* build({ pfx: Tls.client.pfx, cert: Tls.client.cert, key: Tls.client.key }))).toContain(
        "pfx: give either pfx or cert and key, not both"
      )
      const missing = String(yield* build({ cert: { file: "/nonexistent/client.pem" }, key: Tls.client.key }))
      expect(missing).toContain(`cert: the file "/nonexistent/client.pem" could not be read (ENOENT)`)
      expect(missing).not.toContain("PRIVATE KEY")
    }))
})
