/**
 * Content codings (RFC 9110 8.4): what a `content-encoding` header says was
 * applied to a body, and when a response has no body to decode at all.
 */

/** The codings of a `content-encoding` value, in the order applied, lower-cased, without `identity`. */
export const codings = (value: string | undefined): Array<string> =>
  value === undefined
    ? []
    : value.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "" && s !== "identity")

/** Whether a `content-encoding` value names any coding but `identity`. */
export const isEncoded = (value: string | undefined): boolean => codings(value).length > 0

/**
 * A HEAD answer, 1xx, 204 and 304 carry no body whatever their headers say
 * (RFC 9110 6.4.1): their content-encoding and content-length describe the
 * body a GET would have had, so there is nothing to decode or to count.
 */
export const hasNoBody = (method: string, status: number): boolean =>
  method === "HEAD" || status < 200 || status === 204 || status === 304
