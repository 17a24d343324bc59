/**
 * `io.drain()`: take a node out of service without losing a message. New sessions are refused
 * (HTTP 503 with `Retry-After`, so a load balancer moves on); every open session is closed as
 * soon as it waits for no acknowledgement, by closing its transport, which official clients
 * treat as a lost connection: they reconnect at once (through their usual backoff), to another
 * node, and resume their session there with connection state recovery on a shared adapter.
 * At the deadline the sessions still open are closed anyway.
 */
import { errorMessage, errorRegistry } from "../errors";
import type { EngineRefusal } from "../engine/ports";
import type { Admission } from "./gate";

export interface DrainOptions {
  /** How long to wait for pending acknowledgements before closing every session, in ms (10000). */
  timeout?: number;
  /** The `Retry-After` of refused handshakes, in seconds (the timeout, rounded up, at least 1). */
  retryAfter?: number;
}

/** What `io.drain()` resolves with. */
export interface DrainResult {
  /** Sessions closed once they had no pending acknowledgement. */
  closed: number;
  /** Sessions closed at the deadline (acknowledgements still pending). */
  forced: number;
  /** How long the drain took, in ms. */
  durationMs: number;
}

/** What the drain needs of the server's sessions. */
export interface DrainTarget<S> {
  /** The open sessions (a snapshot). */
  sessions(): S[];
  /** Acknowledgements the server still waits for on this session. */
  pendingAcks(session: S): number;
  /** Whether the session is still open (not yet closing). */
  isOpen(session: S): boolean;
  /** Closes the session so that the client reconnects. */
  close(session: S): void;
  /** Closes the session at once (the deadline). */
  forceClose(session: S): void;
}

/** How often a draining node looks again at its sessions' pending acknowledgements. */
const POLL_INTERVAL = 20;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The drain of one server: while it runs, the admission gate refuses new sessions with 503 and
 * `Retry-After`, and the open sessions are closed as their acknowledgements settle. The
 * server's operations hold one; applications start it with `io.drain()`, or with `io.close()`
 * when the `drainOnClose` option is set.
 */
export class Drainer implements Admission {
  readonly limit = "draining" as const;
  #refusal: EngineRefusal | null = null;
  #running: Promise<DrainResult> | null = null;

  /** Whether new sessions are refused. */
  get draining(): boolean {
    return this.#refusal !== null;
  }

  admit(): EngineRefusal | undefined {
    return this.#refusal ?? undefined;
  }

  drain<S>(target: DrainTarget<S>, opts: DrainOptions): Promise<DrainResult> {
    this.#running ??= this.#run(target, opts);
    return this.#running;
  }

  async #run<S>(target: DrainTarget<S>, opts: DrainOptions): Promise<DrainResult> {
    const timeout = opts.timeout ?? 10_000;
    const started = performance.now();
    this.#refusal = Object.freeze({
      status: errorRegistry.DRAINING.status.http,
      retryAfter: opts.retryAfter ?? Math.max(1, Math.ceil(timeout / 1000)),
      reason: "DRAINING",
      message: errorMessage("DRAINING"),
    });
    let closed = 0;
    let forced = 0;
    for (;;) {
      const sessions = target.sessions();
      for (const session of sessions) {
        if (target.isOpen(session) && target.pendingAcks(session) === 0) {
          target.close(session);
          closed++;
        }
      }
      const left = target.sessions();
      if (left.length === 0) break;
      const remaining = timeout - (performance.now() - started);
      if (remaining <= 0) {
        for (const session of left) {
          if (target.isOpen(session)) forced++;
          target.forceClose(session);
        }
        break;
      }
      await delay(Math.min(POLL_INTERVAL, remaining));
    }
    return { closed, forced, durationMs: Math.round(performance.now() - started) };
  }
}
