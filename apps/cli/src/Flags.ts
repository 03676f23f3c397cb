/**
 * The flags every request-sending command shares, and how they and the URL
 * argument become client settings.
 */
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "./CliError.js"
import type * as ClientLayer from "./ClientLayer.js"

/** --base-url, --timeout, --connect-timeout, --retries, --max-redirects, --verbose, --session. */
export const shared = {
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription("Base URL that relative URLs are joined to (default: $COURIER_BASE_URL)"),
    Options.optional
  ),
  timeout: Options.float("timeout").pipe(
    Options.withDescription("Deadline for the whole request, in seconds; 0 for none (default 60; none for download)"),
    Options.optional
  ),
  connectTimeout: Options.float("connect-timeout").pipe(
    Options.withDescription("Time to establish the connection, in seconds (default 10)"),
    Options.optional
  ),
  retries: Options.integer("retries").pipe(
    Options.withDescription("Retries of a transient failure of an idempotent request (default 2)"),
    Options.optional
  ),
  maxRedirects: Options.integer("max-redirects").pipe(
    Options.withDescription("Redirects followed before giving up (default 10; 0 fails on a redirect)"),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("Log each request and response (redacted) and the status line on stderr")
  ),
  session: Options.text("session").pipe(
    Options.withDescription(
      "Keep cookies between runs in the named session (a 0600 file under the config dir; letters, digits, . _ -)"
    ),
    Options.optional
  ),
  proxy: Options.text("proxy").pipe(
    Options.withDescription(
      "Proxy URL, http://[user:password@]host:port (default: $https_proxy / $http_proxy / $all_proxy, as curl reads them)"
    ),
    Options.optional
  ),
  noproxy: Options.text("noproxy").pipe(
    Options.withDescription("Hosts that bypass the proxy, comma-separated; * for all (default: $no_proxy)"),
    Options.optional
  ),
  cert: Options.text("cert").pipe(
    Options.withDescription("Client certificate file (PEM) for servers that require one; needs --key"),
    Options.optional
  ),
  key: Options.text("key").pipe(
    Options.withDescription("Private key file (PEM) of --cert; a passphrase comes from $COURIER_KEY_PASSPHRASE"),
    Options.optional
  ),
  cacert: Options.text("cacert").pipe(
    Options.withDescription("Extra CA certificate file (PEM) to trust, next to the system's"),
    Options.optional
  ),
  http2: Options.boolean("http2").pipe(
    Options.withDescription("Offer HTTP/2 to https servers (HTTP/1.1 when the server does not take it)")
  )
}

/** The shared flags as parsed. */
export interface Shared {
  readonly baseUrl: Option.Option<string>
  readonly timeout: Option.Option<number>
  readonly connectTimeout: Option.Option<number>
  readonly retries: Option.Option<number>
  readonly maxRedirects: Option.Option<number>
  readonly verbose: boolean
  readonly session: Option.Option<string>
  readonly proxy: Option.Option<string>
  readonly noproxy: Option.Option<string>
  readonly cert: Option.Option<string>
  readonly key: Option.Option<string>
  readonly cacert: Option.Option<string>
  readonly http2: boolean
}

/** The transport flags as settings (files are read when the client is built). */
export const transport = (flags: Omit<Shared, "baseUrl">): ClientLayer.Transport => ({
  proxy: Option.getOrUndefined(flags.proxy),
  noProxy: Option.getOrUndefined(flags.noproxy),
  cert: Option.getOrUndefined(flags.cert),
  key: Option.getOrUndefined(flags.key),
  cacert: Option.getOrUndefined(flags.cacert),
  http2: flags.http2
})

const absolute = /^[a-zA-Z][a-zA-Z\d+\-.]*:\/\//

/** Whether the URL argument names a scheme (else it is a path under the base URL). */
export const isAbsolute = (url: string): boolean => absolute.test(url)

const checkCount = (name: string, value: Option.Option<number>) =>
  Option.isSome(value) && (!Number.isSafeInteger(value.value) || value.value < 0)
    ? Effect.fail(new UsageError({ message: `--${name} must be a whole number of at least 0` }))
    : Effect.void

const checkSeconds = (name: string, value: Option.Option<number>) =>
  Option.isSome(value) && (!Number.isFinite(value.value) || value.value < 0)
    ? Effect.fail(new UsageError({ message: `--${name} must be a number of seconds of at least 0` }))
    : Effect.void

// A session name becomes a file name: no separators, no `..`, nothing hidden.
const sessionName = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/

/** Fails when --session is not a plain name. */
export const checkSession = (session: Option.Option<string>) =>
  Option.isSome(session) && !sessionName.test(session.value)
    ? Effect.fail(
      new UsageError({
        message: "--session must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'"
      })
    )
    : Effect.void

/**
 * The settings for a request to `url`, and the URL to pass to the client.
 * The base URL is --base-url, else COURIER_BASE_URL, else (for an absolute
 * URL) that URL's origin, so that the token of that origin is sent and the
 * refresh path has something to be relative to.
 */
export const settings = (
  flags: Shared,
  url: string
): Effect.Effect<{ readonly settings: ClientLayer.Settings; readonly url: string }, UsageError> =>
  Effect.gen(function*() {
    yield* checkSeconds("timeout", flags.timeout)
    yield* checkSeconds("connect-timeout", flags.connectTimeout)
    yield* checkCount("retries", flags.retries)
    yield* checkCount("max-redirects", flags.maxRedirects)
    yield* checkSession(flags.session)
    const fromEnv = yield* Config.option(Config.nonEmptyString("COURIER_BASE_URL")).pipe(Effect.orDie)
    const explicit = Option.orElse(flags.baseUrl, () => fromEnv)
    let baseUrl = Option.getOrUndefined(explicit)
    if (baseUrl === undefined && isAbsolute(url)) {
      try {
        baseUrl = new URL(url).origin
        if (baseUrl === "null") baseUrl = undefined
      } catch {
        baseUrl = undefined
      }
    }
    if (baseUrl === undefined && !isAbsolute(url)) {
      return yield* Effect.fail(
        new UsageError({
          message: `${url} is a path and there is no base URL to join it to; pass --base-url URL or set COURIER_BASE_URL`
        })
      )
    }
    // Braces would be read as path parameter placeholders by the client; on
    // the command line they are just characters, sent percent-encoded.
    const sent = url.replace(/[{}]/g, (brace) => encodeURIComponent(brace))
    return {
      url: sent,
      settings: {
        baseUrl,
        timeout: flags.timeout,
        connectTimeout: flags.connectTimeout,
        retries: flags.retries,
        maxRedirects: flags.maxRedirects,
        verbose: flags.verbose,
        session: flags.session,
        transport: transport(flags)
      }
    }
  })
