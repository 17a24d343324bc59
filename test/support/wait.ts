/**
 * Waiting, for every suite: the next event of an emitter, a condition to hold, a pause, and the
 * end of the sessions a server still holds (before it is closed).
 */
import type { EventEmitter } from "node:events";

/** Any emitter: node's EventEmitter, socket.io-client's and engine.io-client's, our typed ones. */
export type AnyEmitter =
  | EventEmitter
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners of any signature
  | { once(event: string, fn: (...args: any[]) => void): unknown };

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: AnyEmitter,
  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for "${event}"`)), ms);
    (emitter as EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `condition()` holds (checked every 5 ms; it may return a promise), or rejects
 * after `ms` with "timeout waiting for <what>" (`what` may be a function, called then).
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  ms = 5000,
  what: string | (() => string) = "a condition",
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > ms) {
      throw new Error(`timeout waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(5);
  }
}

/** What {@link untilSessionsEnd} looks at: a Server (its engine) or an engine. */
type SessionHolder = { engine?: { clientsCount: number } } | { clientsCount: number };

function sessionsOf(holder: SessionHolder): number {
  if ("clientsCount" in holder) return holder.clientsCount;
  return holder.engine?.clientsCount ?? 0;
}

/**
 * Waits (up to `ms`, without failing) until none of `holders` has a session left: after the
 * clients disconnected, so that no polling request of theirs is still in flight when the
 * servers close.
 */
export async function untilSessionsEnd(holders: Iterable<SessionHolder>, ms = 2000): Promise<void> {
  const list = [...holders];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && list.some((h) => sessionsOf(h) > 0)) await sleep(10);
}
