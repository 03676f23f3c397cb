/**
 * `courier login <base-url> --user <name>` and `courier logout <base-url>`.
 *
 * The password comes from a hidden prompt on the terminal, or from stdin
 * with --password-stdin; never from an argument, which other users of the
 * machine can read in the process list. The tokens go to the token file
 * under the base URL's origin, and every later command against that origin
 * sends them (see `ClientLayer`).
 */
import * as Auth from "@courier/client/Auth"
import * as Body from "@courier/client/Body"
import * as CourierClient from "@courier/client/CourierClient"
import * as TokenStore from "@courier/client/TokenStore"
import * as Prompt from "@effect/cli/Prompt"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { LocalError, LoginRejected, UsageError } from "./CliError.js"
import * as ClientLayer from "./ClientLayer.js"
import * as Flags from "./Flags.js"
import * as Stdio from "./Stdio.js"

/** The login endpoint, relative to the base URL. */
export const loginPath = "/auth/login"

/** What login parsed. */
export interface LoginArgs extends Omit<Flags.Shared, "baseUrl"> {
  readonly baseUrl: string
  readonly user: string
  readonly passwordStdin: boolean
}

const originOrFail = (baseUrl: string) => {
  const origin = ClientLayer.originOf(baseUrl)
  return origin === undefined
    ? Effect.fail(new UsageError({ message: `${baseUrl} is not an http(s) URL; give the API's base URL` }))
    : Effect.succeed(origin)
}

const readPassword = (args: LoginArgs, origin: string) =>
  Effect.gen(function*() {
    const stdio = yield* Stdio.Stdio
    if (args.passwordStdin) {
      const text = yield* Effect.mapError(stdio.readStdin(64 * 1024), (message) => new UsageError({ message }))
      // One trailing newline is the end of the line `echo` wrote, not the password.
      return Redacted.make(text.replace(/\r?\n$/, ""))
    }
    if (!stdio.stdinIsTTY) {
      return yield* Effect.fail(
        new UsageError({ message: "no terminal to ask for the password on; pipe it in with --password-stdin" })
      )
    }
    return yield* Prompt.run(Prompt.hidden({ message: `Password for ${args.user} at ${origin}` }))
  })

const tokenStoreError = (error: TokenStore.TokenStoreError) =>
  Effect.flatMap(ClientLayer.tokenFile, (path) =>
    Effect.fail(new LocalError({ message: `${error.message} (${path}); check its permissions`, cause: error })))

/** Logs in and stores the tokens. */
export const login = (args: LoginArgs) =>
  Effect.gen(function*() {
    const origin = yield* originOrFail(args.baseUrl)
    yield* Flags.checkSession(args.session)
    if (args.user === "") return yield* Effect.fail(new UsageError({ message: "--user must not be empty" }))
    const password = yield* readPassword(args, origin)
    if (Redacted.value(password) === "") return yield* Effect.fail(new UsageError({ message: "the password is empty" }))
    const settings: ClientLayer.Settings = {
      baseUrl: args.baseUrl,
      timeout: args.timeout,
      connectTimeout: args.connectTimeout,
      retries: args.retries,
      maxRedirects: args.maxRedirects,
      verbose: args.verbose,
      session: args.session,
      transport: Flags.transport(args)
    }
    const tokens = yield* Effect.flatMap(CourierClient.CourierClient, (client) =>
      client.post(loginPath, {
        body: Body.json({ username: args.user, password: Redacted.value(password) }),
        schema: Auth.TokenResponse
      })).pipe(
        Effect.catchTag("Unauthorized", () =>
          Effect.fail(
            new LoginRejected({ message: `${origin} rejected the login of ${args.user}: wrong user name or password` })
          )),
        Effect.catchIf(
          (error) => error._tag === "BadResponse" && error.status === 403,
          () =>
            Effect.fail(new LoginRejected({ message: `${origin} refused the login of ${args.user} (403 Forbidden)` }))
        ),
        Effect.provide(ClientLayer.layerWithoutAuth(settings))
      )
    yield* Effect.flatMap(TokenStore.TokenStore, (store) =>
      store.set(TokenStore.tokens(tokens.accessToken, tokens.refreshToken))).pipe(
        Effect.catchTag("TokenStoreError", tokenStoreError),
        Effect.provide(ClientLayer.tokenStore(origin))
      )
    const { stderr } = yield* Stdio.Stdio
    const path = yield* ClientLayer.tokenFile
    yield* stderr.write(`courier: logged in to ${origin} as ${args.user}; the tokens are in ${path}\n`)
  }).pipe(Effect.provide(ClientLayer.verbosity(args.verbose)))

/** Forgets the tokens of an origin. */
export const logout = (args: { readonly baseUrl: string }) =>
  Effect.gen(function*() {
    const origin = yield* originOrFail(args.baseUrl)
    const had = yield* Effect.flatMap(TokenStore.TokenStore, (store) =>
      Effect.flatMap(store.get, (tokens) => Effect.as(store.clear, Option.isSome(tokens)))).pipe(
        Effect.catchTag("TokenStoreError", tokenStoreError),
        Effect.provide(ClientLayer.tokenStore(origin))
      )
    const { stderr } = yield* Stdio.Stdio
    yield* stderr.write(had ? `courier: logged out of ${origin}\n` : `courier: no login was stored for ${origin}\n`)
  })
