/**
 * Connection state recovery that survives a crashed node (`persistWhileConnected`): the sessions
 * of a namespace's connected sockets are handed to the adapter (its public `persistSession`)
 * while they are connected, not only when the server sees them disconnect. A node that is
 * SIGKILLed or OOM-killed has then already stored every session it held; its clients reconnect
 * to any other node with their `pid` and offset and get them back from the adapter's store
 * (`restoreSession`), with every packet broadcast after that offset.
 *
 * - A socket's session is written when it connects and again when its rooms or `data` change;
 *   changes within one turn of the event loop are one write (a burst of joins is one write).
 * - Every `refreshInterval` ms, every session of the namespace is written again in one turn (the
 *   adapter's Redis client sends them as one pipeline), carrying the current `data` and keeping
 *   the stored sessions from expiring: a stored session expires `maxDisconnectionDuration` after
 *   its last write, so after the node's death at the latest.
 */
import type { SessionToPersist } from "../types";
import { runHook } from "../util/report";

/** What the live sessions need of a socket. */
export interface LiveSocket {
  readonly id: string;
  readonly pid: string | undefined;
  readonly rooms: Set<string>;
  readonly data: unknown;
  readonly connected: boolean;
}

/** What they need of the namespace: its adapter and its connected sockets. */
export interface LiveNamespace {
  readonly adapter: { persistSession(session: SessionToPersist): unknown };
  readonly sockets: ReadonlyMap<string, LiveSocket>;
}

/** The session of `socket` as socket.io-adapter's `persistSession` takes it. */
export function sessionOf(socket: LiveSocket): SessionToPersist {
  return { sid: socket.id, pid: socket.pid as string, rooms: [...socket.rooms], data: socket.data };
}

function write(nsp: LiveNamespace, session: SessionToPersist): void {
  const adapter = nsp.adapter;
  runHook("the adapter's persistSession()", adapter.persistSession, adapter, session);
}

function persist(nsp: LiveNamespace, socket: LiveSocket): void {
  if (socket.connected && socket.pid !== undefined) write(nsp, sessionOf(socket));
}

function flush(sessions: LiveSessions): void {
  sessions.flushDirty();
}

function refresh(sessions: LiveSessions): void {
  sessions.refreshAll();
}

/** The live sessions of one namespace. */
export class LiveSessions {
  readonly #nsp: LiveNamespace;
  readonly #interval: number;
  readonly #dirty = new Set<LiveSocket>();
  #flushing: ReturnType<typeof setImmediate> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(nsp: LiveNamespace, refreshInterval: number) {
    this.#nsp = nsp;
    this.#interval = refreshInterval;
  }

  /** The socket's session changed (it connected, joined, left, got new `data`): write it soon. */
  touch(socket: LiveSocket): void {
    this.#dirty.add(socket);
    this.#flushing ??= setImmediate(flush, this);
    if (this.#timer === null) {
      this.#timer = setInterval(refresh, this.#interval, this);
      this.#timer.unref();
    }
  }

  /** A session restored for a connection that went meanwhile: back into the store, as it was. */
  putBack(session: SessionToPersist): void {
    const { sid, pid, rooms, data } = session;
    write(this.#nsp, { sid, pid, rooms, data });
  }

  /** The socket left: nothing more to write for it (its disconnection persists it as usual). */
  forget(socket: LiveSocket): void {
    this.#dirty.delete(socket);
    if (this.#nsp.sockets.size === 0) this.stop();
  }

  /** @internal writes the sessions changed since the last turn */
  flushDirty(): void {
    this.#flushing = null;
    for (const socket of this.#dirty) persist(this.#nsp, socket);
    this.#dirty.clear();
  }

  /** @internal writes every connected socket's session again */
  refreshAll(): void {
    for (const socket of this.#nsp.sockets.values()) persist(this.#nsp, socket);
  }

  /** Stops the refresh and drops pending writes (the namespace has no socket left). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#flushing !== null) clearImmediate(this.#flushing);
    this.#timer = null;
    this.#flushing = null;
    this.#dirty.clear();
  }
}
