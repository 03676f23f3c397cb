/**
 * The labels logs, spans and metrics share, kept to small closed sets so a
 * metric's series stay bounded (OpenTelemetry's rules for HTTP clients).
 */

const knownMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"])

/** The method, or `_OTHER` for a custom one. */
export const methodLabel = (method: string): string => knownMethods.has(method) ? method : "_OTHER"

/** `1xx`..`5xx`, or `none` when no status was received. */
export const statusClass = (status: number | undefined): string => {
  if (status === undefined || status < 100 || status > 599) return "none"
  return `${Math.floor(status / 100)}xx`
}

/**
 * What a span is ended with instead of the real failure. Tracers record the
 * exit (OpenTelemetry turns it into the status message and an exception
 * event), and a Courier failure's message can quote the response body: only
 * the tag and the closed reason or phase go through.
 */
export class SpanFailure extends Error {
  constructor(tag: string, detail: string | undefined) {
    super(detail === undefined ? tag : `${tag} (${detail})`)
    this.name = tag
    // The stack would only point into Courier's internals.
    this.stack = `${this.name}: ${this.message}`
  }
}
