import createDebugLib from "debug";

/** A `debug` logger: same output and namespaces as the `debug` package's. */
export type Debugger = ((formatter: string, ...args: unknown[]) => void) & {
  readonly enabled: boolean;
};

/**
 * `debug(namespace)`, but a call costs nothing while the namespace is disabled: the package's own
 * logger collects its arguments into a new array before looking at `enabled`, on every call of
 * every connection. Enabling at run time (`debug.enable(...)`) still works.
 */
export function createDebug(namespace: string): Debugger {
  const logger = createDebugLib(namespace);
  const lib = createDebugLib as { namespaces?: unknown };
  // `enabled` is a getter that re-reads the package's namespaces; its answer is kept until
  // `debug.enable()`/`disable()` change them (the package's own cache, without the getter call)
  let seen: unknown = null;
  let on = false;
  function log(this: unknown): void {
    const namespaces = lib.namespaces;
    if (namespaces !== seen || typeof namespaces !== "string") {
      seen = namespaces;
      on = logger.enabled;
    }
    if (on) {
      logger.apply(undefined, arguments as unknown as [formatter: string, ...args: unknown[]]);
    }
  }
  Object.defineProperty(log, "enabled", { get: () => Boolean(logger.enabled) });
  return log as unknown as Debugger;
}
