/**
 * The stores Courier ships that live in the process (memory, and files on a
 * local disk) carry this mark. A Layer over any other store (a user's, or
 * one in Redis) may wait on it for as long as that store takes, so the
 * client then bounds each call as a whole by its deadline (see
 * `RemoteWaits` in client.ts); over a marked store it does not need to.
 */
const LocalStore: unique symbol = Symbol.for("@courier/client/LocalStore")

/** `store`, marked as living in the process. @internal */
export const markLocal = <T extends object>(store: T): T => Object.assign(store, { [LocalStore]: true })

/** Whether `store` is one Courier marked as living in the process. @internal */
export const isLocal = (store: unknown): boolean =>
  typeof store === "object" && store !== null && (store as { readonly [LocalStore]?: boolean })[LocalStore] === true
