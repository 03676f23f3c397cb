import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as Crypto from "node:crypto"
import { DemoApi, Seed } from "../src/index.js"

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
  readonly text: string
  readonly json: any
}

/** One exchange with plain `fetch`, the body read in full. */
const call = (url: string, init?: RequestInit): Effect.Effect<Reply, unknown> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal, ...init })
      const body = new Uint8Array(await response.arrayBuffer())
      const text = new TextDecoder().decode(body)
      let json: unknown = undefined
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON; the test looks at `text`
      }
      return { status: response.status, headers: response.headers, body, text, json }
    },
    catch: (cause) => cause
  })

const sendJson = (method: string, url: string, body: unknown, token?: string) =>
  call(url, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
    },
    body: JSON.stringify(body)
  })

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

const login = (api: DemoApi.Service, username = "Bret") =>
  Effect.map(sendJson("POST", `${api.url}/auth/login`, { username, password: Seed.password }), (reply) => {
    expect(reply.status).toBe(200)
    return reply.json as { accessToken: string; refreshToken: string; expiresIn: number; tokenType: string }
  })

/** The demo file's bytes: the byte at offset `o` is `o % 256`. */
const expectPattern = (body: Uint8Array, from: number) => {
  for (let i = 0; i < body.length; i += 997) expect(body[i]).toBe((from + i) % 256)
  expect(body[body.length - 1]).toBe((from + body.length - 1) % 256)
}

