/**
 * The `Retry-After` header (RFC 9110 10.2.3): delay-seconds or an HTTP date,
 * read as the wait it asks for, in milliseconds.
 */

// Any number of digits: a value too long to read exactly is still too long a wait
// (it goes over a caller's maximum), never "no Retry-After" and the default backoff.
const delaySeconds = /^\s*(\d+)\s*$/
const httpDate = /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,.*GMT\s*$/
/** The obsolete asctime form (RFC 9110 5.6.7), always GMT though it does not say so. */
const asctime = /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})\s*$/
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** An HTTP date in any of its three forms, in epoch milliseconds, or NaN. */
export const parseHttpDate = (value: string): number => {
  const old = asctime.exec(value)
  if (old !== null) {
    const [, month, day, hours, minutes, seconds, year] = old
    return Date.UTC(Number(year), months.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds))
  }
  // An HTTP date must at least name a weekday and GMT; Date.parse accepts too much else
  // ("5 GMT" parses as a date in 2001, which would read as "retry now").
  return httpDate.test(value) ? Date.parse(value) : NaN
}

/**
 * The wait a `Retry-After` value asks for, in milliseconds: delay-seconds
 * as they are, a date as the time from `now` (epoch milliseconds) to it,
 * zero when it has passed. Undefined when the value is neither.
 */
export const parse = (value: string, now: number): number | undefined => {
  const seconds = delaySeconds.exec(value)
  if (seconds !== null) return Number(seconds[1]) * 1000
  const at = parseHttpDate(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The wait the `retry-after` header of lower-cased `headers` asks for, in milliseconds, if it has a readable one. */
export const fromHeaders = (headers: Readonly<Record<string, string>>, now: number): number | undefined => {
  const value = headers["retry-after"]
  return value === undefined ? undefined : parse(value, now)
}
