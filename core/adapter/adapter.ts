/**
 * The in-memory adapter: room bookkeeping and broadcast fan-out for one namespace on one server.
 * Same public API, semantics and events as socket.io-adapter's `Adapter`, so cluster adapters
 * and tools written for socket.io (e.g. @socket.io/admin-ui) work unchanged.
 */
import type {
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  EncodedPacket,
  Packet,
  PacketEncoder,
  PrivateSessionId,
  RestoredSession,
  Room,
  SessionToPersist,
  SocketId,
  WriteOptions,
} from "../types";
import { TypedEventEmitter } from "../util/event-emitter";
import { textFrame } from "../util/ws-frame";

/** The events an adapter emits (compatibility surface: @socket.io/admin-ui listens to them). */
export type AdapterEvents = {
  /** A room was created (first socket joined). Emitted before the matching `join-room`. */
  "create-room": (room: Room) => void;
  /** A room was deleted (last socket left). Emitted after the matching `leave-room`. */
  "delete-room": (room: Room) => void;
  "join-room": (room: Room, id: SocketId) => void;
  "leave-room": (room: Room, id: SocketId) => void;
};

/** Called once per matching socket; receives a per-call context instead of a fresh closure. */
type Visitor<C> = (socket: AdapterSocket, ctx: C) => void;

/** What one broadcast shares between all its recipients (allocated once per broadcast). */
interface WriteContext {
  packet: Packet;
  encoded: EncodedPacket[];
  opts: WriteOptions;
}

interface AckContext extends WriteContext {
  id: number;
  ack: (...args: any[]) => void;
  count: number;
}

function writeTo(socket: AdapterSocket, ctx: WriteContext): void {
  socket.notifyOutgoingListeners?.(ctx.packet);
  socket.client.writeToEngine(ctx.encoded, ctx.opts);
}

function writeWithAckTo(socket: AdapterSocket, ctx: AckContext): void {
  ctx.count++;
  socket.acks.set(ctx.id, ctx.ack);
  socket.notifyOutgoingListeners?.(ctx.packet);
  socket.client.writeToEngine(ctx.encoded, ctx.opts);
}

function collectId(socket: AdapterSocket, ids: Set<SocketId>): void {
  ids.add(socket.id);
}

function collectSocket(socket: AdapterSocket, sockets: AdapterSocket[]): void {
  sockets.push(socket);
}

function joinRooms(socket: AdapterSocket, rooms: Room[]): void {
  socket.join(rooms);
}

function leaveRooms(socket: AdapterSocket, rooms: Room[]): void {
  for (const room of rooms) socket.leave(room);
}

function disconnect(socket: AdapterSocket, close: boolean): void {
  socket.disconnect(close);
}

/**
 * The default adapter: keeps rooms in memory and writes broadcasts to the local sockets.
 *
 * @example
 * const io = new Server({ adapter: Adapter }); // the default
 * io.of("/").adapter.on("create-room", (room) => console.log(`room ${room} was created`));
 * io.of("/").adapter.on("join-room", (room, id) => console.log(`${id} joined ${room}`));
 */
export class Adapter extends TypedEventEmitter<AdapterEvents> {
  /** The namespace this adapter serves. */
  readonly nsp: AdapterNamespace;
  /** Room -> ids of the sockets in it (a socket's own id is a room too). */
  readonly rooms: Map<Room, Set<SocketId>> = new Map();
  /** Socket id -> the rooms it has joined. */
  readonly sids: Map<SocketId, Set<Room>> = new Map();
  /** The server's packet encoder (`nsp.server.encoder`). */
  readonly encoder: PacketEncoder;

  constructor(nsp: AdapterNamespace) {
    super();
    this.nsp = nsp;
    this.encoder = nsp.server.encoder;
  }

  /** Called once the adapter is attached; a hook for subclasses (no-op here). */
  init(): Promise<void> | void {}

  /** Called when the server closes; a hook for subclasses (no-op here). */
  close(): Promise<void> | void {}

  /** The number of Socket.IO servers in the cluster: always 1 for the in-memory adapter. */
  serverCount(): Promise<number> {
    return Promise.resolve(1);
  }

