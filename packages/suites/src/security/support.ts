/** What the security cases share: the secrets they send, the servers and clients they start, the checks they repeat. */
import type { Check, Context } from "../Case.js"
import type { ClientSpec, Outcome, Route, SchemaSpec, Server } from "../Line.js"

export const secret = {
  bearer: "S3CRET-bearer-5b1d9",
  cookie: "S3CRET-cookie-c07e1",
  proxy: "S3CRET-proxy-8a2f4",
  apiKey: "S3CRET-apikey-44e0b"
} as const

export const credentials = {
  authorization: `Bearer ${secret.bearer}`,
  cookie: `sid=${secret.cookie}`,
  "proxy-authorization": `Basic ${secret.proxy}`,
  "x-api-key": secret.apiKey
} as const
export type CredentialName = keyof typeof credentials
export const credentialNames = Object.keys(credentials) as Array<CredentialName>

/** `x-api-key` is declared a credential: dropped on an origin change like `authorization`. */
export const withApiKey: ClientSpec = { credentialHeaders: ["x-api-key"] }

export const Landing: SchemaSpec = { _tag: "Struct", fields: { landed: { _tag: "String" } } }
export const landing = { _tag: "schema", schema: Landing } as const

export const json = (value: unknown, status = 200, headers: Record<string, string | ReadonlyArray<string>> = {}) =>
  ({ _tag: "respond", status, headers, body: { json: value } }) as const
export const redirect = (status: number, location: string) => ({ _tag: "redirect", status, location }) as const

export const serve = (context: Context, routes: ReadonlyArray<Route> = []): Promise<Server> =>
  context.line.serve({ kind: "http", routes }, context.scope)

export const clientOn = (context: Context, server: Server, more: ClientSpec = {}) =>
  context.line.client({ baseUrl: server.url, ...more }, context.scope)

/** Nothing at all reached the server: no request, no connection. */
export const untouched = async (check: Check, what: string, server: Server) => {
  check.equal(`${what}: journal`, await server.journal(), [])
  check.equal(`${what}: connections`, await server.totalConnections(), 0)
}

export const refusedWith = (check: Check, what: string, outcome: Outcome, reason: string) =>
  check.failure(what, outcome, "RequestRefused", { reason })

/** The api most cases call (`{ ok: true }` on every route) and a client on it; `more` adds to the client's spec. */
export const okApi = async (context: Context, more: (api: Server) => ClientSpec = () => ({})) => {
  const api = await serve(context, [["*", "/*", json({ ok: true })]])
  const client = await clientOn(context, api, more(api))
  return { check: context.check, api, client }
}
