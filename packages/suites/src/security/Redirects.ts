/**
 * The security cases about credentials on redirects: dropped on every origin
 * change, never restored, every hop checked again.
 */
import type { Case } from "../Case.js"
import type { CallSpec } from "../Line.js"
import { clientOn, credentialNames, credentials, json, landing, redirect, refusedWith, secret, serve, untouched, withApiKey, type CredentialName } from "./support.js"

// ---------------------------------------------------------------------------
// Credentials on redirects

type RedirectStatus = 301 | 302 | 303 | 307 | 308
const statuses: ReadonlyArray<RedirectStatus> = [301, 302, 303, 307, 308]

const redirectAdvisories: ReadonlyArray<readonly [advisory: string, names: ReadonlyArray<CredentialName>]> = [
  ["CVE-2018-1000007 (curl): Authorization is not passed to another host on redirect", ["authorization"]],
  ["CVE-2022-27776 (curl): Authorization and Cookie are not sent to the same host on another port", ["authorization", "cookie"]],
  ["CVE-2022-0155 (follow-redirects): Cookie is dropped on a redirect to another origin", ["cookie"]],
  ["CVE-2023-43804 (urllib3): Cookie is dropped on a cross-origin redirect", ["cookie"]],
  ["CVE-2024-24758 (undici): Proxy-Authorization is dropped on a cross-origin redirect", ["proxy-authorization"]],
  ["CVE-2024-28849 (follow-redirects): Proxy-Authorization is dropped across hosts", ["proxy-authorization"]],
  ["CVE-2023-32681 (requests): Proxy-Authorization does not reach the redirect target", ["proxy-authorization"]],
  ["class: a custom credential header (credentialHeaders: x-api-key) does not follow a cross-origin redirect", ["x-api-key"]]
]

