const START = performance.now();
/** The wall clock at {@link START}, for the few readings that must be shown as dates. */
const WALL_AT_START = Date.now();

/**
 * Milliseconds since this module loaded, on the monotonic clock (the global `performance.now()`, looked up at each call so
 * that fake timers in tests move it too): every
 * deadline (heartbeats, connect and upgrade time-outs, recovery expiry) is computed from it, so a
 * step of the system clock (NTP, VM resume, a test's fake `Date`) neither drops healthy clients
 * nor re-arms timers in a loop. The readings stay small integers (for 24 days), which V8 stores
 * inline in an object's field, where a `Date.now()` value costs a separate heap number.
 */
export function clock(): number {
  return Math.floor(performance.now() - START);
}

/** The `Date.now()`-style value of a {@link clock} reading (wall clock at load + elapsed). */
export function toEpochMs(t: number): number {
  return t + WALL_AT_START;
}
