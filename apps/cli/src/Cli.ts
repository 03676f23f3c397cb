/**
 * The command surface:
 *
 * ```text
 * courier <get|post|put|patch|delete|head|options> <url> [items...]
 * courier download <url> -o <path> [items...]
 * courier login <base-url> --user <name> [--password-stdin]
 * courier logout <base-url>
 * courier flags <list|watch> [--path P] [--targeting-key K] [--events P] [--interval S]
 * ```
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ClientLayer from "./ClientLayer.js"
import * as DownloadCommand from "./DownloadCommand.js"
import * as Flags from "./Flags.js"
import * as FlagsCommand from "./FlagsCommand.js"
import * as Login from "./Login.js"
import * as Request from "./Request.js"

const url = Args.text({ name: "url" }).pipe(
  Args.withDescription("An absolute http(s) URL, or a path joined to --base-url")
)

const items = Args.text({ name: "items" }).pipe(
  Args.withDescription(
    "name==value (query), Name:value (header), field=value (JSON string), field:=json (raw JSON), field@path (file, multipart)"
  ),
  Args.repeated
)

const quiet = Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress output"))

const requestCommand = (method: (typeof Request.methods)[number]) =>
  Command.make(method, {
    ...Flags.shared,
    bodyOnly: Options.boolean("body-only").pipe(
      Options.withAlias("b"),
      Options.withDescription("Print the body and nothing else: no status line, no upload progress")
    ),
    quiet,
    url,
    items
  }, (args) => Request.run(method, args)).pipe(
    Command.withDescription(
      `Send ${method === "options" ? "an" : "a"} ${method.toUpperCase()} request and print the response body`
    )
  )

const download = Command.make("download", {
  ...Flags.shared,
  output: Options.text("output").pipe(Options.withAlias("o"), Options.withDescription("The file to write")),
  quiet,
  url,
  items
}, DownloadCommand.run).pipe(
  Command.withDescription("Download to a file, with progress on stderr; a partial file never remains")
)

const baseUrl = Args.text({ name: "base-url" }).pipe(Args.withDescription("The API's base URL"))

const { baseUrl: _ignored, ...sharedWithoutBaseUrl } = Flags.shared

const login = Command.make("login", {
  ...sharedWithoutBaseUrl,
  baseUrl,
  user: Options.text("user").pipe(Options.withAlias("u"), Options.withDescription("The user name")),
  passwordStdin: Options.boolean("password-stdin").pipe(
    Options.withDescription("Read the password from stdin instead of prompting")
  )
}, Login.login).pipe(
  Command.withDescription(`POST ${Login.loginPath} and keep the tokens for later commands to that origin`)
)

const logout = Command.make("logout", { baseUrl }, Login.logout).pipe(
  Command.withDescription("Forget the tokens of that origin")
)

const flagOptions = {
  ...Flags.shared,
  path: Options.text("path").pipe(
    Options.withDescription("The OFREP bulk evaluation path (default /ofrep/v1/evaluate/flags)"),
    Options.optional
  ),
  targetingKey: Options.text("targeting-key").pipe(
    Options.withDescription("Sent as the evaluation context's targetingKey"),
    Options.optional
  ),
  events: Options.text("events").pipe(
    Options.withDescription("A server-sent event stream path whose events mean: evaluate again (watch only)"),
    Options.optional
  ),
  interval: Options.float("interval").pipe(
    Options.withDescription("Seconds between evaluations (default 30; watch only)"),
    Options.optional
  )
}

const flags = Command.make("flags").pipe(
  Command.withDescription("Feature flags from an OFREP server"),
  Command.withSubcommands([
    Command.make("list", flagOptions, FlagsCommand.list).pipe(
      Command.withDescription("Evaluate every flag once and print one line per flag")
    ),
    Command.make("watch", flagOptions, FlagsCommand.watch).pipe(
      Command.withDescription("Print the flags, then one line per change until interrupted")
    )
  ])
)

/** The root command. */
export const courier = Command.make("courier").pipe(
  Command.withDescription("An HTTP client for the command line, built on Courier"),
  Command.withSubcommands([
    requestCommand("get"),
    requestCommand("post"),
    requestCommand("put"),
    requestCommand("patch"),
    requestCommand("delete"),
    requestCommand("head"),
    requestCommand("options"),
    download,
    login,
    logout,
    flags
  ])
)

/** Parses `argv` (with node and the script first) and runs the command it names. */
export const run = Command.run(courier, { name: "courier", version: ClientLayer.version })
