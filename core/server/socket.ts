/**
 * Socket: one client's connection to one namespace (socket.io's `Socket`).
 */
import { createDebug } from "../util/debug";
import { generateId } from "../util/id";
import { clock, toEpochMs } from "../util/clock";
import { runHook } from "../util/report";
import {
  PacketType,
  type BroadcastFlags,
  type DisconnectReason,
  type Handshake,
  type Packet,
  type RestoredSession,
  type Room,
  type SocketId,
  type PrivateSessionId,
  type WriteOptions,
} from "../types";
import type { EngineSocket } from "../engine/socket";
import { assertNotReserved, BroadcastOperator, SOCKET_RESERVED_EVENTS } from "./broadcast-operator";
import type { Client } from "./client";
import { SocketOperator } from "./socket-operator";
import { buildHandshake } from "./handshake";
import { PendingAcks, settleDisconnected, type AckFn } from "./acks";
import type { EventBucket } from "../ops/event-limit";
import type { PendingEvent } from "./contract-gate";
import type { Namespace } from "./namespace";
import { ignoreError, SocketEvents } from "./socket-events";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
} from "./typed-events";
import { sessionOf } from "./live-sessions";

const debug = createDebug("socket.io:socket");

/** Reasons after which a session is kept for connection state recovery. */
const RECOVERABLE_DISCONNECT_REASONS: ReadonlySet<string> = new Set([
  "transport error",
  "transport close",
  "forced close",
  "ping timeout",
  "server shutting down",
  "forced server close",
]);

const NO_FLAGS: BroadcastFlags = Object.freeze({});

/**
 * @internal the auth of a CONNECT without payload: shared and frozen until the handshake is
 * built, where it becomes the socket's own `{}`
 */
export const NO_AUTH: Record<string, unknown> = Object.freeze({});

/**
 * A client connected to a namespace.
 *
 * @example
 * io.on("connection", (socket) => {
 *   socket.join("room1");
 *   socket.on("hello", (name, callback) => callback(`hi ${name}`));
 *   socket.on("disconnect", (reason) => console.log(socket.id, reason));
 * });
 */
