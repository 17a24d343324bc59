/**
 * The one teardown of the suites: each harness (test/support/engine.ts, server.ts, the v2
 * helpers) registers how to close what it opened, and `afterEach(closeAll)` closes all of it.
 */

type Closer = () => Promise<void> | void;

const closers: Closer[] = [];

/** Registers a harness's teardown (once, when its module loads); closers run in this order. */
export function registerCloser(closer: Closer): void {
  if (!closers.includes(closer)) closers.push(closer);
}

/**
 * Closes every client and server the test opened, through every registered harness. Each
 * closer runs even when an earlier one failed; the first failure is thrown at the end.
 */
export async function closeAll(): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const closer of closers) {
    try {
      await closer();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
