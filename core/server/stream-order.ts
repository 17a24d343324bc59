/**
 * Stream order for the sockets of a log-based cluster adapter (`@socket.io/redis-streams-adapter`
 * and other `ClusterAdapter`s that give broadcasts an offset), with `persistWhileConnected`.
 *
 * Why: the adapter delivers a node's own broadcast to its local sockets as soon as the log
 * answers the append, while the entries other nodes appended just before it reach this node
 * later, through the adapter's reader. A socket then gets offset X before W < X. The client keeps
 * the offset of the last packet it got, so it reports W (and a restore sends X again) or, when
 * the node dies before its reader delivered W, it reports X and W is never sent: the loss and
 * the duplicates of a crash window.
 *
 * What: every socket of the namespace gets the log's entries in log order.
 * - A local delivery of the node's own broadcast whose offset the reader has not reached yet is
 *   held by the connection (`Client`) until the reader reaches it: the earlier entries of other
 *   nodes go first.
 * - When the reader reaches an entry of the node's own broadcast whose local delivery has not
 *   happened yet (the append's answer is still on its way), the reader's later entries wait for
 *   that delivery.
 * Writes without an offset (acks, volatile packets, other messages) are never held.
 *
 * Both waits end when the reader moves on; if the reader makes no progress for
 * {@link STALL_MS} (the broker is gone), everything held goes out as it is.
 *
 * The adapter instance's own `onMessage` (the reader's entry point, called with each entry's
 * offset) and `broadcast` are wrapped on that instance only: nothing process-wide, and the
 * adapter's behaviour is otherwise unchanged.
 */

/** A stream entry id ("<ms>-<seq>"), the offsets of the stream-based adapters. */
export const STREAM_OFFSET = /^\d+-\d+$/;

