/**
 * Where an application's error goes when it happens in code socketkit calls for a client (a
 * middleware, an event handler, an ack callback): never to the process (one client's packet must
 * not crash a server shared by thousands), but never silently either.
 */
import { createDebug } from "./debug";

const debug = createDebug("socket.io:error");

/** Something that may have "error" listeners (a Socket, a Server). */
interface ErrorTarget {
  listenerCount(event: "error"): number;
  emit(event: "error", err: unknown): boolean;
}

/**
 * Reports an application error caught on behalf of a client: emitted as "error" on `target`
 * when it has listeners, else printed to stderr with `where` it was caught (as Node prints an
 * unhandled rejection), and always logged under `DEBUG=socket.io:error`.
 */
export function reportError(err: unknown, where: string, target?: ErrorTarget | null): void {
  debug("%s: %O", where, err);
  if (target != null && target.listenerCount("error") > 0) {
    try {
      target.emit("error", err);
      return;
    } catch (again) {
      err = again;
    }
  }
  console.error(`socketkit: uncaught error in ${where} (the server goes on):`, err);
}

/**
 * Runs an adapter hook whose result nobody awaits (an own-room join, the cleanup at disconnect,
 * `persistSession`): a throw or a rejected promise is reported, never left to the process.
 */
export function runHook<T, A>(
  where: string,
  hook: (this: T, arg: A) => unknown,
  self: T,
  arg: A,
): void {
  let result: unknown;
  try {
    result = hook.call(self, arg);
  } catch (err) {
    reportError(err, where);
    return;
  }
  if (
    result !== null &&
    typeof result === "object" &&
    typeof (result as Promise<unknown>).then === "function"
  ) {
    (result as Promise<unknown>).then(undefined, (err: unknown) => reportError(err, where));
  }
}
