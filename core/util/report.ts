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
