// A module resolution hook adding the "@courier/source" export condition,
// the in-process equivalent of `node --conditions=@courier/source`.
const condition = "@courier/source"

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(condition) ? context.conditions : [condition, ...context.conditions]
  return nextResolve(specifier, { ...context, conditions })
}
