/**
 * The one middleware runner: engine `use`, namespace `use`, socket `use` and the dynamic
 * namespace checks all go through it, so they share one semantics for how a step ends.
 *
 * A step ends when it calls `next()` (go on) or `next(err)` (stop), when it throws synchronously,
 * or when it returns a promise that rejects (both stop, with what was thrown). A step that calls
 * `next` again, or calls it after throwing, is not heard twice. A step that returns a promise
 * which resolves without calling `next` waits, as in socket.io (async middlewares call `next`).
 *
 * The dynamic namespace checks run their parents through it too, with the roles turned around:
 * a refusal goes on to the next parent, and the accepting parent is what stops the run. The one
 * chain that does not use it is socketkit/koa's Koa-style event middleware, whose `next()`
 * returns a promise of the rest of the chain (the onion model; see integrations/koa/events.ts).
 */

import { reportError } from "./report";

/** How a step says it is done: nothing to go on, an error to stop. */
export type Next = (err?: unknown) => void;

/** How the runner ends: `failure` is set when a step threw or rejected (not for `next(err)`). */
export type Done = (err: unknown, failure: boolean) => void;

/**
 * Runs steps `0..count-1` in order, each started by `start(i, next)`, then calls `done` exactly
 * once: `done(undefined, false)` after the last step, or `done(err, …)` at the first error.
 */
export function runSteps(
  count: number,
  start: (i: number, next: Next) => unknown,
  done: Done,
): void {
  if (count === 0) {
    done(undefined, false);
    return;
  }
  let finished = false;
  const finish = (err: unknown, failure: boolean): void => {
    if (finished) return;
    finished = true;
    done(err, failure);
  };
  const step = (i: number): void => {
    let called = false;
    const next: Next = (err) => {
      if (called || finished) return;
      called = true;
      if (err) finish(err, false);
      else if (i + 1 < count) step(i + 1);
      else finish(undefined, false);
    };
    let result: unknown;
    try {
      result = start(i, next);
    } catch (err) {
      if (called) reportError(err, "a middleware, after it called next()");
      else {
        called = true;
        finish(asError(err), true);
      }
      return;
    }
    if (
      result !== null &&
      typeof result === "object" &&
      typeof (result as Promise<unknown>).then === "function"
    ) {
      (result as Promise<unknown>).then(undefined, (err: unknown) => {
        if (called) return;
        called = true;
        finish(asError(err), true);
      });
    }
  };
  step(0);
}

/** What a step threw, as an Error (its message reaches clients as socket.io's next(err) does). */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === "string" ? err : String(err));
}
