/**
 * The `Link` header (RFC 8288), as servers announce the next page of a
 * collection.
 */

/** One link: its target as written (possibly relative) and its parameters, names lower-cased. */
export interface Link {
  readonly target: string
  readonly params: Readonly<Record<string, string>>
}

const isSpace = (c: string | undefined) => c === " " || c === "\t"

/**
 * A small scanner over the header value: `<target>` then `; name=value`
 * parameters (token or quoted string), links separated by commas. A comma
 * inside `<...>` or a quoted string does not split links.
 */
export const parse = (value: string): ReadonlyArray<Link> => {
  const links: Array<Link> = []
  const n = value.length
  let i = 0
  const skipSpace = () => {
    while (i < n && isSpace(value[i])) i++
  }
  const skipToNextLink = () => {
    let quoted = false
    while (i < n) {
      const c = value[i]
      if (quoted) {
        if (c === "\\") i++
        else if (c === "\"") quoted = false
      } else if (c === "\"") quoted = true
      else if (c === ",") break
      i++
    }
  }
  while (i < n) {
    while (i < n && (isSpace(value[i]) || value[i] === ",")) i++
    if (i >= n) break
    if (value[i] !== "<") {
      skipToNextLink()
      continue
    }
    const close = value.indexOf(">", i + 1)
    if (close === -1) break
    const target = value.slice(i + 1, close).trim()
    i = close + 1
    const params: Record<string, string> = {}
    skipSpace()
    while (i < n && value[i] === ";") {
      i++
      skipSpace()
      let name = ""
      while (i < n && !"=;, \t".includes(value[i]!)) name += value[i++]
      skipSpace()
      let paramValue = ""
      if (value[i] === "=") {
        i++
        skipSpace()
        if (value[i] === "\"") {
          i++
          while (i < n && value[i] !== "\"") {
            if (value[i] === "\\" && i + 1 < n) i++
            paramValue += value[i++]
          }
          i++
        } else {
          while (i < n && !";, \t".includes(value[i]!)) paramValue += value[i++]
        }
      }
      skipSpace()
      const key = name.toLowerCase()
      // RFC 8288 3.3: occurrences after the first of a parameter are ignored.
      if (key !== "" && !Object.prototype.hasOwnProperty.call(params, key)) params[key] = paramValue
    }
    skipToNextLink()
    links.push({ target, params })
  }
  return links
}

/**
 * The URL of the first link whose `rel` includes `next` (relation types
 * compared case-insensitively), resolved against `base`; undefined when
 * there is none or its target does not resolve. Braces are percent-encoded:
 * left in a query, they would read as `{name}` path placeholders.
 */
export const nextUrl = (header: string, base: URL): string | undefined => {
  for (const link of parse(header)) {
    // `rel` holds space-separated relation types.
    const rels = (link.params["rel"] ?? "").toLowerCase().split(/[ \t]+/)
    if (!rels.includes("next")) continue
    let resolved: URL
    try {
      resolved = new URL(link.target, base)
    } catch {
      return undefined
    }
    return resolved.href.replace(/\{/g, "%7B").replace(/\}/g, "%7D")
  }
  return undefined
}
