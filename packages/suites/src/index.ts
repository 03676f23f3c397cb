/**
 * The suites both Courier lines must pass: Effect-free case definitions, the
 * contract a line implements to run them (`Line`), the checks, and what the
 * lines' implementations of the contract share (`Adapter`).
 */
export * as Case from "./Case.js"
export * as FaultMatrix from "./FaultMatrix.js"
export type * as Line from "./Line.js"
export * as Adapter from "./Adapter.js"
export * as Support from "./Support.js"
export * as Conformance from "./Conformance.js"
export * as Security from "./Security.js"
export * as Scenarios from "./Scenarios.js"
