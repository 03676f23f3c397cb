/**
 * What makes this package shareable between Courier's lines: no file in
 * `src` imports `effect` or `@effect/*` (nor any other package), and the
 * manifest depends on none. Imports are read with the TypeScript parser, so
 * `import type`, re-exports and dynamic `import()` all count.
 */
import { readdirSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const src = join(root, "src")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : []
  })

/** Every module specifier a file names: imports, re-exports, `import()` and `import("x").T` types. */
const specifiersOf = (file: string, text: string = readFileSync(file, "utf8")): Array<string> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Array<string> = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      if (argument !== undefined && ts.isStringLiteralLike(argument)) found.push(argument.text)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression
      if (ts.isStringLiteral(expression)) found.push(expression.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const builtins = new Set(builtinModules)
const isAllowed = (specifier: string): boolean =>
  specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("node:") || builtins.has(specifier)

const files = sourceFiles(src)

describe("@courier/core depends on no other package", () => {
  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(3)
  })

  it("no file in src imports effect, @effect/* or any package but Node's own modules", () => {
    const offending = files.flatMap((file) =>
      specifiersOf(file)
        .filter((specifier) => !isAllowed(specifier))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`)
    )
    expect(offending).toEqual([])
  })

  it("the reader sees every form of import", () => {
    const text = [
      `import * as Effect from "effect/Effect"`,
      `import type { Schema } from "effect/Schema"`,
      `export { Layer } from "effect"`,
      `const lazy = () => import("@effect/platform/HttpClient")`,
      `type T = import("effect/Option").Option<number>`,
      `import * as Local from "./Local.js"`
    ].join("\n")
    const specifiers = specifiersOf(join(src, "Probe.ts"), text)
    expect(specifiers).toEqual(["effect/Effect", "effect/Schema", "effect", "@effect/platform/HttpClient", "effect/Option", "./Local.js"])
    expect(specifiers.filter((specifier) => !isAllowed(specifier))).toHaveLength(5)
  })

  it("the manifest lists no runtime or peer dependency", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>
    expect(manifest["dependencies"] ?? {}).toEqual({})
    expect(manifest["peerDependencies"] ?? {}).toEqual({})
  })
})
