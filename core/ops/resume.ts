/**
 * The catch-up after a resume on a cluster adapter (part of the zero-loss drain).
 *
 * A cluster adapter restores a session by reading the missed packets from its shared log
 * (`restoreSession`), while its live reader keeps delivering new entries to the sockets in
 * their rooms. An entry delivered between the restore's last read and the resumed socket
 * joining its rooms reaches nobody. So once the socket has joined, its connection's writes are
 * held, the session is read a second time from the last packet it got, the entries of that
 * second read that did not also arrive live are written, then the held writes: nothing
 * missing, nothing twice, in order.
 */
import type { RestoredSession, SessionToPersist } from "../types";

/** What the catch-up needs of the namespace's adapter (socket.io-adapter's session API). */
export interface ResumeAdapter {
  persistSession(session: SessionToPersist): unknown;
  restoreSession(
    pid: string,
    offset: string,
  ): Promise<RestoredSession | null> | RestoredSession | null;
}

/** What the catch-up needs of the resumed socket and its connection. */
export interface ResumedSocket {
  readonly id: string;
  readonly pid: string | undefined;
  readonly rooms: Set<string>;
  readonly data: unknown;
  readonly client: {
    /** Queues every write of the connection until `releaseWrites`. */
    holdWrites(): void;
    /** The offsets (last argument) of the held event packets. */
    heldOffsets(): Set<string>;
    /**
     * Writes `first` (event payloads of this socket), then the held writes, in order; `through`
     * is the offset the resume had reached before `first` (everything up to it was sent).
     */
    releaseWrites(socket: ResumedSocket, first: unknown[][], through: string): void;
  };
}

/** The offset a recovered packet carries as its last argument, if any. */
function offsetOf(data: unknown[]): string | undefined {
  const last = data[data.length - 1];
  return typeof last === "string" ? last : undefined;
}

/**
 * Runs the second read for a socket just resumed from `offset` (the last packet it was sent,
 * or the offset the client gave when nothing was missed).
 */
export async function catchUpResume(
  adapter: ResumeAdapter,
  socket: ResumedSocket,
  offset: string,
): Promise<void> {
  const client = socket.client;
  client.holdWrites();
  let missed: unknown[][] = [];
  try {
    if (socket.pid !== undefined) {
      await adapter.persistSession({
        sid: socket.id,
        pid: socket.pid,
        rooms: [...socket.rooms],
        data: socket.data,
      });
      const session = await adapter.restoreSession(socket.pid, offset);
      if (session) missed = session.missedPackets as unknown[][];
    }
  } catch {
    // no second read (the offset left the log, the adapter failed): the held writes go out
  }
  const held = client.heldOffsets();
  client.releaseWrites(
    socket,
    missed.filter((data) => {
      const o = offsetOf(data);
      return o === undefined || !held.has(o);
    }),
    offset,
  );
}

/** The offset of the last packet a resume delivered, or the client's own offset. */
export function resumeOffset(session: RestoredSession, clientOffset: string): string {
  const last = session.missedPackets[session.missedPackets.length - 1] as unknown[] | undefined;
  return (last && offsetOf(last)) ?? clientOffset;
}
