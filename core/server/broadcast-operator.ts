/**
 * BroadcastOperator: the immutable target of a broadcast (rooms, exceptions, flags), and the one
 * home of the broadcast API that Server, Namespace and Socket hand out. RemoteSocket: a socket
 * as `fetchSockets()` returns it, possibly living on another node.
 */
import {
  PacketType,
  type BroadcastFlags,
  type Handshake,
  type Packet,
  type Room,
  type SocketId,
} from "../types";
import { createError } from "../errors";
import { RESERVED_EVENTS } from "../parser/index";
import type { MetricsRecorder } from "../ops/metrics";
import type { ContractGate } from "./contract-gate";
import type {
  AllButLast,
  DecorateAcknowledgements,
  EventNames,
  EventNamesWithError,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  TypedEventBroadcaster,
} from "./typed-events";

/** Event names no application may emit (socket.io's socket-level reserved names). */
export const SOCKET_RESERVED_EVENTS: ReadonlySet<string> = RESERVED_EVENTS;

/** Throws socket.io's error for a reserved event name. */
export function assertNotReserved(ev: unknown, reserved: ReadonlySet<string>): void {
  if (reserved.has(ev as string)) {
    throw createError("RESERVED_EVENT", { event: ev });
  }
}

/** What the broadcast API needs of an adapter (ours, or one built on socket.io-adapter). */
export interface BroadcastAdapter {
  readonly nsp: { readonly sockets: Map<SocketId, { acks: Map<number, unknown> }> };
  broadcast(
    packet: Packet,
    opts: { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags },
  ): void;
  broadcastWithAck(
    packet: Packet,
    opts: { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags },
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void;
  serverCount(): Promise<number>;
  sockets(rooms: Set<Room>): Promise<Set<SocketId>>;
  fetchSockets(opts: {
    rooms: Set<Room>;
    except: Set<Room>;
    flags: BroadcastFlags;
  }): Promise<unknown[]>;
  addSockets(
    opts: { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags },
    rooms: Room[],
  ): void;
  delSockets(
    opts: { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags },
    rooms: Room[],
  ): void;
  disconnectSockets(
    opts: { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags },
    close: boolean,
  ): void;
}

/** A socket's details as a cluster adapter serializes them. */
export interface SocketDetails<SocketData> {
  id: SocketId;
  handshake: Handshake;
  rooms: Room[] | Set<Room>;
  data: SocketData;
}

type AckCallback = (err: Error | null, responses?: unknown) => void;

/** The metrics recorder of the server an adapter belongs to (through its public `nsp`). */
/** The contract attached to the namespace of an adapter (through its public `nsp`), if any. */
function contractOf(adapter: BroadcastAdapter): ContractGate | null | undefined {
  return (adapter as { nsp?: { contractGate?: ContractGate | null } }).nsp?.contractGate;
}

function metricsOf(adapter: BroadcastAdapter): MetricsRecorder | null | undefined {
  return (adapter as { nsp?: { server?: { ops?: { metrics: MetricsRecorder | null } } } }).nsp
    ?.server?.ops?.metrics;
}

const EMPTY_ROOMS: Set<Room> = new Set();

function addRooms(base: Set<Room>, room: Room | Room[]): Set<Room> {
  const rooms = new Set(base);
  if (Array.isArray(room)) for (const r of room) rooms.add(r);
  else rooms.add(room);
  return rooms;
}

/**
 * A broadcast target. Every modifier returns a new operator; nothing is shared between emits.
 *
 * @example
 * // to every socket in "room1" or "room2" except those in "room3", within 5 s for the acks
 * const responses = await io.to(["room1", "room2"]).except("room3").timeout(5000)
 *   .emitWithAck("question");
 */
export class BroadcastOperator<EmitEvents extends EventsMap, SocketData = unknown>
  implements TypedEventBroadcaster<EmitEvents>
{
  readonly #adapter: BroadcastAdapter;
  readonly #rooms: Set<Room>;
  readonly #exceptRooms: Set<Room>;
  readonly #flags: BroadcastFlags;
  readonly #defaultTimeout: number | undefined;

  constructor(
    adapter: BroadcastAdapter,
    rooms: Set<Room> = EMPTY_ROOMS,
    exceptRooms: Set<Room> = EMPTY_ROOMS,
    flags: BroadcastFlags = {},
    defaultTimeout?: number,
  ) {
    this.#adapter = adapter;
    this.#rooms = rooms;
    this.#exceptRooms = exceptRooms;
    this.#flags = flags;
    this.#defaultTimeout = defaultTimeout;
  }

  #with(
    rooms: Set<Room>,
    except: Set<Room>,
    flags: BroadcastFlags,
  ): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, rooms, except, flags, this.#defaultTimeout);
  }

  /** Targets the sockets in `room` (several calls or an array: the union of the rooms). */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with(addRooms(this.#rooms, room), this.#exceptRooms, this.#flags);
  }

  /** Alias of {@link BroadcastOperator.to}. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with(this.#rooms, addRooms(this.#exceptRooms, room), this.#flags);
  }

  /** Whether the data is compressed (per-message deflate / HTTP compression). */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with(this.#rooms, this.#exceptRooms, { ...this.#flags, compress });
  }

  /** The event may be lost when a client is not ready to receive it. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with(this.#rooms, this.#exceptRooms, { ...this.#flags, volatile: true });
  }

  /** The event reaches the sockets of this node only (with a cluster adapter). */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#with(this.#rooms, this.#exceptRooms, { ...this.#flags, local: true });
  }

  /** Waits at most `timeout` ms for every acknowledgement. */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return new BroadcastOperator(
      this.#adapter,
      this.#rooms,
      this.#exceptRooms,
      { ...this.#flags, timeout },
      this.#defaultTimeout,
    );
  }

  /**
   * Emits to every targeted socket. With a callback last, waits for each client's
   * acknowledgement: `callback(err, responses)`, `err` when the timeout fires first.
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    assertNotReserved(ev, SOCKET_RESERVED_EVENTS);
    const contract = contractOf(this.#adapter);
    if (contract != null) {
      const n = args.length;
      contract.checkEmit(
        ev as string,
        args,
        n > 0 && typeof args[n - 1] === "function" ? n - 1 : n,
      );
    }
    const data: unknown[] = [ev, ...args];
    const packet: Packet = { type: PacketType.EVENT, nsp: "", data };
    const opts = { rooms: this.#rooms, except: this.#exceptRooms, flags: this.#flags };
    if (typeof data[data.length - 1] !== "function") {
      this.#adapter.broadcast(packet, opts);
      return true;
    }
    const ack = data.pop() as AckCallback;
    const single = this.#flags.expectSingleResponse === true;
    const adapter = this.#adapter;
    let timedOut = false;
    const responses: unknown[] = [];
    let expectedServerCount = -1;
    let actualServerCount = 0;
    let expectedClientCount = 0;
    const onResponse = (response: unknown): void => {
      responses.push(response);
      checkCompleteness();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      const metrics = metricsOf(adapter);
      if (metrics) metrics.ackTimeouts++;
      releaseAcks(adapter, packet.id, onResponse);
      ack(createError("ACK_TIMEOUT"), single ? null : responses);
    }, this.#flags.timeout ?? this.#defaultTimeout);
    const checkCompleteness = (): void => {
      if (
        !timedOut &&
        expectedServerCount === actualServerCount &&
        responses.length === expectedClientCount
      ) {
        clearTimeout(timer);
        ack(null, single ? responses[0] : responses);
      }
    };
    adapter.broadcastWithAck(
      packet,
      opts,
      (clientCount) => {
        expectedClientCount += clientCount;
        actualServerCount++;
        checkCompleteness();
      },
      onResponse,
    );
    adapter.serverCount().then((serverCount) => {
      expectedServerCount = serverCount;
      checkCompleteness();
    });
    return true;
  }

  /** Like {@link BroadcastOperator.emit} with an acknowledgement, as a promise. */
  emitWithAck<Ev extends EventNamesWithError<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    return new Promise((resolve, reject) => {
      const callback = settleWithResponses(resolve as (value: unknown) => void, reject);
      (this.emit as (ev: string, ...a: unknown[]) => boolean)(ev as string, ...args, callback);
    });
  }

  /** The ids of the targeted sockets. */
  allSockets(): Promise<Set<SocketId>> {
    if (!this.#adapter) {
      throw createError("NO_ADAPTER");
    }
    return this.#adapter.sockets(this.#rooms);
  }

  /** The targeted sockets (local Socket instances, or RemoteSocket for other nodes). */
  async fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    const sockets = await this.#adapter.fetchSockets(this.#opts());
    return sockets.map((socket) =>
      (socket as { server?: unknown }).server
        ? (socket as RemoteSocket<EmitEvents, SocketData>)
        : new RemoteSocket<EmitEvents, SocketData>(
            this.#adapter,
            socket as SocketDetails<SocketData>,
          ),
    );
  }

  /** Makes the targeted sockets join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.#adapter.addSockets(this.#opts(), Array.isArray(room) ? room : [room]);
  }

  /** Makes the targeted sockets leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.#adapter.delSockets(this.#opts(), Array.isArray(room) ? room : [room]);
  }

  /** Disconnects the targeted sockets; `close` also closes their low-level connection. */
  disconnectSockets(close = false): void {
    this.#adapter.disconnectSockets(this.#opts(), close);
  }

  #opts(): { rooms: Set<Room>; except: Set<Room>; flags: BroadcastFlags } {
    return { rooms: this.#rooms, except: this.#exceptRooms, flags: this.#flags };
  }
}