export class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
> extends SocketEvents<ListenEvents, EmitEvents> {
  /** The session id (not the Engine.IO id, which is sensitive). */
  readonly id: SocketId;
  /** The private session id, for connection state recovery. */
  readonly pid: PrivateSessionId | undefined;
  /** When the socket was created (`handshake.issued`, as a {@link clock} reading). */
  readonly #issued: number;
  readonly #auth: Record<string, unknown>;
  /** Built on first use (many sockets never read it). */
  #handshake: Handshake | null = null;
  /** `data` until first used (an object per socket only when the application uses it). */
  #data: SocketData | undefined;
  /** Whether the socket is connected to its namespace. */
  connected = false;
  /** Whether the connection state was restored (connection state recovery). */
  readonly recovered: boolean;
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The acknowledgements waited for (./acks.ts), created with the first. */
  #acks: PendingAcks | null = null;

  #closed = false;
  /** @internal the inbound event bucket (core/ops/event-limit.ts), with the first event */
  eventBucket: EventBucket | null = null;
  /** @internal events waiting behind an asynchronous contract validation (./contract-gate.ts) */
  contractQueue: PendingEvent[] | null = null;

  constructor(
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: Record<string, unknown>,
    previousSession?: RestoredSession,
  ) {
    super();
    this.nsp = nsp;
    this.client = client;
    if (previousSession) {
      this.id = previousSession.sid;
      this.pid = previousSession.pid;
      this.#data = previousSession.data as SocketData;
      this.recovered = true;
      for (const room of previousSession.rooms) {
        runHook("the adapter's addAll()", this.join, this, room);
      }
      for (const data of previousSession.missedPackets) {
        this.packet({ type: PacketType.EVENT, nsp: nsp.name, data });
      }
    } else {
      this.id =
        client.conn.protocol === 3
          ? nsp.name !== "/"
            ? nsp.name + "#" + client.id
            : client.id
          : generateId();
      this.pid = nsp.server.opts.connectionStateRecovery ? generateId() : undefined;
      this.recovered = false;
    }
    this.#issued = clock();
    this.#auth = auth;
    // as socket.io: an "error" nobody else listens to cannot throw (docs/performance.md: leaving
    // it out saved too little to differ from socket.io)
    this.on("error", ignoreError);
  }

  /** The details of the handshake (headers, address, query, auth, ...). */
  get handshake(): Handshake {
    return (this.#handshake ??= buildHandshake(
      this.request,
      this.conn.remoteAddress,
      toEpochMs(this.#issued),
      this.#auth === NO_AUTH ? {} : this.#auth,
    ));
  }

  /** Free-form data, shared with fetchSockets() on every node. */
  get data(): SocketData {
    return (this.#data ??= {} as SocketData);
  }

  set data(data: SocketData) {
    this.#data = data;
    if (this.connected) this.nsp.liveSessions?.touch(this);
  }

  /** The server this socket belongs to. */
  get server(): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>["server"] {
    return this.nsp.server;
  }

  /** The adapter of the namespace. */
  get adapter(): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>["adapter"] {
    return this.nsp.adapter;
  }

  /** The request that opened the underlying connection. */
  get request(): EngineSocket["request"] {
    return this.client.request;
  }

  /** The underlying Engine.IO connection. */
  get conn(): EngineSocket {
    return this.client.conn;
  }

  get disconnected(): boolean {
    return !this.connected;
  }

  /** The rooms the socket is in (its own id included). */
  get rooms(): Set<Room> {
    return this.nsp.adapter.socketRooms(this.id) ?? new Set();
  }

  /** @internal how many acknowledgements the server waits for (metrics, drain) */
  get pendingAcks(): number {
    return this.#acks === null ? 0 : this.#acks.callbacks.size;
  }

  /** Pending acknowledgement callbacks by packet id (compatibility surface: adapters set them). */
  get acks(): Map<number, AckFn> {
    return (this.#acks ??= new PendingAcks(this)).callbacks;
  }

  // -- emitting --------------------------------------------------------------------------------

  /**
   * Emits an event to this client. With a callback last, the client's acknowledgement calls it.
   * Reserved names ("connect", "disconnect", ...) throw.
   *
   * @example
   * socket.emit("hello", "world", { some: "data" });
   * socket.timeout(5000).emit("question", (err, answer) => {});
   */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    return this.emitWithFlags(NO_FLAGS, ev as string, args as unknown[]);
  }

  /** @internal emits with modifiers (volatile, compress, timeout) from a {@link SocketOperator} */
  emitWithFlags(
    flags: BroadcastFlags,
    ev: string,
    args: unknown[],
    settle?: (err: Error) => void,
  ): boolean {
    assertNotReserved(ev, SOCKET_RESERVED_EVENTS);
    const data: unknown[] = [ev, ...args];
    const packet: Packet = { type: PacketType.EVENT, nsp: this.nsp.name, data };
    const last = data[data.length - 1];
    let ack = typeof last === "function" ? (last as AckFn) : undefined;
    const contract = this.nsp.contractGate;
    if (contract !== null) {
      contract.checkEmit(ev, args, ack !== undefined ? args.length - 1 : args.length);
      if (ack !== undefined) {
        const errFirst = (flags.timeout ?? this.nsp.server.opts.ackTimeout) !== undefined;
        ack = contract.awaitAck(ev, ack, errFirst, settle, this);
      }
    }
    if (ack !== undefined) {
      data.pop();
      packet.id = this.nsp._ids++;
    }
    // written before the ack is registered: a packet that cannot be encoded (too deep) throws
    // here to the application and leaves nothing behind
    if (this.nsp.server.opts.connectionStateRecovery) {
      // through the adapter, so the packet gets an offset and is kept for recovery
      this.nsp.adapter.broadcast(packet, {
        rooms: new Set([this.id]),
        except: new Set(),
        flags,
      });
    } else {
      this.notifyOutgoingListeners(packet);
      this.packet(packet, flags);
    }
    if (ack !== undefined) {
      const timeout = flags.timeout ?? this.nsp.server.opts.ackTimeout;
      if (this.#closed) {
        // no answer can come back any more: settle as a pending ack is settled on disconnection
        const target = settle ?? (timeout !== undefined ? ack : undefined);
        if (target !== undefined) process.nextTick(settleDisconnected, target, this);
      } else {
        (this.#acks ??= new PendingAcks(this)).register(packet.id as number, ack, timeout, settle);
      }
    }
    return true;
  }

  /** @internal an acknowledgement timed out (counted in the metrics) */
  onAckTimeout(): void {
    const metrics = this.nsp.server.ops.metrics;
    if (metrics !== null) metrics.ackTimeouts++;
  }

  /**
   * Emits and waits for the acknowledgement, as a promise (rejected on timeout, and on
   * disconnection).
   *
   * @example
   * const answer = await socket.timeout(5000).emitWithAck("question");
   */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    return this.emitWithAckFlags(NO_FLAGS, ev as string, args as unknown[]) as Promise<
      FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>
    >;
  }

  /** @internal */
  emitWithAckFlags(flags: BroadcastFlags, ev: string, args: unknown[]): Promise<unknown> {
    const withErr = (flags.timeout ?? this.nsp.server.opts.ackTimeout) !== undefined;
    return new Promise((resolve, reject) => {
      const callback = withErr
        ? (err: unknown, value: unknown) => (err ? reject(err) : resolve(value))
        : (value: unknown) => resolve(value);
      this.emitWithFlags(flags, ev, [...args, callback], reject);
    });
  }

  /** Sends a "message" event. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.emitWithFlags(NO_FLAGS, "message", args as unknown[]);
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** @internal writes a packet to this client */
  packet(packet: Packet, opts: BroadcastFlags & WriteOptions = {}): void {
    packet.nsp = this.nsp.name;
    const writeOpts: WriteOptions = {
      compress: opts.compress !== false,
      volatile: opts.volatile,
    };
    this.client.packet(packet, writeOpts);
  }

  // -- modifiers (each returns a new operator: no per-emit state on the socket) ----------------

  /** Sets the compress flag of the next emit. See {@link BroadcastOperator.compress}. */
  compress(
    compress: boolean,
  ): SocketOperator<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new SocketOperator(this, { compress });
  }

  /** The next emit may be lost when the client is not ready. See {@link BroadcastOperator.volatile}. */
  get volatile(): SocketOperator<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new SocketOperator(this, { volatile: true });
  }

  /** Sets a timeout for the acknowledgement of the next emit. */
  timeout(
    timeout: number,
  ): SocketOperator<
    ListenEvents,
    DecorateAcknowledgements<EmitEvents>,
    ServerSideEvents,
    SocketData
  > {
    return new SocketOperator(this, { timeout }) as unknown as SocketOperator<
      ListenEvents,
      DecorateAcknowledgements<EmitEvents>,
      ServerSideEvents,
      SocketData
    >;
  }

  /** @internal a broadcast operator from this socket (except itself) */
  newBroadcastOperator(
    flags: BroadcastFlags = NO_FLAGS,
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return new BroadcastOperator(
      this.nsp.adapter,
      new Set(),
      new Set([this.id]),
      { ...flags },
      this.nsp.server.opts.ackTimeout,
    );
  }

  /** Targets a room, excluding this socket. See {@link BroadcastOperator.to}. */
  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().to(room);
  }

  /** Alias of {@link Socket.to}. */
  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().in(room);
  }

  /** Excludes a room (and this socket). See {@link BroadcastOperator.except}. */
  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().except(room);
  }

  /** Every socket of the namespace but this one. */
  get broadcast(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.newBroadcastOperator();
  }

  /** Every socket of this node's namespace but this one. */
  get local(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.newBroadcastOperator().local;
  }

  // -- rooms -----------------------------------------------------------------------------------

  /** Joins a room or several. */
  join(rooms: Room | Room[]): Promise<void> | void {
    if (this.#closed) return;
    const done = this.nsp.adapter.addAll(
      this.id,
      Array.isArray(rooms) ? new Set(rooms) : new Set<Room>().add(rooms),
    );
    if (this.connected) this.nsp.liveSessions?.touch(this);
    return done;
  }

  /** Leaves a room. */
  leave(room: Room): Promise<void> | void {
    const done = this.nsp.adapter.del(this.id, room);
    if (this.connected) this.nsp.liveSessions?.touch(this);
    return done;
  }

  #leaveAll(): void {
    const adapter = this.nsp.adapter;
    runHook("the adapter's delAll()", adapter.delAll, adapter, this.id);
  }

  // -- lifecycle -------------------------------------------------------------------------------

  /** @internal called once the namespace accepted the socket */
  onconnect(): void {
    debug("socket connected - writing packet");
    this.connected = true;
    runHook("the adapter's addAll()", this.join, this, this.id);
    // (with persistWhileConnected, the join above schedules the session's first write)
    if (this.conn.protocol === 3) {
      this.packet({ type: PacketType.CONNECT, nsp: this.nsp.name });
    } else {
      this.packet({
        type: PacketType.CONNECT,
        nsp: this.nsp.name,
        data: { sid: this.id, pid: this.pid },
      });
    }
  }

  /** @internal a packet for this socket arrived */
  onpacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.#onevent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.#onack(packet);
        break;
      case PacketType.DISCONNECT:
        this.onclose("client namespace disconnect");
        break;
      default:
        break;
    }
  }

  #onevent(packet: Packet): void {
    const args: unknown[] = packet.data ?? [];
    const limiter = this.nsp.server.ops.events;
    if (limiter !== null && !limiter.admit(this, args)) return;
    debug("emitting event %j", args);
    if (packet.id != null) args.push(this.#ack(packet.id));
    this.dispatchEvent(args);
  }

  /** @internal an incoming event after the middlewares: through the contract, if any */
  override deliver(event: unknown[]): void {
    const contract = this.nsp.contractGate;
    if (contract === null) super.deliver(event);
    else contract.receive(this, event);
  }

  /** @internal an event the contract checked (parsed arguments) goes to the listeners */
  deliverChecked(event: unknown[]): void {
    super.deliver(event);
  }

  #ack(id: number): AckFn {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      this.packet({ id, type: PacketType.ACK, nsp: this.nsp.name, data: args });
      sent = true;
    };
  }

  #onack(packet: Packet): void {
    const acks = this.#acks;
    if (acks === null || !acks.receive(packet.id as number, packet.data)) {
      debug("bad ack %s", packet.id);
    }
  }

  /** @internal the socket leaves its namespace, with its reason */
  onclose(reason: DisconnectReason, description?: unknown): this | undefined {
    if (!this.connected) return this;
    debug("closing socket - reason %s", reason);
    this.emitReserved("disconnecting", reason, description);
    if (
      this.nsp.server.opts.connectionStateRecovery &&
      RECOVERABLE_DISCONNECT_REASONS.has(reason)
    ) {
      debug("connection state recovery is enabled for sid %s", this.id);
      const session = sessionOf(this);
      const adapter = this.nsp.adapter;
      runHook("the adapter's persistSession()", adapter.persistSession, adapter, session);
    }
    this.cleanup();
    this.client.remove(this);
    this.connected = false;
    this.nsp.liveSessions?.forget(this);
    this.nsp.server.ops.metrics?.disconnected(reason);
    this.#settleAcks();
    this.emitReserved("disconnect", reason, description);
    return undefined;
  }

  /** Pending acks end with an error now rather than never (they would leak otherwise). */
  #settleAcks(): void {
    this.#acks?.settleAll();
  }

  /** @internal leaves every room and the namespace */
  cleanup(): void {
    this.#leaveAll();
    this.nsp.remove(this);
    this.#closed = true;
    // a socket refused before its connection: what it emitted from a middleware gets no answer
    if (!this.connected) this.#settleAcks();
  }

  /** @internal refuses the connection to the namespace */
  sendConnectError(err: unknown): void {
    this.packet({ type: PacketType.CONNECT_ERROR, nsp: this.nsp.name, data: err });
  }

  /**
   * Disconnects this socket from its namespace; with `close`, closes the whole underlying
   * connection (every namespace of the client).
   */
  disconnect(close = false): this {
    if (!this.connected) return this;
    if (close) {
      this.client.disconnectAll();
    } else {
      this.packet({ type: PacketType.DISCONNECT, nsp: this.nsp.name });
      this.onclose("server namespace disconnect");
    }
    return this;
  }

  /** @internal sends DISCONNECT and leaves the namespace with a socketkit reason (limits) */
  disconnectWithReason(reason: DisconnectReason): void {
    if (!this.connected) return;
    this.packet({ type: PacketType.DISCONNECT, nsp: this.nsp.name });
    this.onclose(reason);
  }
}