/** Orders two stream offsets (negative: `a` is older). */
export function compareOffsets(a: string, b: string): number {
  const i = a.indexOf("-");
  const j = b.indexOf("-");
  const ms = Number(a.slice(0, i)) - Number(b.slice(0, j));
  return ms !== 0 ? ms : Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The stream offset an encoded event packet ends with (`...,"1733-0"]`), read backwards without
 * parsing the packet; undefined when its last argument is not one.
 */
export function trailingOffset(encoded: unknown): string | undefined {
  if (typeof encoded !== "string") return undefined;
  let end = encoded.length - 1;
  if (end < 4 || encoded.charCodeAt(end) !== 93 /* ] */ || encoded.charCodeAt(end - 1) !== 34) {
    return undefined;
  }
  end -= 1; // the closing quote
  let i = end - 1;
  while (i >= 0 && isDigit(encoded.charCodeAt(i))) i--;
  if (i === end - 1 || encoded.charCodeAt(i) !== 45 /* - */) return undefined;
  const dash = i;
  i--;
  while (i >= 0 && isDigit(encoded.charCodeAt(i))) i--;
  if (i === dash - 1 || encoded.charCodeAt(i) !== 34 /* " */) return undefined;
  const before = encoded.charCodeAt(i - 1);
  if (before !== 44 /* , */ && before !== 91 /* [ */) return undefined;
  return encoded.substring(i + 1, end);
}

/** How long the reader may make no progress before held writes go out unordered (ms). */
export const STALL_MS = 1000;

/** A connection holding writes for the order (Client). */
export interface OrderedWriter {
  /** Writes the held packets of `order` up to `through` (all of them when null). */
  releaseOrdered(order: StreamOrder, through: string | null): void;
}

/** What the order needs of a cluster adapter. */
interface ClusterAdapterLike {
  uid?: unknown;
  onMessage(message: unknown, offset?: string): unknown;
  broadcast(packet: unknown, opts: unknown): unknown;
}

interface BroadcastMessage {
  uid?: unknown;
  type?: unknown;
  data?: {
    requestId?: unknown;
    packet?: { type?: unknown; id?: unknown };
    opts?: { flags?: { volatile?: unknown } };
  };
}

/** Whether an entry is a broadcast whose local delivery carries its offset (an event, no ack). */
function carriesOffset(message: BroadcastMessage): boolean {
  const data = message.data;
  return (
    Number(message.type) === 3 /* BROADCAST */ &&
    data !== undefined &&
    data.requestId === undefined &&
    data.packet?.type === 2 &&
    data.packet.id === undefined &&
    data.opts?.flags?.volatile === undefined
  );
}

function onStallCheck(order: StreamOrder): void {
  order.checkStall();
}

/** The log order of one namespace's deliveries (see the file's comment). */
export class StreamOrder {
  readonly #adapter: ClusterAdapterLike;
  readonly #onMessage: (message: unknown, offset?: string) => unknown;
  /** The offset of the last entry the reader delivered; null until it delivered one. */
  #reader: string | null = null;
  /** Connections holding writes until the reader reaches them. */
  readonly #writers = new Set<OrderedWriter>();
  /** Own offsets delivered locally before the reader reached them. */
  readonly #early = new Set<string>();
  /** While the reader waits for an own delivery: the entries it read since, and that offset. */
  #paused: [unknown, string][] | null = null;
  #pausedAt: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #readerAtCheck: string | null = null;

  /** Installs the order on `adapter` when it is a cluster adapter; null otherwise. */
  static install(adapter: object): StreamOrder | null {
    const a = adapter as Partial<ClusterAdapterLike>;
    if (
      typeof a.uid !== "string" ||
      typeof a.onMessage !== "function" ||
      typeof a.broadcast !== "function"
    ) {
      return null;
    }
    return new StreamOrder(a as ClusterAdapterLike);
  }

  private constructor(adapter: ClusterAdapterLike) {
    this.#adapter = adapter;
    this.#onMessage = adapter.onMessage;
    const broadcast = adapter.broadcast;
    adapter.onMessage = (message: unknown, offset?: string): unknown => {
      if (typeof offset !== "string" || !STREAM_OFFSET.test(offset)) {
        return this.#onMessage.call(adapter, message, offset);
      }
      this.#read(message, offset);
      return undefined;
    };
    adapter.broadcast = (packet: unknown, opts: unknown): unknown => {
      const result = broadcast.call(adapter, packet, opts);
      if (result instanceof Promise) {
        void result.then(
          () => this.#delivered(packet),
          () => undefined,
        );
      }
      return result;
    };
  }

  /** Whether a local write of `offset` must wait for the reader. */
  mustWait(offset: string): boolean {
    return this.#reader !== null && compareOffsets(offset, this.#reader) > 0;
  }

  /** `writer` holds a write until the reader reaches it. */
  hold(writer: OrderedWriter): void {
    this.#writers.add(writer);
    this.#watch();
  }

  /** `writer` holds nothing any more (it went). */
  drop(writer: OrderedWriter): void {
    this.#writers.delete(writer);
  }

  /** @internal the stall check: no progress of the reader since the last one releases all */
  checkStall(): void {
    if (this.#writers.size === 0 && this.#paused === null) {
      clearInterval(this.#timer!);
      this.#timer = null;
      return;
    }
    if (this.#reader !== this.#readerAtCheck) {
      this.#readerAtCheck = this.#reader;
      return;
    }
    this.#early.clear();
    this.#release(null);
    this.#resume();
  }

  #watch(): void {
    if (this.#timer === null) {
      this.#readerAtCheck = this.#reader;
      this.#timer = setInterval(onStallCheck, STALL_MS, this);
      this.#timer.unref();
    }
  }

  #read(message: unknown, offset: string): void {
    if (this.#paused !== null) {
      this.#paused.push([message, offset]);
      return;
    }
    this.#reader = offset;
    if (this.#writers.size !== 0) this.#release(offset);
    const m = message as BroadcastMessage;
    if (m.uid === this.#adapter.uid && carriesOffset(m) && !this.#early.delete(offset)) {
      // the append's answer (and the local delivery after it) is still on its way
      this.#paused = [];
      this.#pausedAt = offset;
      this.#watch();
    }
    this.#onMessage.call(this.#adapter, message, offset);
  }

  /** An own broadcast was delivered locally (its packet now ends with its offset). */
  #delivered(packet: unknown): void {
    const data = (packet as { data?: unknown }).data;
    const offset = Array.isArray(data) ? data[data.length - 1] : undefined;
    if (typeof offset !== "string" || !STREAM_OFFSET.test(offset)) return;
    if (this.#pausedAt !== null && compareOffsets(offset, this.#pausedAt) >= 0) {
      this.#resume();
    } else if (this.#reader === null || compareOffsets(offset, this.#reader) > 0) {
      this.#early.add(offset);
    }
  }

  #resume(): void {
    const queued = this.#paused;
    this.#paused = null;
    this.#pausedAt = null;
    // read again in order; a later own entry may pause the reader again (the rest queues behind)
    if (queued !== null) for (const [message, offset] of queued) this.#read(message, offset);
  }

  #release(through: string | null): void {
    // a writer with nothing left drops itself: deleting the current entry is safe in a Set loop
    for (const writer of this.#writers) writer.releaseOrdered(this, through);
  }
}
