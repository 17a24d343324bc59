/**
 * The in-memory adapter with connection state recovery: keeps the sessions of disconnected
 * clients and the packets broadcast meanwhile, so a client reconnecting within
 * `maxDisconnectionDuration` gets its id, rooms and data back, plus the packets it missed.
 * Same semantics as socket.io-adapter's `SessionAwareAdapter`.
 */
import {
  PacketType,
  type AdapterNamespace,
  type BroadcastOptions,
  type Packet,
  type PrivateSessionId,
  type RestoredSession,
  type Room,
  type SessionToPersist,
} from "../types";
import { Adapter } from "./adapter";
import { clock } from "../util/clock";

/** How long a session and the packets it may miss are kept (socket.io's default: 2 minutes). */
export const DEFAULT_MAX_DISCONNECTION_DURATION = 2 * 60 * 1000;

/** How often expired sessions and packets are dropped. */
const CLEANUP_INTERVAL = 60 * 1000;

export interface SessionAwareAdapterOptions {
  /** Milliseconds a disconnected session stays restorable. */
  maxDisconnectionDuration?: number;
}

/** A restored session, with the time its client disconnected (as socket.io-adapter has it). */
export type TimedRestoredSession = RestoredSession & { disconnectedAt: number };

interface StoredSession {
  session: SessionToPersist;
  /** When the client disconnected, on the monotonic {@link clock} (expiry). */
  disconnectedAt: number;
  /** The same moment as `Date.now()`, reported with the restored session. */
  disconnectedAtMs: number;
}

interface StoredPacket {
  /** The offset appended to `data`, which the client echoes back as `auth.offset`. */
  offset: string;
  opts: BroadcastOptions;
  data: unknown[];
  /** On the monotonic {@link clock}. */
  emittedAt: number;
}

/**
 * The adapter used when the `connectionStateRecovery` option is set.
 *
 * Its options come from the constructor's second argument when given, else from
 * `nsp.server.opts.connectionStateRecovery` (where socket.io-adapter reads them), else the
 * defaults.
 *
 * @example
 * const io = new Server({ connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
 * io.on("connection", (socket) => {
 *   if (socket.recovered) console.log("rooms and missed packets restored");
 * });
 */
export class SessionAwareAdapter extends Adapter {
  readonly maxDisconnectionDuration: number;
  readonly #sessions = new Map<PrivateSessionId, StoredSession>();
  /** Stored broadcasts, oldest first. */
  #packets: StoredPacket[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(nsp: AdapterNamespace, opts?: SessionAwareAdapterOptions) {
    super(nsp);
    this.maxDisconnectionDuration =
      opts?.maxDisconnectionDuration ??
      durationFromServer(nsp) ??
      DEFAULT_MAX_DISCONNECTION_DURATION;
    this.#timer = setInterval(() => this.#dropExpired(), CLEANUP_INTERVAL);
    // the cleanup must not keep the process alive
    this.#timer.unref();
  }

  /** Stops the periodic cleanup. */
  override close(): Promise<void> | void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Keeps `session` restorable for `maxDisconnectionDuration` from now. */
  override persistSession(session: SessionToPersist): void {
    this.#sessions.set(session.pid, {
      session,
      disconnectedAt: clock(),
      disconnectedAtMs: Date.now(),
    });
  }

  /**
   * The session `pid` (with its `disconnectedAt` time) plus the data of the packets broadcast
   * after `offset` that it would have received; null if the session is unknown or expired, or
   * the offset is unknown (too old).
   */
  override restoreSession(
    pid: PrivateSessionId,
    offset: string,
  ): Promise<TimedRestoredSession | null> {
    const stored = this.#sessions.get(pid);
    if (stored === undefined) return Promise.resolve(null);
    if (stored.disconnectedAt + this.maxDisconnectionDuration < clock()) {
      this.#sessions.delete(pid);
      return Promise.resolve(null);
    }
    const packets = this.#packets;
    let index = packets.length - 1;
    while (index >= 0 && packets[index]!.offset !== offset) index--;
    if (index === -1) return Promise.resolve(null);
    const rooms = stored.session.rooms;
    const missedPackets: unknown[][] = [];
    for (let i = index + 1; i < packets.length; i++) {
      const packet = packets[i]!;
      if (wouldReceive(rooms, packet.opts)) missedPackets.push(packet.data);
    }
    // like socket.io-adapter, the result also carries `disconnectedAt`
    const { session, disconnectedAtMs } = stored;
    return Promise.resolve({ ...session, disconnectedAt: disconnectedAtMs, missedPackets });
  }

  /**
   * Stores replayable packets (events without ack, not volatile) with a fresh offset appended
   * as their last argument, then broadcasts them like {@link Adapter.broadcast}.
   */
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    // an ack callback can't be replayed (nor serialized for another server); a volatile packet
    // may be lost anyway. `volatile === undefined`, as socket.io-adapter tests it
    if (
      packet.type === PacketType.EVENT &&
      packet.id === undefined &&
      opts.flags?.volatile === undefined &&
      Array.isArray(packet.data)
    ) {
      const offset = nextOffset();
      // last argument: the client keeps it as its offset, and older clients just see one more arg
      packet.data.push(offset);
      this.#packets.push({ offset, opts, data: packet.data, emittedAt: clock() });
    }
    super.broadcast(packet, opts);
  }

  #dropExpired(): void {
    const threshold = clock() - this.maxDisconnectionDuration;
    for (const [pid, stored] of this.#sessions) {
      if (stored.disconnectedAt < threshold) this.#sessions.delete(pid);
    }
    // packets are in emit order: drop everything up to the newest expired one
    const packets = this.#packets;
    for (let i = packets.length - 1; i >= 0; i--) {
      if (packets[i]!.emittedAt < threshold) {
        packets.splice(0, i + 1);
        break;
      }
    }
  }
}

/** Whether a socket in `rooms` was a recipient of a broadcast with `opts`. */
function wouldReceive(rooms: Room[], opts: BroadcastOptions): boolean {
  const except = opts.except;
  if (except !== undefined && except.size > 0) {
    for (const room of rooms) if (except.has(room)) return false;
  }
  if (opts.rooms.size === 0) return true;
  for (const room of rooms) if (opts.rooms.has(room)) return true;
  return false;
}

/** `nsp.server.opts.connectionStateRecovery.maxDisconnectionDuration`, if the server has it. */
function durationFromServer(nsp: AdapterNamespace): number | undefined {
  const server = nsp.server as AdapterNamespace["server"] & {
    opts?: { connectionStateRecovery?: unknown };
  };
  const recovery = server.opts?.connectionStateRecovery;
  if (typeof recovery !== "object" || recovery === null) return undefined;
  const duration = (recovery as { maxDisconnectionDuration?: unknown }).maxDisconnectionDuration;
  return typeof duration === "number" ? duration : undefined;
}

// ---------------------------------------------------------------------------------------------
// Offsets: the emit time in a 64-character alphabet, plus ".<n>" for the n-th extra offset in
// the same millisecond (the format socket.io-adapter's offsets have). The time never goes back,
// so offsets stay unique in the process even if the clock does.
// ---------------------------------------------------------------------------------------------

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

function toBase64(n: number): string {
  let out = "";
  do {
    out = ALPHABET[n % 64] + out;
    n = Math.floor(n / 64);
  } while (n > 0);
  return out;
}

let lastTime = 0;
let sameTimeCount = 0;

/** A process-unique, opaque packet offset. */
export function nextOffset(): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    sameTimeCount = 0;
    return toBase64(now);
  }
  return toBase64(lastTime) + "." + toBase64(sameTimeCount++);
}
