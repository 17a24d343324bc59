/**
 * Shared deadline timers (heartbeats, connect and upgrade time-outs): instead of one Timeout per
 * connection, the entries waiting for the same delay form a queue ordered by deadline (appending
 * keeps it ordered since the delay is the same for all), and one Timeout per queue fires for its
 * head. Scheduling and cancelling are O(1) and allocate nothing. A queue that empties keeps its
 * timer, unreferenced, rather than clearing it and setting a new one for the next entry: queues
 * that empty often (the clients waiting to join a namespace) cost no timer per entry.
 *
 * An object that waits on queues holds one `DeadlineLink` per kind of wait (a field), created
 * once with the object as its `owner`; the queue hands the owner, typed, to its expiry callback.
 */
import { clock } from "./clock";

/** The links of one waiting object in a queue (at most one queue at a time). */
export class DeadlineLink<Owner> {
  /** The object the expiry callback is called for. */
  readonly owner: Owner;
  /** @internal */ queue: DeadlineQueue<Owner> | null = null;
  /** @internal */ prev: DeadlineLink<Owner> | null = null;
  /** @internal */ next: DeadlineLink<Owner> | null = null;
  /** @internal */ deadline = 0;

  constructor(owner: Owner) {
    this.owner = owner;
  }

  /** Whether the link waits in a queue. */
  get scheduled(): boolean {
    return this.queue !== null;
  }

  /** The queue the link waits in, if any. */
  get waitingIn(): DeadlineQueue<Owner> | null {
    return this.queue;
  }

  /** Takes the link out of its queue (no-op when it waits in none). */
  cancel(): void {
    if (this.queue !== null) this.queue.cancel(this);
  }
}

/** Entries due after the same delay, with one timer for all. */
export class DeadlineQueue<Owner> {
  readonly delay: number;
  readonly #onExpire: (owner: Owner) => void;
  #head: DeadlineLink<Owner> | null = null;
  #tail: DeadlineLink<Owner> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refed = false;
  #timerDeadline = 0;

  constructor(delay: number, onExpire: (owner: Owner) => void) {
    this.delay = delay;
    this.#onExpire = onExpire;
  }

  /** Puts `link` at the end of this queue, due in `delay` ms (moving it from any queue). */
  schedule(link: DeadlineLink<Owner>, now = clock()): void {
    if (link.queue !== null) link.queue.cancel(link);
    link.queue = this;
    link.deadline = now + this.delay;
    link.prev = this.#tail;
    link.next = null;
    if (this.#tail !== null) this.#tail.next = link;
    else this.#head = link;
    this.#tail = link;
    const timer = this.#timer;
    if (timer === null) this.#arm(now);
    else if (!this.#refed) {
      // armed for an earlier deadline: it fires first, then re-arms for the head
      timer.ref();
      this.#refed = true;
    }
  }

  /** Removes `link` from this queue (no-op when it is not in it). */
  cancel(link: DeadlineLink<Owner>): void {
    if (link.queue !== this) return;
    if (link.prev !== null) link.prev.next = link.next;
    else this.#head = link.next;
    if (link.next !== null) link.next.prev = link.prev;
    else this.#tail = link.prev;
    link.queue = link.prev = link.next = null;
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
    this.#timerDeadline = head.deadline;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, head.deadline - now));
    this.#refed = true;
  }

  #fire(): void {
    this.#timer = null;
    const now = clock();
    // a Timeout may fire a little early: treat deadlines within 1 ms as due
    let head = this.#head;
    while (head !== null && head.deadline <= now + 1) {
      this.cancel(head);
      this.#onExpire(head.owner);
      head = this.#head;
    }
    if (this.#head !== null && this.#timer === null) this.#arm(now);
  }

  /** The deadline the timer is armed for while entries wait (tests). */
  get armedFor(): number | null {
    return this.#timer === null || !this.#refed ? null : this.#timerDeadline;
  }
}

/** The queue of `queues` for `delay`, created on first use. */
export function queueFor<Owner>(
  queues: Map<number, DeadlineQueue<Owner>>,
  delay: number,
  onExpire: (owner: Owner) => void,
): DeadlineQueue<Owner> {
  let queue = queues.get(delay);
  if (queue === undefined) {
    queue = new DeadlineQueue(delay, onExpire);
    queues.set(delay, queue);
  }
  return queue;
}