describe("DemoApi", () => {
  it.scoped("serves the seeded resources and 404s", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      expect(api.url).toBe(`http://127.0.0.1:${api.port}`)

      const users = yield* call(`${api.url}/users`)
      expect(users.json).toEqual(Seed.users)
      expect(users.headers.get("x-total-count")).toBe("10")
      expect((yield* call(`${api.url}/posts`)).json).toHaveLength(100)
      expect((yield* call(`${api.url}/comments`)).json).toHaveLength(500)
      expect((yield* call(`${api.url}/todos`)).json).toHaveLength(200)
      expect((yield* call(`${api.url}/users/1`)).json).toMatchObject({ id: 1, username: "Bret" })
      expect((yield* call(`${api.url}/posts/100`)).json).toEqual(Seed.posts[99])

      for (const path of ["/users/11", "/posts/0", "/posts/abc", "/posts/101/comments", "/nowhere"]) {
        const missing = yield* call(`${api.url}${path}`)
        expect([path, missing.status, missing.json]).toEqual([path, 404, { error: "not found" }])
      }
    }))

  it.scoped("filters by any field and paginates with x-total-count and link", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()

      const byUser = yield* call(`${api.url}/posts?userId=1`)
      expect(byUser.json.map((p: Seed.Post) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

      const done = yield* call(`${api.url}/todos?userId=2&completed=true`)
      const expected = Seed.todos.filter((t) => t.userId === 2 && t.completed)
      expect(expected.length).toBeGreaterThan(0)
      expect(done.json).toEqual(expected)
      expect(done.headers.get("x-total-count")).toBe(String(expected.length))

      const either = yield* call(`${api.url}/users?id=2&id=4&unknownField=x`)
      expect(either.json.map((u: Seed.User) => u.id)).toEqual([2, 4])

      const comments = yield* call(`${api.url}/posts/3/comments`)
      expect(comments.json).toEqual(Seed.comments.filter((c) => c.postId === 3))
      expect(comments.json).toHaveLength(5)

      const page = yield* call(`${api.url}/posts?_page=2&_limit=5`)
      expect(page.json.map((p: Seed.Post) => p.id)).toEqual([6, 7, 8, 9, 10])
      expect(page.headers.get("x-total-count")).toBe("100")
      const link = page.headers.get("link")!
      expect(link).toContain(`<${api.url}/posts?_page=1&_limit=5>; rel="first"`)
      expect(link).toContain(`<${api.url}/posts?_page=1&_limit=5>; rel="prev"`)
      expect(link).toContain(`<${api.url}/posts?_page=3&_limit=5>; rel="next"`)
      expect(link).toContain(`<${api.url}/posts?_page=20&_limit=5>; rel="last"`)

      const lastPage = yield* call(`${api.url}/comments?postId=1&_page=1`)
      expect(lastPage.json).toHaveLength(5)
      expect(lastPage.headers.get("link")).not.toContain(`rel="next"`)

      expect((yield* call(`${api.url}/posts?_page=0`)).status).toBe(400)
    }))

  it.scoped("logs in, answers /me with the token and 401s without one", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()

      const tokens = yield* login(api)
      expect(tokens.tokenType).toBe("Bearer")
      expect(tokens.expiresIn).toBe(60)
      expect(tokens.accessToken).not.toBe(tokens.refreshToken)
      expect((yield* login(api)).accessToken).not.toBe(tokens.accessToken)

      const me = yield* call(`${api.url}/me`, bearer(tokens.accessToken))
      expect(me.json).toEqual(Seed.users[0])
      const myTodos = yield* call(`${api.url}/me/todos?completed=false`, bearer(tokens.accessToken))
      expect(myTodos.json).toEqual(Seed.todos.filter((t) => t.userId === 1 && !t.completed))

      const demo = yield* login(api, "demo")
      expect((yield* call(`${api.url}/me`, bearer(demo.accessToken))).json).toMatchObject({ id: 1 })
      const other = yield* login(api, "Antonette")
      expect((yield* call(`${api.url}/me`, bearer(other.accessToken))).json).toMatchObject({ id: 2 })

      const wrong = yield* sendJson("POST", `${api.url}/auth/login`, { username: "Bret", password: "nope" })
      expect([wrong.status, wrong.json]).toEqual([401, { error: "invalid credentials" }])
      const malformed = yield* sendJson("POST", `${api.url}/auth/login`, { username: "Bret" })
      expect(malformed.status).toBe(400)

      const missing = yield* call(`${api.url}/me`)
      expect([missing.status, missing.json]).toEqual([401, { error: "unauthorized" }])
      expect(missing.headers.get("www-authenticate")).toBe("Bearer")
      const unknown = yield* call(`${api.url}/me/todos`, bearer("not-a-token"))
      expect(unknown.status).toBe(401)
      expect(unknown.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/)
    }))

  it.scoped("writes posts in memory, behind the token", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const { accessToken } = yield* login(api)
      const draft = { userId: 1, title: "Hello Courier", body: "typed failures" }

      const anonymous = yield* sendJson("POST", `${api.url}/posts`, draft)
      expect([anonymous.status, anonymous.headers.get("www-authenticate")]).toEqual([401, "Bearer"])
      expect((yield* call(`${api.url}/posts/1`, { method: "DELETE" })).status).toBe(401)

      const created = yield* sendJson("POST", `${api.url}/posts`, draft, accessToken)
      expect([created.status, created.json]).toEqual([201, { id: 101, ...draft }])
      expect((yield* sendJson("POST", `${api.url}/posts`, draft, accessToken)).json.id).toBe(102)
      expect((yield* call(`${api.url}/posts/101`)).json).toEqual({ id: 101, ...draft })

      const invalid = yield* sendJson("POST", `${api.url}/posts`, { userId: "one", title: "" }, accessToken)
      expect(invalid.status).toBe(400)
      expect(invalid.json.error).toBe("invalid body")
      expect(invalid.json.issues.length).toBeGreaterThanOrEqual(3)
      const notJson = yield* call(`${api.url}/posts`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
        body: "{nope"
      })
      expect(notJson.status).toBe(400)

      const patched = yield* sendJson("PATCH", `${api.url}/posts/1`, { title: "patched" }, accessToken)
      expect(patched.json).toEqual({ ...Seed.posts[0], title: "patched" })
      const replaced = yield* sendJson("PUT", `${api.url}/posts/2`, draft, accessToken)
      expect(replaced.json).toEqual({ id: 2, ...draft })
      expect((yield* sendJson("PUT", `${api.url}/posts/999`, draft, accessToken)).status).toBe(404)

      const deleted = yield* call(`${api.url}/posts/1`, { method: "DELETE", ...bearer(accessToken) })
      expect([deleted.status, deleted.json]).toEqual([200, {}])
      expect((yield* call(`${api.url}/posts/1`)).status).toBe(404)
      expect((yield* call(`${api.url}/posts`)).json).toHaveLength(101)
    }))

  it.scoped("access tokens expire after accessTokenTtl on effect's Clock", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make({ accessTokenTtl: "1 minute", refreshTokenTtl: "2 minutes" })
      const first = yield* login(api)

      yield* TestClock.adjust("59 seconds")
      expect((yield* call(`${api.url}/me`, bearer(first.accessToken))).status).toBe(200)
      yield* TestClock.adjust("1 second")
      const expired = yield* call(`${api.url}/me`, bearer(first.accessToken))
      expect([expired.status, expired.json]).toEqual([401, { error: "unauthorized" }])
      expect(expired.headers.get("www-authenticate")).toContain(`error="invalid_token"`)

      // The refresh token outlives the access token.
      const refreshed = yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken: first.refreshToken })
      expect(refreshed.status).toBe(200)
      expect((yield* call(`${api.url}/me`, bearer(refreshed.json.accessToken))).status).toBe(200)

      yield* TestClock.adjust("2 minutes")
      const late = yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken: refreshed.json.refreshToken })
      expect(late.status).toBe(401)
    }))

  it.scoped("expireAccessTokens expires every token issued so far", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const before = yield* login(api)
      yield* api.expireAccessTokens
      expect((yield* call(`${api.url}/me`, bearer(before.accessToken))).status).toBe(401)
      const after = yield* login(api)
      expect((yield* call(`${api.url}/me`, bearer(after.accessToken))).status).toBe(200)
    }))

  it.scoped("refresh rotates: the old refresh token is rejected afterwards", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const first = yield* login(api)

      const second = yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken: first.refreshToken })
      expect(second.status).toBe(200)
      expect(second.json.refreshToken).not.toBe(first.refreshToken)
      expect(second.json.accessToken).not.toBe(first.accessToken)
      expect((yield* call(`${api.url}/me`, bearer(second.json.accessToken))).json).toMatchObject({ id: 1 })

      const reused = yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken: first.refreshToken })
      expect([reused.status, reused.json]).toEqual([401, { error: "invalid refresh token" }])

      const third = yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken: second.json.refreshToken })
      expect(third.status).toBe(200)

      const stats = yield* api.stats
      expect({ logins: stats.logins, refreshes: stats.refreshes, refreshFailures: stats.refreshFailures }).toEqual({
        logins: 1,
        refreshes: 2,
        refreshFailures: 1
      })
    }))

  describe("the OAuth2 token endpoint on its own origin", () => {
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`
    const clientBasic = basic(Seed.oauthClient.id, Seed.oauthClient.secret)
    const form = (url: string, fields: Record<string, string>, authorization?: string) =>
      call(`${url}/oauth/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...(authorization === undefined ? {} : { authorization })
        },
        body: new URLSearchParams(fields).toString()
      })
    const passwordGrant = (api: DemoApi.Service) =>
      Effect.map(
        form(api.authUrl, { grant_type: "password", username: "demo", password: Seed.password }, clientBasic),
        (reply) => {
          expect(reply.status).toBe(200)
          return reply.json as { access_token: string; refresh_token: string; expires_in: number; scope: string }
        }
      )

    it.scoped("grants tokens the API accepts, and refreshes with rotation, from another port", () =>
      Effect.gen(function*() {
        const api = yield* DemoApi.make({ accessTokenTtl: "30 seconds" })
        expect(api.authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(new URL(api.authUrl).origin).not.toBe(new URL(api.url).origin)

        const login = yield* form(api.authUrl, { grant_type: "password", username: "demo", password: Seed.password }, clientBasic)
        expect(login.status).toBe(200)
        expect(login.headers.get("cache-control")).toBe("no-store")
        expect(login.json).toMatchObject({ token_type: "Bearer", expires_in: 30, scope: Seed.oauthScope })
        expect((yield* call(`${api.url}/me`, bearer(login.json.access_token))).json).toMatchObject({ id: 1 })

        // Client credentials in the body instead of a Basic header.
        const refreshed = yield* form(api.authUrl, {
          grant_type: "refresh_token",
          refresh_token: login.json.refresh_token,
          client_id: Seed.oauthClient.id,
          client_secret: Seed.oauthClient.secret
        })
        expect(refreshed.status).toBe(200)
        expect(refreshed.json.refresh_token).not.toBe(login.json.refresh_token)
        expect((yield* call(`${api.url}/me`, bearer(refreshed.json.access_token))).json).toMatchObject({ id: 1 })

        // The old refresh token was used up: invalid_grant, a 400 (RFC 6749 section 5.2).
        const reused = yield* form(api.authUrl, { grant_type: "refresh_token", refresh_token: login.json.refresh_token }, clientBasic)
        expect([reused.status, reused.json.error]).toEqual([400, "invalid_grant"])

        // The API's routes are not served by the authorization server, nor the other way round.
        expect((yield* call(`${api.authUrl}/me`, bearer(refreshed.json.access_token))).status).toBe(404)
        expect((yield* form(api.url, { grant_type: "password" }, clientBasic)).status).toBe(404)

        const stats = yield* api.stats
        expect(stats.requests["POST /oauth/token"]).toBe(3)
        expect({ logins: stats.logins, refreshes: stats.refreshes, refreshFailures: stats.refreshFailures }).toEqual({
          logins: 1,
          refreshes: 1,
          refreshFailures: 1
        })
      }))

    it.scoped("a refresh may narrow the scope, never widen it", () =>
      Effect.gen(function*() {
        const api = yield* DemoApi.make()
        const tokens = yield* passwordGrant(api)
        const wider = yield* form(api.authUrl, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, scope: "read admin" }, clientBasic)
        expect([wider.status, wider.json.error]).toEqual([400, "invalid_scope"])
        // A refused scope does not use the refresh token up.
        const narrower = yield* form(api.authUrl, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, scope: "read" }, clientBasic)
        expect([narrower.status, narrower.json.scope]).toEqual([200, "read"])
      }))

    it.scoped("answers RFC 6749 errors: invalid_client, invalid_request, unsupported_grant_type", () =>
      Effect.gen(function*() {
        const api = yield* DemoApi.make()
        const tokens = yield* passwordGrant(api)
        const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token }

        const wrongSecret = yield* form(api.authUrl, refresh, basic(Seed.oauthClient.id, "nope"))
        expect([wrongSecret.status, wrongSecret.json.error]).toEqual([401, "invalid_client"])
        expect(wrongSecret.headers.get("www-authenticate")).toMatch(/^Basic /)
        const noClient = yield* form(api.authUrl, refresh)
        expect([noClient.status, noClient.json.error, noClient.headers.get("www-authenticate")]).toEqual([401, "invalid_client", null])
        const both = yield* form(api.authUrl, { ...refresh, client_id: Seed.oauthClient.id }, clientBasic)
        expect([both.status, both.json.error]).toEqual([400, "invalid_request"])

        const asJson = yield* call(`${api.authUrl}/oauth/token`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: clientBasic },
          body: JSON.stringify(refresh)
        })
        expect([asJson.status, asJson.json.error]).toEqual([400, "invalid_request"])
        const noGrant = yield* form(api.authUrl, { refresh_token: tokens.refresh_token }, clientBasic)
        expect([noGrant.status, noGrant.json.error]).toEqual([400, "invalid_request"])
        const otherGrant = yield* form(api.authUrl, { grant_type: "client_credentials" }, clientBasic)
        expect([otherGrant.status, otherGrant.json.error]).toEqual([400, "unsupported_grant_type"])
        const wrongPassword = yield* form(api.authUrl, { grant_type: "password", username: "demo", password: "nope" }, clientBasic)
        expect([wrongPassword.status, wrongPassword.json.error]).toEqual([400, "invalid_grant"])

        // None of these used the refresh token up.
        expect((yield* form(api.authUrl, refresh, clientBasic)).status).toBe(200)
        // The two invalid_client answers are 401s, counted as any other.
        expect((yield* api.stats).unauthorized).toBe(2)
      }))
  })

  it.scoped("echoes a multipart upload with each file's size and sha256", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const big = Crypto.randomBytes(3 * 1024 * 1024 + 17)
      const meta = JSON.stringify({ kind: "meta" })
      const form = new FormData()
      form.append("name", "courier")
      form.append("tag", "a")
      form.append("tag", "b")
      form.append("data", new Blob([big], { type: "application/octet-stream" }), "data.bin")
      form.append("meta", new Blob([meta], { type: "application/json" }), "meta.json")

      const reply = yield* call(`${api.url}/upload`, { method: "POST", body: form })
      expect(reply.status).toBe(200)
      expect(reply.json).toEqual({
        fields: { name: "courier", tag: ["a", "b"] },
        files: [
          {
            field: "data",
            filename: "data.bin",
            contentType: "application/octet-stream",
            size: big.length,
            sha256: Crypto.createHash("sha256").update(big).digest("hex")
          },
          {
            field: "meta",
            filename: "meta.json",
            contentType: "application/json",
            size: meta.length,
            sha256: Crypto.createHash("sha256").update(meta).digest("hex")
          }
        ]
      })

      const notMultipart = yield* sendJson("POST", `${api.url}/upload`, { name: "x" })
      expect(notMultipart.status).toBe(400)
    }))

  it.scoped("serves deterministic files with Range, If-Range and HEAD", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const size = 1024 * 1024
      const url = `${api.url}/files/${size}`

      const whole = yield* call(url)
      expect(whole.status).toBe(200)
      expect(whole.body.length).toBe(size)
      expectPattern(whole.body, 0)
      const etag = whole.headers.get("etag")!
      expect(Object.fromEntries(whole.headers)).toMatchObject({
        "content-length": String(size),
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        "content-disposition": `attachment; filename="file-${size}.bin"`
      })
      expect((yield* call(url)).headers.get("etag")).toBe(etag)
      expect((yield* call(`${api.url}/files/10`)).headers.get("etag")).not.toBe(etag)

      const middle = yield* call(url, { headers: { range: "bytes=1000-1999" } })
      expect(middle.status).toBe(206)
      expect(middle.headers.get("content-range")).toBe(`bytes 1000-1999/${size}`)
      expect(middle.body.length).toBe(1000)
      expectPattern(middle.body, 1000)

      const tail = yield* call(url, { headers: { range: `bytes=${size - 300}-`, "if-range": etag } })
      expect([tail.status, tail.headers.get("content-range"), tail.body.length]).toEqual([
        206,
        `bytes ${size - 300}-${size - 1}/${size}`,
        300
      ])
      expectPattern(tail.body, size - 300)

      const stale = yield* call(url, { headers: { range: "bytes=0-9", "if-range": `"some-other-version"` } })
      expect([stale.status, stale.body.length, stale.headers.get("content-range")]).toEqual([200, size, null])

      const beyond = yield* call(url, { headers: { range: `bytes=${size}-` } })
      expect([beyond.status, beyond.headers.get("content-range")]).toEqual([416, `bytes */${size}`])

      const head = yield* call(url, { method: "HEAD" })
      expect([head.status, head.headers.get("content-length"), head.body.length]).toEqual([200, String(size), 0])

      expect((yield* call(`${api.url}/files/0`)).body.length).toBe(0)
      expect((yield* call(`${api.url}/files/${4 * 1024 ** 3 + 1}`)).status).toBe(400)
    }))

  it.scoped("flaky and ratelimit answer their scripted sequences per key", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const flaky = `${api.url}/fault/flaky?key=k1&failures=2&status=503`
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((yield* call(flaky)).status)
      expect(statuses).toEqual([503, 503, 200])
      expect((yield* call(flaky)).json).toEqual({ ok: true, attempts: 4 })
      expect((yield* call(`${api.url}/fault/flaky?key=k2&failures=1&status=500`, { method: "POST" })).status).toBe(500)

      const limited = yield* call(`${api.url}/fault/ratelimit?key=r1&retryAfter=2`)
      expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "2"])
      const allowed = yield* call(`${api.url}/fault/ratelimit?key=r1&retryAfter=2`)
      expect([allowed.status, allowed.json]).toEqual([200, { ok: true, attempts: 2 }])
      expect((yield* call(`${api.url}/fault/ratelimit?key=r2`)).status).toBe(429)
    }))

  it.scoped("answers the other scripted faults", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()

      const teapot = yield* call(`${api.url}/fault/status/418`)
      expect([teapot.status, teapot.json]).toEqual([418, { error: "I'm a Teapot", code: 418 }])
      expect((yield* call(`${api.url}/fault/status/204`)).status).toBe(204)

      const redirect = yield* call(`${api.url}/fault/redirect?to=/users/1&status=307`, { redirect: "manual" })
      expect([redirect.status, redirect.headers.get("location")]).toEqual([307, "/users/1"])
      expect((yield* call(`${api.url}/fault/redirect?to=/users/1`)).json).toMatchObject({ username: "Bret" })

      const badJson = yield* call(`${api.url}/fault/bad-json`)
      expect([badJson.status, badJson.headers.get("content-type"), badJson.json]).toEqual([
        200,
        "application/json",
        undefined
      ])
      const html = yield* call(`${api.url}/fault/html`)
      expect([html.status, html.headers.get("content-type")]).toEqual([200, "text/html"])
      expect(html.text).toContain("<html>")

      expect((yield* call(`${api.url}/fault/error-rate?rate=1`)).status).toBe(503)
      expect((yield* call(`${api.url}/fault/error-rate?rate=0`)).json).toEqual({ ok: true })
    }))

  it.live("latency, drip and stall take their time", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()

      const [elapsed, latency] = yield* Effect.timed(call(`${api.url}/fault/latency?ms=150`))
      expect(latency.json).toEqual({ ok: true, delayedMs: 150 })
      expect(Duration.toMillis(elapsed)).toBeGreaterThanOrEqual(140)

      const drip = yield* call(`${api.url}/fault/drip?chunks=4&interval=30&bytes=2`)
      expect([drip.text, drip.headers.get("content-length")]).toEqual(["........", "8"])

      const stalled = yield* Effect.flip(call(`${api.url}/fault/stall`, { signal: AbortSignal.timeout(200) }))
      expect((stalled as Error).name).toBe("TimeoutError")
    }).pipe(Effect.scoped))

  it.live("closing the scope does not wait for a stalled response", () =>
    Effect.gen(function*() {
      const pending = yield* Effect.scoped(Effect.gen(function*() {
        const api = yield* DemoApi.make()
        const fiber = yield* Effect.forkDaemon(Effect.either(call(`${api.url}/fault/stall`)))
        while (((yield* api.stats).requests["GET /fault/stall"] ?? 0) === 0) yield* Effect.sleep("10 millis")
        return fiber
      })).pipe(Effect.timeout("2 seconds"))
      const outcome = yield* Fiber.join(pending).pipe(Effect.timeout("2 seconds"))
      expect(outcome._tag).toBe("Left")
    }))

  it.scoped("resource faults from Options apply to resource routes only", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make({ faults: { errorRate: 1 } })
      const users = yield* call(`${api.url}/users`)
      expect([users.status, users.json]).toEqual([503, { error: "injected fault", code: 503 }])
      expect((yield* call(`${api.url}/me`)).status).toBe(503)
      expect((yield* login(api)).tokenType).toBe("Bearer")
      expect((yield* call(`${api.url}/files/10`)).status).toBe(200)
    }))

  it.live("Options latency delays resource routes", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make({ faults: { latency: "150 millis" } })
      const [elapsed, users] = yield* Effect.timed(call(`${api.url}/users/1`))
      expect(users.status).toBe(200)
      expect(Duration.toMillis(elapsed)).toBeGreaterThanOrEqual(140)
    }).pipe(Effect.scoped))

  it.scoped("counts requests by route pattern, logins, refreshes and 401s", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      yield* call(`${api.url}/users/1`)
      yield* call(`${api.url}/users/2`)
      yield* call(`${api.url}/files/10`, { method: "HEAD" })
      yield* call(`${api.url}/nowhere`)
      yield* call(`${api.url}/me`)
      yield* sendJson("POST", `${api.url}/auth/login`, { username: "Bret", password: "wrong" })
      const { refreshToken } = yield* login(api)
      yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken })
      yield* sendJson("POST", `${api.url}/auth/refresh`, { refreshToken })

      expect(yield* api.stats).toEqual({
        logins: 1,
        refreshes: 1,
        refreshFailures: 1,
        unauthorized: 3,
        requests: {
          "GET /users/:id": 2,
          "HEAD /files/:size": 1,
          "GET /me": 1,
          "POST /auth/login": 2,
          "POST /auth/refresh": 2
        }
      })

      yield* api.resetStats
      expect(yield* api.stats).toEqual({ logins: 0, refreshes: 0, refreshFailures: 0, unauthorized: 0, requests: {} })
    }))

  it.effect("DemoApi.layer provides the service", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      expect((yield* call(`${api.url}/users/3`)).json).toEqual(Seed.users[2])
    }).pipe(Effect.provide(DemoApi.layer())))
})
