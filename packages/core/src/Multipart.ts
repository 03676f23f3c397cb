/**
 * The framing of a `multipart/form-data` body (RFC 7578): the boundary,
 * each part's head, the closing delimiter and the total length when every
 * part's size is known. The contents are the caller's to send between them.
 */
import * as Headers from "./Headers.js"

const encoder = new TextEncoder()

/** A fresh boundary: 128 random bits, hex-encoded. */
export const boundary = (): string => {
  const random = new Uint8Array(16)
  crypto.getRandomValues(random)
  let hex = ""
  for (const byte of random) hex += byte.toString(16).padStart(2, "0")
  return `courier-${hex}`
}

// eslint-disable-next-line no-control-regex
const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

// The escaping browsers apply to names and filenames in form-data (WHATWG HTML),
// plus `\` as %5C: parsers that read the value as an RFC quoted-string (busboy,
// behind multer and fastify) take `\\` for one backslash and a trailing `\` for
// an escaped closing quote, which silently drops the part.
const escape = (s: string): string =>
  s.replace(/\\/g, "%5C").replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/** What the framing needs of one part. */
export interface PartHead {
  /** Checked at run time: a JavaScript caller may pass anything. */
  readonly name: unknown
  /** For a file part: its filename and content type. */
  readonly file?: { readonly filename: string; readonly contentType: string } | undefined
  /** The content's length in bytes; undefined when unknown (a stream). */
  readonly size: number | undefined
}

/** The bytes around the parts' contents. */
export interface Framing {
  readonly contentType: string
  /** One head per part, in order, each ending with the blank line. */
  readonly heads: ReadonlyArray<Uint8Array>
  /** Sent after each part's content. */
  readonly crlf: Uint8Array
  /** The closing delimiter, sent last. */
  readonly tail: Uint8Array
  /** The whole body's length, when every part's size is known. */
  readonly length: number | undefined
}

/**
 * The framing of `parts` with `mark` as the boundary, or why the parts are
 * refused: a name that is not a string, a control character other than tab
 * in a name or filename (CR and LF are escaped; others make the head
 * malformed, and parsers such as busboy reject the whole body), an empty
 * content type or one with a control character, or a head that contains the
 * boundary.
 */
export const frame = (parts: ReadonlyArray<PartHead>, mark: string = boundary()): Framing | string => {
  const heads: Array<Uint8Array> = []
  let length: number | undefined = 0
  for (const [index, part] of parts.entries()) {
    if (typeof part.name !== "string") return "a multipart part name must be a string"
    if (control.test(part.name) || (part.file !== undefined && control.test(part.file.filename))) {
      return `a multipart part name or filename contains a control character (part ${index + 1})`
    }
    let head = `--${mark}\r\nContent-Disposition: form-data; name="${escape(part.name)}"`
    if (part.file !== undefined) {
      if (!Headers.isFieldValue(part.file.contentType) || part.file.contentType.trim() === "") {
        return `the content type of part ${JSON.stringify(escape(part.name))} is empty or contains a control character`
      }
      head += `; filename="${escape(part.file.filename)}"\r\nContent-Type: ${part.file.contentType}`
    }
    head += "\r\n\r\n"
    if (head.includes(mark, mark.length + 2)) return "a multipart name or content type contains the boundary"
    const bytes = encoder.encode(head)
    heads.push(bytes)
    length = length === undefined || part.size === undefined ? undefined : length + bytes.byteLength + part.size + 2
  }
  const tail = encoder.encode(`--${mark}--\r\n`)
  return {
    contentType: `multipart/form-data; boundary=${mark}`,
    heads,
    crlf: encoder.encode("\r\n"),
    tail,
    length: length === undefined ? undefined : length + tail.byteLength
  }
}
