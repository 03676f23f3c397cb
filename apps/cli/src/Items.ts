/**
 * Request items, as httpie spells them after the URL:
 *
 * | item           | meaning                                             |
 * | -------------- | --------------------------------------------------- |
 * | `name==value`  | query parameter (repeatable)                        |
 * | `Name:value`   | header; `Name:` with nothing after removes a default |
 * | `field=value`  | JSON string field                                   |
 * | `field:=json`  | raw JSON field (`n:=1`, `tags:='["a"]'`)            |
 * | `field@path`   | a file: the body becomes multipart/form-data        |
 *
 * The separator is the first one in the item; where two start at the same
 * place the longer wins (`a:=1` is raw JSON, not the header `a` = `=1`).
 * A backslash before a separator character keeps it in the name
 * (`a\=b=c` is the field `a=b`).
 */
import * as Either from "effect/Either"

/** One parsed item. */
export type Item =
  | { readonly _tag: "Query"; readonly name: string; readonly value: string }
  | { readonly _tag: "Header"; readonly name: string; readonly value: string | undefined }
  | { readonly _tag: "Field"; readonly name: string; readonly value: string }
  | { readonly _tag: "JsonField"; readonly name: string; readonly value: unknown; readonly raw: string }
  | { readonly _tag: "File"; readonly name: string; readonly path: string }

/** What the items ask of the request. */
export interface Parsed {
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  readonly headers: Readonly<Record<string, string | undefined>>
  /** Fields in the order given; `File` items make the body multipart. */
  readonly fields: ReadonlyArray<Extract<Item, { readonly _tag: "Field" | "JsonField" }>>
  readonly files: ReadonlyArray<Extract<Item, { readonly _tag: "File" }>>
}

// Longest first, so that at one position `==` beats `=` and `:=` beats `:`.
const separators = ["==", ":=", "=", ":", "@"] as const
type Separator = (typeof separators)[number]

/** Splits one item at its separator, or explains why it has none. */
export const parseItem = (text: string): Either.Either<Item, string> => {
  let name = ""
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === "\\" && i + 1 < text.length && "=:@\\".includes(text[i + 1])) {
      name += text[i + 1]
      i++
      continue
    }
    const separator = separators.find((s: Separator) => text.startsWith(s, i))
    if (separator === undefined) {
      name += char
      continue
    }
    const value = text.slice(i + separator.length)
    if (name === "") return Either.left(`the item "${text}" has no name before "${separator}"`)
    switch (separator) {
      case "==":
        return Either.right({ _tag: "Query", name, value })
      case ":":
        return Either.right({ _tag: "Header", name, value: value === "" ? undefined : value.trimStart() })
      case "=":
        return Either.right({ _tag: "Field", name, value })
      case "@":
        return value === ""
          ? Either.left(`the file item "${text}" names no file`)
          : Either.right({ _tag: "File", name, path: value })
      case ":=": {
        try {
          return Either.right({ _tag: "JsonField", name, value: JSON.parse(value) as unknown, raw: value })
        } catch {
          return Either.left(`the raw JSON item "${name}:=" is not valid JSON`)
        }
      }
    }
  }
  return Either.left(
    `"${text}" is not a request item: use name==value (query), Name:value (header), field=value, field:=json or field@file`
  )
}

/** Parses every item, failing on the first that is not one. */
export const parseItems = (texts: ReadonlyArray<string>): Either.Either<Parsed, string> => {
  const query: Record<string, Array<string>> = Object.create(null)
  const headers: Record<string, string | undefined> = Object.create(null)
  const fields: Array<Extract<Item, { readonly _tag: "Field" | "JsonField" }>> = []
  const files: Array<Extract<Item, { readonly _tag: "File" }>> = []
  for (const text of texts) {
    const item = parseItem(text)
    if (Either.isLeft(item)) return Either.left(item.left)
    const value = item.right
    switch (value._tag) {
      case "Query":
        ;(query[value.name] ??= []).push(value.value)
        break
      case "Header":
        headers[value.name] = value.value
        break
      case "Field":
      case "JsonField":
        fields.push(value)
        break
      case "File":
        files.push(value)
        break
    }
  }
  return Either.right({ query, headers, fields, files })
}

/** The JSON object the fields make, later fields overriding earlier ones. */
export const jsonObject = (fields: Parsed["fields"]): Record<string, unknown> => {
  // No prototype: a field named __proto__ is a field like any other.
  const out: Record<string, unknown> = Object.create(null)
  for (const field of fields) out[field.name] = field.value
  return out
}