  /** Adds the socket `id` to each of `rooms`, emitting `create-room` then `join-room`. */
  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    let joined = this.sids.get(id);
    if (joined === undefined) {
      if (rooms.size === 1 && rooms.has(id) && !this.rooms.has(id)) {
        // A socket's first join is its own room: its room list and the room's member list are
        // then both {id}, so one Set serves as both (one Set less per connection) until either
        // changes; #unshare then gives the room a copy (`socket.rooms` stays the live list).
        joined = new Set<Room>().add(id);
        this.sids.set(id, joined);
        this.rooms.set(id, joined);
        this.emit("create-room", id);
        this.emit("join-room", id, id);
        return;
      }
      joined = new Set();
      this.sids.set(id, joined);
    } else {
      this.#unshare(id, joined);
    }
    for (const room of rooms) {
      joined.add(room);
      let members = this.rooms.get(room);
      if (members === undefined) {
        members = new Set();
        this.rooms.set(room, members);
        this.emit("create-room", room);
      } else if (members.size === 1 && members !== joined) {
        // the own room of another socket, maybe still shared with that socket's room list
        members = this.#unshare(room, this.sids.get(room)) ?? members;
      }
      if (!members.has(id)) {
        members.add(id);
        this.emit("join-room", room, id);
      }
    }
  }

  /** Removes the socket `id` from `room`, emitting `leave-room` then `delete-room` if it empties. */
  del(id: SocketId, room: Room): Promise<void> | void {
    const joined = this.sids.get(id);
    if (joined !== undefined) {
      this.#unshare(id, joined);
      joined.delete(room);
    }
    this.#leave(room, id);
  }

  /**
   * When the own room of socket `id` shares its Set with the socket's room list `joined`, gives
   * the room a Set of its own (returned) before either changes.
   */
  #unshare(id: SocketId, joined: Set<Room> | undefined): Set<SocketId> | undefined {
    if (joined === undefined || this.rooms.get(id) !== joined) return undefined;
    const members = new Set(joined);
    this.rooms.set(id, members);
    return members;
  }

  /**
   * Removes the socket `id` from every room it has joined (its own-id room included). A shared
   * own room needs no copy here: removing `id` from it empties the room list being walked, which
   * is dropped anyway.
   */
  delAll(id: SocketId): void {
    const joined = this.sids.get(id);
    if (joined === undefined) return;
    for (const room of joined) this.#leave(room, id);
    this.sids.delete(id);
  }

  #leave(room: Room, id: SocketId): void {
    const members = this.rooms.get(room);
    if (members === undefined) return;
    if (members.delete(id)) this.emit("leave-room", room, id);
    if (members.size === 0 && this.rooms.delete(room)) this.emit("delete-room", room);
  }

  /**
   * Writes `packet` to every matching socket: the union of `opts.rooms` (all sockets when empty)
   * minus the sockets in `opts.except`, each at most once. The packet is encoded once; every
   * recipient gets the same encoded chunks and the same write options.
   */
  broadcast(packet: Packet, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    const encoded = this.encoder.encode(packet);
    const ctx: WriteContext = { packet, encoded, opts: writeOptions(opts, encoded) };
    this.#apply(opts, writeTo, ctx);
  }

  /**
   * Like {@link Adapter.broadcast}, but each recipient expects an acknowledgement: the packet gets
   * the next namespace ack id, every recipient registers `ack` under it, then
   * `clientCountCallback` receives the number of recipients.
   */
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: any[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    // one id for all recipients: the namespace counter is shared, so it can't collide
    const id = this.nsp._ids++;
    packet.id = id;
    const encoded = this.encoder.encode(packet);
    const ctx: AckContext = {
      packet,
      encoded,
      opts: writeOptions(opts, encoded),
      id,
      ack,
      count: 0,
    };
    this.#apply(opts, writeWithAckTo, ctx);
    clientCountCallback(ctx.count);
  }

  /** The ids of the sockets in any of `rooms` (all sockets when `rooms` is empty). */
  sockets(rooms: Set<Room>): Promise<Set<SocketId>> {
    const ids = new Set<SocketId>();
    this.#apply({ rooms }, collectId, ids);
    return Promise.resolve(ids);
  }

  /** The rooms the socket `id` has joined, or undefined if it is unknown. */
  socketRooms(id: SocketId): Set<Room> | undefined {
    return this.sids.get(id);
  }

  /** The matching local socket instances. */
  fetchSockets(opts: BroadcastOptions): Promise<AdapterSocket[]> {
    const sockets: AdapterSocket[] = [];
    this.#apply(opts, collectSocket, sockets);
    return Promise.resolve(sockets);
  }

  /** Makes the matching sockets join `rooms`. */
  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.#apply(opts, joinRooms, rooms);
  }

  /** Makes the matching sockets leave `rooms`. */
  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.#apply(opts, leaveRooms, rooms);
  }

  /** Disconnects the matching sockets; `close` also closes their underlying connection. */
  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    this.#apply(opts, disconnect, close);
  }

  /**
   * Sends `packet` (event name, arguments, maybe an ack callback last) to the other servers of
   * the cluster. There are none here: like socket.io-adapter, this only warns.
   */
  serverSideEmit(packet: unknown[]): void {
    void packet;
    console.warn("this adapter does not support the serverSideEmit() functionality");
  }

  /** Saves a disconnected client's session for connection state recovery (no-op here). */
  persistSession(session: SessionToPersist): Promise<void> | void {
    void session;
  }

  /**
   * Restores a session and the packets its client missed after `offset`; null when it cannot
   * (always, here: see SessionAwareAdapter).
   */
  restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession | null> {
    void pid;
    void offset;
    return Promise.resolve(null);
  }

  /** Calls `visit(socket, ctx)` once for each socket matched by `opts`. */
  #apply<C>(opts: BroadcastOptions, visit: Visitor<C>, ctx: C): void {
    const sockets = this.nsp.sockets;
    const except = this.#exceptSids(opts.except);
    const rooms = opts.rooms;
    if (rooms.size === 0) {
      for (const id of this.sids.keys()) {
        if (except !== undefined && except.has(id)) continue;
        const socket = sockets.get(id);
        if (socket !== undefined) visit(socket, ctx);
      }
      return;
    }
    // the members of a single room are distinct already: only a union needs deduplication
    const seen = rooms.size > 1 ? new Set<SocketId>() : undefined;
    for (const room of rooms) {
      const members = this.rooms.get(room);
      if (members === undefined) continue;
      for (const id of members) {
        if (except !== undefined && except.has(id)) continue;
        if (seen !== undefined && seen.has(id)) continue;
        const socket = sockets.get(id);
        if (socket === undefined) continue;
        visit(socket, ctx);
        seen?.add(id);
      }
    }
  }

  /** The ids of the sockets in the `except` rooms; undefined when there are none to skip. */
  #exceptSids(except: Set<Room> | undefined): ReadonlySet<SocketId> | undefined {
    if (except === undefined || except.size === 0) return undefined;
    if (except.size === 1) {
      // one room: its member set is the answer, no copy needed
      for (const room of except) return this.rooms.get(room);
    }
    const ids = new Set<SocketId>();
    for (const room of except) {
      const members = this.rooms.get(room);
      if (members !== undefined) for (const id of members) ids.add(id);
    }
    return ids;
  }
}

/** The write options shared by every recipient of one broadcast. */
function writeOptions(opts: BroadcastOptions, encoded: EncodedPacket[]): WriteOptions {
  const flags = opts.flags;
  const first = encoded[0];
  if (encoded.length !== 1 || typeof first !== "string") {
    return { preEncoded: true, volatile: flags?.volatile, compress: flags?.compress };
  }
  // "4" is the Engine.IO "message" type: one WebSocket frame for all recipients, as
  // socket.io-adapter builds it (the text stays for connections that compress)
  const text = "4" + first;
  const bytes = Buffer.from(text);
  return {
    preEncoded: true,
    volatile: flags?.volatile,
    compress: flags?.compress,
    wsPreEncoded: text,
    wsPreEncodedBuffer: bytes,
    wsPreEncodedFrame: textFrame(bytes),
  };
}
