/**
 * The `text/event-stream` format (HTML Living Standard, "Server-sent
 * events"), read line by line into events.
 */
import { utf8Length } from "./Lines.js"

/** One event as dispatched. */
export interface Event {
  /** `message` unless the server named it. */
  readonly event: string
  readonly data: string
  /** The last event id seen, if any. */
  readonly id: string | undefined
  /** The reconnection time the server asked for, in milliseconds. */
  readonly retry: number | undefined
}

/**
 * What one step of a `Parser` gives: the events the lines completed, and
 * whether an event's data went over the limit (the events before it are
 * still there; the parser is not to be used again).
 */
export interface Step {
  readonly events: ReadonlyArray<Event>
  readonly tooLarge: boolean
}

/** Reads lines (without terminators) into events, keeping the state of the event being built. */
export interface Parser {
  readonly push: (lines: Iterable<string>) => Step
}

/**
 * A parser. With `maxEventBytes`, an event whose data grows past that many
 * UTF-8 bytes (the newlines joining data lines counted) is reported as
 * `tooLarge`: a limit on each line alone would let a server grow one event
 * forever with short `data:` lines. A leading byte order mark is dropped,
 * comments and unknown fields ignored, an id holding NUL ignored, a `retry`
 * that is not all digits ignored; an event without data is not dispatched.
 */
export const makeParser = (maxEventBytes?: number): Parser => {
  let event = ""
  let data: Array<string> = []
  let dataBytes = 0
  let id: string | undefined
  let retry: number | undefined
  let first = true
  return {
    push: (lines) => {
      const events: Array<Event> = []
      for (const raw of lines) {
        let line = raw
        if (first) {
          first = false
          if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
        }
        if (line === "") {
          if (data.length > 0) events.push({ event: event === "" ? "message" : event, data: data.join("\n"), id, retry })
          event = ""
          data = []
          dataBytes = 0
          continue
        }
        if (line.startsWith(":")) continue
        const colon = line.indexOf(":")
        const field = colon === -1 ? line : line.slice(0, colon)
        let value = colon === -1 ? "" : line.slice(colon + 1)
        if (value.startsWith(" ")) value = value.slice(1)
        switch (field) {
          case "event":
            event = value
            break
          case "data":
            data.push(value)
            if (maxEventBytes !== undefined) {
              dataBytes += utf8Length(value) + 1
              if (dataBytes - 1 > maxEventBytes) return { events, tooLarge: true }
            }
            break
          case "id":
            if (!value.includes("\u0000")) id = value
            break
          case "retry":
            if (/^\d+$/.test(value)) retry = Number(value)
            break
        }
      }
      return { events, tooLarge: false }
    }
  }
}
