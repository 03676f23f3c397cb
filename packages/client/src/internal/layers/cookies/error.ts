import * as Data from "effect/Data"

/**
 * The cookie file could not be read, or is not a cookie jar. The message
 * names the file, never its content.
 *
 * @internal
 */
export class CookieJarError extends Data.TaggedError("CookieJarError")<{
  readonly operation: "read"
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `the cookie jar ${this.path} could not be read`
  }
}
