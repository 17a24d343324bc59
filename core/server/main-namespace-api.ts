/**
 * MainNamespaceApi: the part of a Server that is its main namespace's ("/"): the broadcast API,
 * `use()`, and every listener method (`io.on("connection")` is `io.sockets.on("connection")`).
 */
import type { EventEmitter as NodeEventEmitter } from "node:events";
import type { BroadcastOperator, RemoteSocket } from "./broadcast-operator";
import type { ExtendedError, Namespace, ServerReservedEventsMap } from "./namespace";
import type { Room, SocketId } from "../types";
import type { Socket } from "./socket";
import {
  StrictEventEmitter,
  type AllButLast,
  type DecorateAcknowledgements,
  type DecorateAcknowledgementsWithMultipleResponses,
  type EventNames,
  type EventNamesWithAck,
  type EventNamesWithoutAck,
  type EventParams,
  type EventsMap,
  type FirstNonErrorArg,
  type Last,
  type RemoveAcknowledgements,
  type ReservedOrUserEventNames,
  type ReservedOrUserListener,
} from "./typed-events";

type Broadcast<E extends EventsMap, D> = BroadcastOperator<
  DecorateAcknowledgementsWithMultipleResponses<E>,
  D
>;

/**
 * The base class of {@link Server}: what `io.emit()`, `io.to()`, `io.use()`, `io.on()` and the
 * other shortcuts do, each forwarded to the main namespace `io.sockets`, where they are
 * documented. Applications never create one; they meet its methods on their Server.
 */
export abstract class MainNamespaceApi<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends StrictEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  /** The main namespace ("/"). */
  abstract readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;

  /** Adds a middleware to the main namespace. See {@link Namespace.use}. */
  use(
    fn: (
      socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      next: (err?: ExtendedError) => void,
    ) => void,
  ): this {
    this.sockets.use(fn);
    return this;
  }

  // -- the broadcast API of the main namespace (documented once, on BroadcastOperator) -----------

  /** See {@link BroadcastOperator.to}. */
  to(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  /** See {@link BroadcastOperator.in}. */
  in(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  /** See {@link BroadcastOperator.except}. */
  except(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  /** Emits to every socket of the main namespace. See {@link BroadcastOperator.emit}. */
  override emit<Ev extends EventNamesWithoutAck<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /** See {@link BroadcastOperator.emitWithAck}. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>[]> {
    return this.sockets.emitWithAck(ev, ...args);
  }

  /** See {@link Namespace.send}. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /** See {@link Namespace.write}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.write(...args);
    return this;
  }

  /** See {@link Namespace.serverSideEmit}. */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<ServerSideEvents, Ev>
  ): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /** See {@link Namespace.serverSideEmitWithAck}. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  /** See {@link BroadcastOperator.allSockets}. */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /** See {@link BroadcastOperator.compress}. */
  compress(compress: boolean): Broadcast<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  /** See {@link BroadcastOperator.volatile}. */
  get volatile(): Broadcast<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  /** See {@link BroadcastOperator.local}. */
  get local(): Broadcast<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  /** See {@link BroadcastOperator.timeout}. */
  timeout(
    timeout: number,
  ): BroadcastOperator<
    DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>,
    SocketData
  > {
    return this.sockets.timeout(timeout);
  }

  /** See {@link BroadcastOperator.fetchSockets}. */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /** See {@link BroadcastOperator.socketsJoin}. */
  socketsJoin(room: Room | Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /** See {@link BroadcastOperator.socketsLeave}. */
  socketsLeave(room: Room | Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /** See {@link BroadcastOperator.disconnectSockets}. */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }

  // -- listeners live on the main namespace (io.on("connection") is io.sockets.on(...)) ---------

  override on<
    Ev extends ReservedOrUserEventNames<
      ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      ServerSideEvents
    >,
  >(
    ev: Ev,
    listener: ReservedOrUserListener<
      ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      ServerSideEvents,
      Ev
    >,
  ): this {
    (this.sockets.on as (...a: unknown[]) => unknown)(ev, listener);
    return this;
  }

  override once<
    Ev extends ReservedOrUserEventNames<
      ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      ServerSideEvents
    >,
  >(
    ev: Ev,
    listener: ReservedOrUserListener<
      ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      ServerSideEvents,
      Ev
    >,
  ): this {
    (this.sockets.once as (...a: unknown[]) => unknown)(ev, listener);
    return this;
  }

  override addListener(event: string | symbol, listener: (...args: never[]) => void): this {
    this.sockets.addListener(event, listener as (...args: unknown[]) => void);
    return this;
  }

  override prependListener(event: string | symbol, listener: (...args: never[]) => void): this {
    this.sockets.prependListener(event, listener as (...args: unknown[]) => void);
    return this;
  }

  override prependOnceListener(event: string | symbol, listener: (...args: never[]) => void): this {
    this.sockets.prependOnceListener(event, listener as (...args: unknown[]) => void);
    return this;
  }

  override off(event: string | symbol, listener: (...args: never[]) => void): this {
    this.sockets.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  override removeListener(event: string | symbol, listener: (...args: never[]) => void): this {
    this.sockets.removeListener(event, listener as (...args: unknown[]) => void);
    return this;
  }

  override removeAllListeners(event?: string | symbol): this {
    this.sockets.removeAllListeners(event);
    return this;
  }

  override listeners<
    Ev extends ReservedOrUserEventNames<
      ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
      ServerSideEvents
    >,
  >(
    event: Ev,
  ): ReservedOrUserListener<
    ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    ServerSideEvents,
    Ev
  >[] {
    return (this.sockets.listeners as (ev: unknown) => never)(event);
  }

  // typed after the installed @types/node (older ones say Function[], newer ones listener arrays)
  override rawListeners(event: string | symbol): ReturnType<NodeEventEmitter["rawListeners"]> {
    return this.sockets.rawListeners(event);
  }

  override listenerCount(event: string | symbol): number {
    return this.sockets.listenerCount(event);
  }

  override eventNames(): (string | symbol)[] {
    return this.sockets.eventNames();
  }

  override setMaxListeners(n: number): this {
    this.sockets?.setMaxListeners(n);
    return this;
  }

  override getMaxListeners(): number {
    return this.sockets.getMaxListeners();
  }
}
