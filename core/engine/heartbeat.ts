/**
 * Shared heartbeat timers: instead of one Timeout per connection, the sockets waiting for the
 * same delay form a queue ordered by deadline (appending keeps it ordered since the delay is the
 * same for all), and one Timeout per queue fires for its head. Scheduling and cancelling are
 * O(1) and allocate nothing. A queue that empties keeps its timer, unreferenced, rather than
 * clearing it and setting a new one for the next entry: queues that empty often (the clients
 * waiting to join a namespace) cost no timer per entry.
 */
import { clock } from "../util/clock";

/** What a queue needs of its members: intrusive links and a deadline. */
export interface HeartbeatEntry {
  /** @internal */ hbQueue: HeartbeatQueue | null;
  /** @internal */ hbPrev: HeartbeatEntry | null;
  /** @internal */ hbNext: HeartbeatEntry | null;
  /** @internal */ hbDeadline: number;
}

export class HeartbeatQueue {
  readonly delay: number;
  readonly #onExpire: (entry: HeartbeatEntry) => void;
  #head: HeartbeatEntry | null = null;
  #tail: HeartbeatEntry | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refed = false;
  #timerDeadline = 0;

  constructor(delay: number, onExpire: (entry: HeartbeatEntry) => void) {
    this.delay = delay;
    this.#onExpire = onExpire;
  }

  /** Puts `entry` at the end of this queue, due in `delay` ms (moving it from any queue). */
  schedule(entry: HeartbeatEntry, now = clock()): void {
    if (entry.hbQueue !== null) entry.hbQueue.cancel(entry);
    entry.hbQueue = this;
    entry.hbDeadline = now + this.delay;
    entry.hbPrev = this.#tail;
    entry.hbNext = null;
    if (this.#tail !== null) this.#tail.hbNext = entry;
    else this.#head = entry;
    this.#tail = entry;
    const timer = this.#timer;
    if (timer === null) this.#arm(now);
    else if (!this.#refed) {
      // armed for an earlier deadline: it fires first, then re-arms for the head
      timer.ref();
      this.#refed = true;
    }
  }

  /** Removes `entry` from this queue (no-op when it is not in it). */
  cancel(entry: HeartbeatEntry): void {
    if (entry.hbQueue !== this) return;
    if (entry.hbPrev !== null) entry.hbPrev.hbNext = entry.hbNext;
    else this.#head = entry.hbNext;
    if (entry.hbNext !== null) entry.hbNext.hbPrev = entry.hbPrev;
    else this.#tail = entry.hbPrev;
    entry.hbQueue = entry.hbPrev = entry.hbNext = null;
    if (this.#head === null && this.#timer !== null && this.#refed) {
      // nothing to wait for: the timer may expire on its own, without keeping the process up
      this.#timer.unref();
      this.#refed = false;
    }
  }

  /** Stops the timer (the entries stay; a later schedule arms it again). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(now: number): void {
    const head = this.#head;
    if (head === null) return;
    this.#timerDeadline = head.hbDeadline;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, head.hbDeadline - now));
    this.#refed = true;
  }

  #fire(): void {
    this.#timer = null;
    const now = clock();
    // a Timeout may fire a little early: treat deadlines within 1 ms as due
    let head = this.#head;
    while (head !== null && head.hbDeadline <= now + 1) {
      this.cancel(head);
      this.#onExpire(head);
      head = this.#head;
    }
    if (this.#head !== null && this.#timer === null) this.#arm(now);
  }

  /** The deadline the timer is armed for while entries wait (tests). */
  get armedFor(): number | null {
    return this.#timer === null || !this.#refed ? null : this.#timerDeadline;
  }
}
