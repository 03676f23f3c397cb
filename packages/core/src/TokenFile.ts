/**
 * The token file: one JSON object holding the tokens of several keys (one
 * per API, say), as both lines' file-backed token stores read and write it.
 * A file that is not valid JSON is refused without quoting it (its text is
 * tokens); entries that are not tokens are skipped.
 */

/** One key's tokens as stored: plain strings, epoch milliseconds. */
export interface Stored {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
  readonly expiresAt?: number | undefined
}

/** The file's text read into its entries; throws a SyntaxError that quotes nothing when it is not JSON. */
export const parse = (text: string): Record<string, Stored> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // V8's message quotes the text around the fault, and that text is tokens.
    throw new SyntaxError("the token file is not valid JSON")
  }
  const out: Record<string, Stored> = Object.create(null)
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "object" || entry === null) continue
    const { accessToken, expiresAt, refreshToken } = entry as Record<string, unknown>
    if (typeof accessToken !== "string") continue
    out[key] = {
      accessToken,
      refreshToken: typeof refreshToken === "string" ? refreshToken : undefined,
      ...(typeof expiresAt === "number" && Number.isFinite(expiresAt) ? { expiresAt } : {})
    }
  }
  return out
}

/** The file's text for `entries`. */
export const serialize = (entries: Readonly<Record<string, Stored>>): string => JSON.stringify(entries, null, 2) + "\n"

/** Whether a stored entry holds these tokens (same access and refresh token). */
export const holds = (entry: Stored, expected: Stored): boolean =>
  entry.accessToken === expected.accessToken && entry.refreshToken === expected.refreshToken
