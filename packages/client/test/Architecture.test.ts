/**
 * The layout rules the source tree promises (docs/guide's architecture page):
 * public modules import their internal code, internal code imports public
 * modules as types only, so no runtime import cycle can form. A rule broken
 * in one import fails here, naming the file.
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src")

/**
 * Public modules internal code may import by value: leaves that define data
 * (the failure classes) and import no Courier code themselves.
 */
const valueImportable = new Set(["CourierError.ts"])

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : []
  })

interface Import {
  readonly target: string
  readonly typeOnly: boolean
}

/** The relative imports and re-exports of a file, resolved to source paths. */
const importsOf = (file: string): Array<Import> => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false)
  const result: Array<Import> = []
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined
    let typeOnly = false
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier
      const clause = statement.importClause
      typeOnly = clause !== undefined && (clause.isTypeOnly || (
        clause.name === undefined &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((element) => element.isTypeOnly)
      ))
    } else if (ts.isExportDeclaration(statement)) {
      specifier = statement.moduleSpecifier
      typeOnly = statement.isTypeOnly
    }
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue
    result.push({ target: resolve(dirname(file), specifier.text.replace(/\.js$/, ".ts")), typeOnly })
  }
  return result
}

const files = sourceFiles(src)
const graph = new Map(files.map((file) => [file, importsOf(file)]))
const isInternal = (file: string) => relative(src, file).split("/").includes("internal")
const show = (file: string) => relative(src, file)

describe("source layout", () => {
  it("reads the tree", () => {
    // Guards the rules below against passing over an empty or unreadable tree.
    expect(files.length).toBeGreaterThan(50)
    expect(files.filter(isInternal).length).toBeGreaterThan(30)
  })

  it("internal code imports public modules as types only", () => {
    const offending: Array<string> = []
    for (const [file, imports] of graph) {
      if (!isInternal(file)) continue
      for (const { target, typeOnly } of imports) {
        if (typeOnly || isInternal(target)) continue
        if (valueImportable.has(relative(src, target))) continue
        offending.push(`${show(file)} imports ${show(target)} by value`)
      }
    }
    expect(offending).toEqual([])
  })

  it("the public modules internal code may import by value are leaves", () => {
    for (const name of valueImportable) {
      const imports = graph.get(join(src, name))
      expect(imports, name).toBeDefined()
      expect(imports!.filter(({ typeOnly }) => !typeOnly).map(({ target }) => show(target)), name).toEqual([])
    }
  })

  it("has no runtime import cycle", () => {
    // Tarjan's strongly connected components over value imports.
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: Array<string> = []
    const onStack = new Set<string>()
    const cycles: Array<Array<string>> = []
    let counter = 0
    const visit = (file: string) => {
      index.set(file, counter)
      low.set(file, counter)
      counter++
      stack.push(file)
      onStack.add(file)
      for (const { target, typeOnly } of graph.get(file) ?? []) {
        if (typeOnly || !graph.has(target)) continue
        if (!index.has(target)) {
          visit(target)
          low.set(file, Math.min(low.get(file)!, low.get(target)!))
        } else if (onStack.has(target)) {
          low.set(file, Math.min(low.get(file)!, index.get(target)!))
        }
      }
      if (low.get(file) === index.get(file)) {
        const component: Array<string> = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(show(member))
        } while (member !== file)
        if (component.length > 1) cycles.push(component.sort())
      }
    }
    for (const file of files) if (!index.has(file)) visit(file)
    expect(cycles).toEqual([])
  })
})
