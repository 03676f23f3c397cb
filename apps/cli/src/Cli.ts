/**
 * The command surface:
 *
 * ```text
 * courier <get|post|put|patch|delete|head|options> <url> [items...]
 * courier download <url> -o <path> [items...]
 * courier login <base-url> --user <name> [--password-stdin]
 * courier logout <base-url>
 * ```
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ClientLayer from "./ClientLayer.js"
import * as DownloadCommand from "./DownloadCommand.js"
import * as Flags from "./Flags.js"
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
    logout
  ])
)

/** Parses `argv` (with node and the script first) and runs the command it names. */
export const run = Command.run(courier, { name: "courier", version: ClientLayer.version })
