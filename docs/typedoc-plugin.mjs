// @ts-check
/**
 * A TypeDoc plugin for the Courier sources. Their modules follow the Effect
 * convention: the first doc comment of the file describes the module, with
 * no `@module` tag, which TypeDoc requires to read it as the module's
 * comment. This plugin adds the tag while TypeDoc reads the file (nothing is
 * written), naming the module as users import it: `@courier/client/Retry`,
 * `@courier/client/node/NodeTransport`, `@courier/testing/TestServer`.
 */
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

/** @type {ReadonlyArray<readonly [string, string]>} */
const packages = [
  [Path.join(root, "packages", "client", "src") + Path.sep, "@courier/client/"],
  [Path.join(root, "packages", "testing", "src") + Path.sep, "@courier/testing/"],
  [Path.join(root, "packages", "core", "src") + Path.sep, "@courier/core/"]
]

/**
 * @param {string} file
 * @returns {string | undefined}
 */
const moduleName = (file) => {
  const absolute = Path.resolve(file)
  if (!absolute.endsWith(".ts") || absolute.includes(`${Path.sep}internal${Path.sep}`)) return undefined
  for (const [dir, name] of packages) {
    if (absolute.startsWith(dir)) {
      const rest = absolute.slice(dir.length, -".ts".length).split(Path.sep).join("/")
      return rest === "index" || rest.endsWith("/index") ? undefined : `${name}${rest}`
    }
  }
  return undefined
}

/**
 * @param {string} text
 * @param {string} name
 * @returns {string}
 */
const withModuleTag = (text, name) => {
  const match = /^\s*\/\*\*[\s\S]*?\*\//.exec(text)
  if (match === null || /@module\b|@packageDocumentation\b/.test(match[0])) return text
  const end = match[0].length - 2
  return `${text.slice(0, end)}* @module ${name}\n ${text.slice(end)}`
}

/** @param {import("typedoc").Application} _app */
export const load = (_app) => {
  const readFile = ts.sys.readFile
  ts.sys.readFile = (file, encoding) => {
    const text = readFile(file, encoding)
    const name = text === undefined ? undefined : moduleName(file)
    return text === undefined || name === undefined ? text : withModuleTag(text, name)
  }
}
