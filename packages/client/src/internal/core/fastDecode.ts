/**
 * A decoder for the plain shapes most response schemas are made of (structs
 * of strings, numbers, booleans and literals, arrays and structs of those),
 * compiled once per schema into straight JavaScript. Effect's decoder walks
 * the same shapes through its generic machinery, with an `Either` per value
 * and an issue list per struct, which shows in a profile of a 100-item
 * answer.
 *
 * It only ever answers for a value the schema accepts, with what Schema's
 * decoder returns for it (a new object per struct, the schema's own keys in
 * the schema's order, excess keys left out); anything else, it hands back
 * `failed` and the caller runs Schema's decoder, so every failure, and every
 * shape not handled here (refinements, transformations, unions, records,
 * optional fields that may be undefined, parse-option annotations) is
 * Schema's own.
 */
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"

/** What the compiled decoder returns for a value it does not accept. @internal */
export const failed: unique symbol = Symbol.for("@courier/client/internal/fastDecode/failed")

type Decoder = (input: unknown) => unknown

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const struct = (ast: AST.TypeLiteral): Decoder | undefined => {
  if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
  const names: Array<string> = []
  const optional: Array<boolean> = []
  const decoders: Array<Decoder> = []
  for (const ps of ast.propertySignatures) {
    if (typeof ps.name !== "string") return undefined
    const decoder = compileNode(ps.type)
    if (decoder === undefined) return undefined
    names.push(ps.name)
    optional.push(ps.isOptional)
    decoders.push(decoder)
  }
  const n = names.length
  return (input) => {
    if (!isRecord(input)) return failed
    const output: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      const name = names[i]
      // As Schema: a missing key is read as it reads (undefined), and kept
      // if its type accepts that; only an optional one is skipped.
      if (optional[i] && !Object.prototype.hasOwnProperty.call(input, name)) continue
      const value = decoders[i](input[name])
      if (value === failed) return failed
      output[name] = value
    }
    return output
  }
}

const array = (ast: AST.TupleType): Decoder | undefined => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
  const item = compileNode(ast.rest[0].type)
  if (item === undefined) return undefined
  return (input) => {
    if (!Array.isArray(input)) return failed
    const n = input.length
    const output = new Array<unknown>(n)
    for (let i = 0; i < n; i++) {
      const value = item(input[i])
      if (value === failed) return failed
      output[i] = value
    }
    return output
  }
}

const compileNode = (ast: AST.AST): Decoder | undefined => {
  // An annotation may change how Schema parses the node (excess keys refused, say).
  if (Option.isSome(AST.getParseOptionsAnnotation(ast))) return undefined
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string" ? u : failed
    case "NumberKeyword":
      return (u) => typeof u === "number" ? u : failed
    case "BooleanKeyword":
      return (u) => typeof u === "boolean" ? u : failed
    case "UnknownKeyword":
    case "AnyKeyword":
      return (u) => u
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal ? u : failed
    }
    case "TypeLiteral":
      return struct(ast)
    case "TupleType":
      return array(ast)
    default:
      return undefined
  }
}

/**
 * The fast decoder of a schema's AST, or undefined when the schema has a
 * node it does not handle.
 *
 * @internal
 */
export const compile = (ast: AST.AST): Decoder | undefined => compileNode(ast)
