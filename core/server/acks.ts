/**
 * The acknowledgements a socket waits for: callbacks by packet id (the `socket.acks` map of the
 * compatibility surface), their time-outs, and how each is settled when the socket disconnects
 * (err-first callbacks and promises get an error rather than never an answer).
 */
import { createError } from "../errors";
import { reportError } from "../util/report";

/** An acknowledgement callback, called with the socket as `this`. */
export type AckFn = (...args: unknown[]) => void;

/** What the acks need of their socket: the `this` of callbacks, and a time-out counter. */
export interface AckOwner {
  /** @internal an acknowledgement timed out (metrics) */
  onAckTimeout(): void;
}

/** Settles an acknowledgement that can no longer come: its socket has left the namespace. */
export function settleDisconnected(settle: (err: Error) => void, owner: AckOwner): void {
  settle.call(owner, createError("ACK_DISCONNECTED"));
}

/** The pending acknowledgements of one socket (created with its first one). */
export class PendingAcks {
  /** Callbacks by packet id (adapters set their own too: compatibility surface). */
  readonly callbacks = new Map<number, AckFn>();
  readonly #owner: AckOwner;
  /** How pending acks are settled when the socket disconnects (null: none to settle). */
  #settlers: Map<number, (err: Error) => void> | null = null;

  constructor(owner: AckOwner) {
    this.#owner = owner;
  }

  /** Waits for the ack of packet `id`; with a timeout, `ack` is err-first. */
  register(
    id: number,
    ack: AckFn,
    timeout: number | undefined,
    settle?: (err: Error) => void,
  ): void {
    const owner = this.#owner;
    if (timeout === undefined) {
      this.callbacks.set(id, ack);
      if (settle) this.#settlerFor(id, settle);
      return;
    }
    const timer = setTimeout(() => {
      owner.onAckTimeout();
      this.callbacks.delete(id);
      this.#settlers?.delete(id);
      ack.call(owner, createError("ACK_TIMEOUT"));
    }, timeout);
    this.callbacks.set(id, (...args: unknown[]) => {
      clearTimeout(timer);
      this.#settlers?.delete(id);
      ack.apply(owner, [null, ...args]);
    });
    this.#settlerFor(id, (err) => {
      clearTimeout(timer);
      (settle ?? ack).call(owner, err);
    });
  }

  /** The client's ACK for packet `id`: runs its callback once; false when none waits. */
  receive(id: number, data: unknown[] | undefined): boolean {
    const ack = this.callbacks.get(id);
    if (typeof ack !== "function") return false;
    this.callbacks.delete(id);
    this.#settlers?.delete(id);
    try {
      if (data === undefined) ack.call(this.#owner);
      else ack.apply(this.#owner, data);
    } catch (err) {
      reportError(err, "an acknowledgement callback");
    }
    return true;
  }

  /** The socket disconnected: pending acks end with an error now rather than never. */
  settleAll(): void {
    const settlers = this.#settlers;
    this.#settlers = null;
    if (settlers !== null && settlers.size > 0) {
      const err = createError("ACK_DISCONNECTED");
      for (const [id, settle] of settlers) {
        this.callbacks.delete(id);
        settle(err);
      }
    }
    this.callbacks.clear();
  }

  #settlerFor(id: number, settle: (err: Error) => void): void {
    (this.#settlers ??= new Map()).set(id, settle);
  }
}
