const EPOCH = Date.now();

/**
 * Milliseconds since this module loaded. These stay small integers (for 24 days), which V8
 * stores inline in an object's field, where a `Date.now()` value (too large for a small
 * integer) costs a separate 16-byte number per field: per-connection timestamps use this clock.
 */
export function clock(): number {
  return Math.floor(Date.now() - EPOCH);
}

/** The `Date.now()` value of a {@link clock} reading. */
export function toEpochMs(t: number): number {
  return t + EPOCH;
}
