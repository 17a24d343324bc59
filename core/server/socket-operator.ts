/**
 * SocketOperator: a socket with emit modifiers (socket.volatile / compress() / timeout()).
 */
import type { BroadcastFlags, Room } from "../types";
import type { BroadcastOperator } from "./broadcast-operator";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
} from "./typed-events";

/**
 * What an operator needs of its socket (a {@link Socket}): emits and a broadcast operator, each
 * with the operator's modifiers.
 */
export interface FlaggedEmitter<SocketData> {
  emitWithFlags(flags: BroadcastFlags, ev: string, args: unknown[]): boolean;
  emitWithAckFlags(flags: BroadcastFlags, ev: string, args: unknown[]): Promise<unknown>;
  newBroadcastOperator(flags: BroadcastFlags): BroadcastOperator<EventsMap, SocketData>;
}

/**
 * A socket with emit modifiers (volatile, compress, timeout): returned by `socket.volatile`,
 * `socket.compress()` and `socket.timeout()`, so that the socket itself keeps no per-emit state.
 */
export class SocketOperator<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  readonly #socket: FlaggedEmitter<SocketData>;
  readonly #flags: BroadcastFlags;

  constructor(socket: FlaggedEmitter<SocketData>, flags: BroadcastFlags) {
    this.#socket = socket;
    this.#flags = flags;
  }

  /** See {@link Socket.emit}. */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#socket.emitWithFlags(this.#flags, ev as string, args as unknown[]);
  }

  /** See {@link Socket.emitWithAck}. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    return this.#socket.emitWithAckFlags(this.#flags, ev as string, args as unknown[]) as Promise<
      FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>
    >;
  }

  send(...args: EventParams<EmitEvents, "message">): this {
    this.#socket.emitWithFlags(this.#flags, "message", args as unknown[]);
    return this;
  }

  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  compress(
    compress: boolean,
  ): SocketOperator<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new SocketOperator(this.#socket, { ...this.#flags, compress });
  }

  get volatile(): SocketOperator<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new SocketOperator(this.#socket, { ...this.#flags, volatile: true });
  }

  timeout(
    timeout: number,
  ): SocketOperator<
    ListenEvents,
    DecorateAcknowledgements<EmitEvents>,
    ServerSideEvents,
    SocketData
  > {
    return new SocketOperator(this.#socket, { ...this.#flags, timeout });
  }

  to(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.broadcast.to(room);
  }

  in(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.broadcast.in(room);
  }

  except(
    room: Room | Room[],
  ): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.broadcast.except(room);
  }

  get broadcast(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.#socket.newBroadcastOperator(this.#flags) as unknown as BroadcastOperator<
      DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
      SocketData
    >;
  }

  get local(): BroadcastOperator<
    DecorateAcknowledgementsWithMultipleResponses<EmitEvents>,
    SocketData
  > {
    return this.broadcast.local;
  }
}