/**
 * The err-first acknowledgement callback of a multi-response emit, settling a promise: rejected
 * with the error (carrying the responses received so far), or resolved with the responses.
 */
export function settleWithResponses(
  resolve: (value: unknown) => void,
  reject: (err: Error) => void,
): (err: (Error & { responses?: unknown }) | null, responses: unknown) => void {
  return (err, responses) => {
    if (err) {
      err.responses = responses;
      reject(err);
    } else {
      resolve(responses);
    }
  };
}

/** After a broadcast's acks timed out, drops the ack entries the recipients still hold. */
function releaseAcks(adapter: BroadcastAdapter, id: number | undefined, ack: unknown): void {
  if (id === undefined) return;
  for (const socket of adapter.nsp.sockets.values()) {
    if (socket.acks.get(id) === ack) socket.acks.delete(id);
  }
}

/**
 * A socket as `fetchSockets()` returns it from another node: its details, and the operations a
 * cluster adapter can carry out remotely.
 */
export class RemoteSocket<EmitEvents extends EventsMap, SocketData = unknown>
  implements TypedEventBroadcaster<EmitEvents>
{
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  readonly #operator: BroadcastOperator<EmitEvents, SocketData>;

  constructor(adapter: BroadcastAdapter, details: SocketDetails<SocketData>) {
    this.id = details.id;
    this.handshake = details.handshake;
    this.rooms = new Set(details.rooms);
    this.data = details.data;
    // a single response, so that emit() with an ack behaves like socket.emit()
    this.#operator = new BroadcastOperator<EmitEvents, SocketData>(
      adapter,
      new Set([this.id]),
      EMPTY_ROOMS,
      { expectSingleResponse: true },
    );
  }

  /** Waits at most `timeout` ms for the acknowledgement. */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.#operator.timeout(timeout);
  }

  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator.emit(ev, ...args);
  }

  join(room: Room | Room[]): void {
    this.#operator.socketsJoin(room);
  }

  leave(room: Room): void {
    this.#operator.socketsLeave(room);
  }

  disconnect(close = false): this {
    this.#operator.disconnectSockets(close);
    return this;
  }
}
