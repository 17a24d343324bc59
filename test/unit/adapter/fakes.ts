/**
 * Fakes for the adapter unit tests: a namespace, sockets whose client records every write, and
 * an encoder that records every call. The same fakes drive our adapters and socket.io-adapter's,
 * so a scenario can be run on both and the observations compared.
 */
import type {
  AdapterNamespace,
  AdapterSocket,
  EncodedPacket,
  Packet,
  PacketEncoder,
  Room,
  SocketId,
  WriteOptions,
} from "../../../core/types";

/** The part of an adapter the fakes drive (ours and socket.io-adapter's have it). */
export interface AdapterLike {
  addAll(id: SocketId, rooms: Set<Room>): unknown;
  del(id: SocketId, room: Room): unknown;
  delAll(id: SocketId): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export type AdapterClass<A extends AdapterLike> = new (nsp: any) => A;

/** Encodes `<type><nsp,><id><json>`; `binary` chunks are appended as attachments. */
export class FakeEncoder implements PacketEncoder {
  readonly calls: Packet[] = [];
  /** Extra chunks returned after the string (simulates binary attachments). */
  attachments: EncodedPacket[] = [];

  encode(packet: Packet): EncodedPacket[] {
    this.calls.push({
      ...packet,
      data: Array.isArray(packet.data) ? [...packet.data] : packet.data,
    });
    const nsp = packet.nsp === "/" ? "" : packet.nsp + ",";
    const text = `${packet.type}${nsp}${packet.id ?? ""}${JSON.stringify(packet.data)}`;
    return [text, ...this.attachments];
  }
}

export interface Write {
  socket: SocketId;
  packets: EncodedPacket[];
  opts: WriteOptions;
}

/** A journal shared by all fakes of one namespace, to check the order of side effects. */
export type Journal = string[];

export class FakeSocket implements AdapterSocket {
  readonly acks = new Map<number, (...args: any[]) => void>();
  readonly outgoing: Packet[] = [];
  readonly client: AdapterSocket["client"];
  disconnected: boolean | undefined;

  constructor(
    readonly id: SocketId,
    private readonly nsp: FakeNamespace,
  ) {
    this.client = {
      writeToEngine: (packets, opts) => {
        nsp.writes.push({ socket: id, packets, opts });
        nsp.journal.push(`write ${id}`);
      },
    };
  }

  notifyOutgoingListeners(packet: Packet): void {
    this.outgoing.push(packet);
    this.nsp.journal.push(`notify ${this.id}`);
  }

  join(rooms: Room | Room[]): void {
    this.nsp.journal.push(`join ${this.id} ${String(rooms)}`);
    this.nsp.adapter.addAll(this.id, new Set(Array.isArray(rooms) ? rooms : [rooms]));
  }

  leave(room: Room): void {
    this.nsp.journal.push(`leave ${this.id} ${room}`);
    this.nsp.adapter.del(this.id, room);
  }

  disconnect(close?: boolean): this {
    this.nsp.journal.push(`disconnect ${this.id} ${String(close)}`);
    this.disconnected = close === true;
    this.nsp.adapter.delAll(this.id);
    this.nsp.sockets.delete(this.id);
    return this;
  }
}

export interface FakeServerOptions {
  connectionStateRecovery?: { maxDisconnectionDuration?: number };
}

export class FakeNamespace implements AdapterNamespace {
  readonly sockets = new Map<SocketId, FakeSocket>();
  readonly server: { encoder: FakeEncoder; opts: FakeServerOptions };
  readonly writes: Write[] = [];
  readonly journal: Journal = [];
  _ids = 0;
  adapter!: AdapterLike;

  constructor(
    readonly name = "/",
    opts: FakeServerOptions = {},
  ) {
    this.server = { encoder: new FakeEncoder(), opts };
  }

  get encoder(): FakeEncoder {
    return this.server.encoder;
  }

  /** Connects a socket the way socket.io does: it joins its own-id room, then `rooms`. */
  connect(id: SocketId, rooms: Room[] = []): FakeSocket {
    const socket = new FakeSocket(id, this);
    this.sockets.set(id, socket);
    this.adapter.addAll(id, new Set([id, ...rooms]));
    return socket;
  }

  /** The ids written to, in order. */
  recipients(): SocketId[] {
    return this.writes.map((w) => w.socket);
  }
}

/** A namespace with an adapter of class `Ctor` attached, and every adapter event journaled. */
export function setup<A extends AdapterLike>(
  Ctor: AdapterClass<A>,
  name = "/",
  opts: FakeServerOptions = {},
): { nsp: FakeNamespace; adapter: A; events: unknown[][] } {
  const nsp = new FakeNamespace(name, opts);
  const adapter = new Ctor(nsp);
  nsp.adapter = adapter;
  const events: unknown[][] = [];
  for (const event of ["create-room", "delete-room", "join-room", "leave-room"]) {
    adapter.on(event, (...args: unknown[]) => events.push([event, ...args]));
  }
  return { nsp, adapter, events };
}

/** Write options without socket.io-adapter's ws-specific frame, to compare with ours. */
export function comparable(opts: WriteOptions): Record<string, unknown> {
  // the frame is compared by its bytes; the text and bytes it is made of are ours only
  const { wsPreEncodedFrame, wsPreEncoded, wsPreEncodedBuffer, ...rest } = opts;
  void wsPreEncoded;
  void wsPreEncodedBuffer;
  const frame = wsPreEncodedFrame && Buffer.concat(wsPreEncodedFrame).toString("hex");
  return Object.fromEntries(Object.entries({ ...rest, frame }).filter(([, v]) => v !== undefined));
}