export const redirects: ReadonlyArray<Case> = [
  ...redirectAdvisories.map(([advisory, names]): Case => ({
    name: `credentials on redirects: ${advisory}, for 301, 302, 303, 307 and 308`,
    run: async (context) => {
      const { check } = context
      for (const status of statuses) {
        const attacker = await serve(context, [["*", "/land", json({ landed: "attacker" })]])
        const api = await serve(context, [["*", "/start", redirect(status, `${attacker.url}/land`)]])
        const client = await clientOn(context, api, withApiKey)
        // POST with a body for 307/308 (so the body is sent again), GET otherwise.
        const post = status === 307 || status === 308
        const call: CallSpec = {
          method: post ? "POST" : "GET",
          path: "/start",
          headers: { ...credentials, "x-trace": "t-1" },
          ...(post ? { body: { _tag: "json", value: { note: "hello" } } } : {}),
          decode: landing
        }
        const outcome = await client.call(call)
        if (check.success(`${status}`, outcome)) check.equal(`${status}: the value`, outcome.body, { landed: "attacker" })
        const [atApi] = await api.requests("/start")
        const [atAttacker] = await attacker.requests("/land")
        for (const name of names) {
          // They did go to the first origin, so their absence at the attacker means something.
          check.equal(`${status} ${name} at the api`, atApi?.headers[name], credentials[name])
          check.equal(`${status} ${name} at the attacker`, atAttacker?.headers[name], undefined)
          check.lacks(`${status} at the attacker`, [(atAttacker?.bodyText ?? "") + JSON.stringify(atAttacker?.headers)], [credentials[name]])
        }
        check.equal(`${status} x-trace at the attacker`, atAttacker?.headers["x-trace"], "t-1")
      }
    }
  })),
  {
    name: "credentials on redirects: class: along a redirect chain: same origin keeps them, the first origin change drops them, coming back does not restore them",
    run: async (context) => {
      const { check } = context
      const api = await serve(context)
      const attacker = await serve(context, [["POST", "/bounce", redirect(307, `${api.url}/back`)]])
      await api.route("POST", "/start", redirect(308, "/next"))
      await api.route("POST", "/next", redirect(307, `${attacker.url}/bounce`))
      await api.route("POST", "/back", json({ landed: "api" }))
      const client = await clientOn(context, api, withApiKey)
      const outcome = await client.call({ method: "POST", path: "/start", headers: credentials, body: { _tag: "json", value: { n: 1 } }, decode: landing })
      if (check.success("the call", outcome)) check.equal("the value", outcome.body, { landed: "api" })
      const [next] = await api.requests("/next")
      const [bounce] = await attacker.requests("/bounce")
      const [back] = await api.requests("/back")
      for (const name of credentialNames) {
        check.equal(`${name} on /next`, next?.headers[name], credentials[name])
        check.equal(`${name} on /bounce`, bounce?.headers[name], undefined)
        check.equal(`${name} on /back`, back?.headers[name], undefined)
      }
      // 307/308 keep the method and the body along the chain.
      check.equal("method and body along the chain", [next, bounce, back].map((entry) => `${entry?.method} ${entry?.bodyText}`), Array(3).fill("POST {\"n\":1}"))
    }
  },
  {
    name: "credentials on redirects: CVE-2023-45803 (urllib3): the body is dropped on a 303 (and on a 301/302 of a POST)",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/land", json({ landed: "attacker" })]])
      const api = await serve(context)
      for (const status of [301, 302, 303] as const) await api.route("*", `/form/${status}`, redirect(status, `${attacker.url}/land`))
      const client = await clientOn(context, api)
      const body = { _tag: "form", fields: { password: secret.bearer, card: "4111111111111111" } } as const
      for (const status of [301, 302, 303] as const) check.success(`POST ${status}`, await client.call({ method: "POST", path: `/form/${status}`, body, decode: landing }))
      check.success("PUT 303", await client.call({ method: "PUT", path: "/form/303", body, decode: landing }))
      check.success("PATCH 303", await client.call({ method: "PATCH", path: "/form/303", body, decode: landing }))
      const landed = await attacker.requests("/land")
      check.equal("requests landed", landed.length, 5)
      for (const entry of landed) {
        check.equal("method", entry.method, "GET")
        check.equal("body size", entry.body.byteLength, 0)
        check.equal("content-type", entry.headers["content-type"], undefined)
        check.equal("content-length", entry.headers["content-length"], undefined)
      }
      check.ok("every request to the api carried the body", (await api.journal()).every((entry) => entry.bodyText.includes(secret.bearer)))
    }
  },
  {
    name: "credentials on redirects: CVE-2023-45857 (axios): no XSRF or cookie value is ever echoed into a header, to any origin",
    run: async (context) => {
      const { check } = context
      const other = await serve(context, [["*", "/*", json({ ok: true })]])
      const api = await serve(context, [
        ["GET", "/login", json({ ok: true }, 200, { "set-cookie": ["XSRF-TOKEN=S3CRET-xsrf; Path=/", "sid=S3CRET-sid"] })],
        ["*", "/*", json({ ok: true })]
      ])
      const client = await clientOn(context, api, { allowedOrigins: [other.url] })
      check.success("login", await client.call({ method: "GET", path: "/login" }))
      check.success("change", await client.call({ method: "POST", path: "/api/change", body: { _tag: "json", value: { a: 1 } } }))
      check.success("change elsewhere", await client.call({ method: "POST", path: `${other.url}/api/change`, body: { _tag: "json", value: { a: 1 } } }))
      const wire = [...(await api.journal()).slice(1), ...(await other.journal())]
      check.equal("requests", wire.length, 2)
      for (const entry of wire) {
        check.lacks("raw headers", [JSON.stringify(entry.rawHeaders)], ["S3CRET"])
        check.equal("x-xsrf-token", entry.headers["x-xsrf-token"], undefined)
        check.equal("cookie", entry.headers["cookie"], undefined)
      }
    }
  },
  {
    name: "credentials on redirects: CVE-2020-28168 (axios, SSRF through a redirect): every hop is checked again",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/*", json({ landed: "attacker" })]])
      const api = await serve(context, [
        ["GET", "/to-file", redirect(302, "file:///etc/passwd")],
        ["GET", "/to-gopher", redirect(302, `gopher://127.0.0.1:${attacker.port}/_x`)],
        ["GET", "/to-userinfo", redirect(302, `http://127.0.0.1:80@127.0.0.1:${attacker.port}/x`)],
        ["GET", "/to-attacker", redirect(302, `${attacker.url}/x`)]
      ])
      const client = await clientOn(context, api)
      refusedWith(check, "file:", await client.call({ method: "GET", path: "/to-file" }), "UnsupportedScheme")
      refusedWith(check, "gopher:", await client.call({ method: "GET", path: "/to-gopher" }), "UnsupportedScheme")
      refusedWith(check, "userinfo", await client.call({ method: "GET", path: "/to-userinfo" }), "CredentialsInUrl")
      // maxRedirects: 0 turns following off: the 3xx is the answer.
      check.failure("maxRedirects 0", await client.call({ method: "GET", path: "/to-attacker", maxRedirects: 0 }), "BadResponse", { status: 302 })
      await untouched(check, "attacker", attacker)
    }
  }
]

