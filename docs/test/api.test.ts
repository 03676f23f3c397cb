import { describe, expect, it } from "@effect/vitest"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Application, LogLevel } from "typedoc"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")

// `pnpm docs:api` in memory: the same options, converted and validated, not written.
describe("the API reference", () => {
  it("converts every public module with its module comment, without errors", async () => {
    const app = await Application.bootstrapWithPlugins({
      options: Path.join(root, "typedoc.json"),
      logLevel: LogLevel.Error
    })
    const project = await app.convert()
    expect(project).toBeDefined()
    if (project === undefined) return
    app.validate(project)
    expect(app.logger.hasErrors()).toBe(false)
    const modules = (project.children ?? []).map((module) => module.name)
    expect(modules).toEqual(expect.arrayContaining([
      "@courier/client/CourierClient",
      "@courier/client/Retry",
      "@courier/client/node/NodeTransport",
      "@courier/testing/TestServer",
      "@courier/core/Url"
    ]))
    const retry = project.children?.find((module) => module.name === "@courier/client/Retry")
    expect(retry?.comment?.getTag("@example")).toBeDefined()
  })
})
