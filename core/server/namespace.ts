/**
 * Namespace: a communication channel with its own sockets, rooms, middlewares and adapter
 * (socket.io's `Namespace`).
 */
import { runSteps } from "../util/middleware";
import { reportError } from "../util/report";
import { createDebug } from "../util/debug";
import type { RestoredSession, Room, SocketId } from "../types";
import type { Adapter } from "../adapter/index";
import {
  assertNotReserved,
  BroadcastOperator,
  settleWithResponses,
  type RemoteSocket,
} from "./broadcast-operator";
import type { Client } from "./client";
import { SessionAwareAdapter } from "../adapter/index";
import { catchUpResume, resumeOffset } from "../ops/resume";
import { Encoder } from "../parser/index";
import { Socket } from "./socket";
import { LiveSessions } from "./live-sessions";
import { StreamOrder } from "./stream-order";
import {
  resolveContractOptions,
  type ContractDefinition,
  type ContractEmitEvents,
  type ContractListenEvents,
  type ContractOptions,
} from "./contract";
import { ContractGate } from "./contract-gate";
import type { Server } from "./server";
import {
  StrictEventEmitter,
  type AllButLast,
  type DecorateAcknowledgements,
  type DecorateAcknowledgementsWithMultipleResponses,
  type DefaultEventsMap,
  type EventNames,
  type EventNamesWithAck,
  type EventNamesWithoutAck,
  type EventParams,
  type EventsMap,
  type FirstNonErrorArg,
  type Last,
  type RemoveAcknowledgements,
} from "./typed-events";

const debug = createDebug("socket.io:namespace");

/** An error passed to a middleware's `next()`: its `message` and `data` reach the client. */
export interface ExtendedError extends Error {
  data?: unknown;
}

export interface NamespaceReservedEventsMap<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  connect: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
  connection: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
}

export interface ServerReservedEventsMap<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  new_namespace: (
    namespace: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) => void;
}

/** Event names that `serverSideEmit` refuses. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connection",
  "new_namespace",
]);

type Middleware<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = (
  socket: Socket<L, E, S, D>,
  next: (err?: ExtendedError) => void,
) => void;

type Broadcast<E extends EventsMap, D> = BroadcastOperator<
  DecorateAcknowledgementsWithMultipleResponses<E>,
  D
>;

function onAdapterInitError(err: unknown): void {
  debug("error while initializing adapter: %s", err);
}

/** The next tick after the middlewares (see Namespace.add). */
function afterMiddlewares<L extends EventsMap, E extends EventsMap, S extends EventsMap, D>(
  nsp: Namespace<L, E, S, D>,
  client: Client<L, E, S, D>,
  socket: Socket<L, E, S, D>,
  err: ExtendedError | undefined,
): void {
  nsp.admit(client, socket, err);
}

/**
 * A namespace.
 *
 * @example
 * const orders = io.of("/orders");
 * orders.use((socket, next) => (socket.handshake.auth.token ? next() : next(new Error("no"))));
 * orders.on("connection", (socket) => socket.join("orders:new"));
 * orders.to("orders:new").emit("created", { id: 1 });
 */
export class Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
> extends StrictEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  readonly name: string;
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The connected sockets, by id. */
  readonly sockets = new Map<
    SocketId,
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  adapter!: Adapter;
  /** Next acknowledgement id (compatibility surface: adapters read and increment it). */
  _ids = 0;
  /** @internal the attached event contract at work (null: none; see {@link Namespace.contract}) */
  contractGate: ContractGate | null = null;
  /** @internal called when the last socket leaves (dynamic namespace cleanup) */
  onEmpty: (() => void) | null = null;

  readonly #preConnectSockets = new Map<
    SocketId,
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  readonly #fns: Middleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] = [];
  /** Sockets resumed on a cluster adapter, by the offset of the last packet they were sent. */
  readonly #resumeOffsets = new WeakMap<object, string>();
  #liveSessions: LiveSessions | null | undefined;
  /**
   * @internal the log order of this namespace's deliveries (`persistWhileConnected` on a cluster
   * adapter, ./stream-order.ts), or null
   */
  streamOrder: StreamOrder | null = null;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    name: string,
  ) {
    super();
    this.server = server;
    this.name = name;
    this.initAdapter();
  }

  /**
   * @internal (re)creates the adapter from the server's adapter constructor (a class, or a
   * factory such as the official adapters' `createAdapter()` results, called with `new` as
   * socket.io does), then calls its `init()` hook: cluster adapters start there (postgres-adapter
   * announces itself to the other nodes and starts its heartbeat). As in socket.io, a rejected
   * `init()` is logged and swallowed: the namespace keeps working on its local node.
   */
  initAdapter(): void {
    const AdapterClass = this.server.adapter() as unknown as new (nsp: unknown) => Adapter;
    const adapter = new AdapterClass(this);
    this.adapter = adapter;
    const csr = this.server.opts.connectionStateRecovery;
    this.streamOrder =
      csr && csr.persistWhileConnected && !(adapter instanceof SessionAwareAdapter)
        ? StreamOrder.install(adapter)
        : null;
    Promise.resolve(adapter.init()).catch(onAdapterInitError);
  }

  /**
   * @internal the sessions written while connected (`persistWhileConnected`), or null: off, or
   * an in-memory adapter (whose store dies with the node anyway)
   */
  get liveSessions(): LiveSessions | null {
    if (this.#liveSessions === undefined) {
      const csr = this.server.opts.connectionStateRecovery;
      this.#liveSessions =
        csr && csr.persistWhileConnected && !(this.adapter instanceof SessionAwareAdapter)
          ? new LiveSessions(
              this,
              csr.refreshInterval ?? Math.max(1, (csr.maxDisconnectionDuration ?? 0) / 2),
            )
          : null;
    }
    return this.#liveSessions;
  }

  /** The middlewares, in order (read by parent namespaces to copy them). */
  get middlewares(): readonly Middleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] {
    return this.#fns;
  }

  /**
   * Adds a middleware run for every incoming connection; `next(err)` refuses it with a
   * CONNECT_ERROR carrying `err.message` and `err.data`.
   */
  use(fn: Middleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.#fns.push(fn);
    return this;
  }

  /**
   * Attaches an event contract (see `defineContract`) to this namespace: incoming events are
   * validated before their handlers run (which get the parsed values), outgoing ones with
   * `validateOutgoing`; the returned namespace (this one) is typed from the contract. A second
   * call replaces the contract. See README "Event contracts".
   *
   * @example
   * const chat = io.of("/chat").contract(chatContract, { strict: true });
   * chat.on("connection", (socket) => socket.on("send", (msg, ack) => ack({ id: 1 })));
   */
  contract<C extends ContractDefinition>(
    definition: C,
    opts?: ContractOptions,
  ): Namespace<ContractListenEvents<C>, ContractEmitEvents<C>, ServerSideEvents, SocketData> {
    this.attachContract(
      new ContractGate(definition, resolveContractOptions(opts), () => this.server.ops.metrics),
    );
    return this as unknown as Namespace<
      ContractListenEvents<C>,
      ContractEmitEvents<C>,
      ServerSideEvents,
      SocketData
    >;
  }

  /** @internal sets the contract gate (a parent namespace passes it on to its children) */
  attachContract(gate: ContractGate): void {
    this.contractGate = gate;
  }

  #run(
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    fn: (err?: ExtendedError) => void,
  ): void {
    // called with at least one middleware (#admit connects without any on its own)
    const fns = this.#fns.slice(0);
    runSteps(
      fns.length,
      (i, next) => fns[i](socket, next as (err?: ExtendedError) => void),
      (err, failure) => {
        // a middleware that throws or rejects refuses the connection as next(err) would, and
        // the error is reported on the server (socket.io 4.8 leaves it an unhandled rejection)
        if (failure) reportError(err, `a middleware of namespace "${this.name}"`);
        fn(err as ExtendedError | undefined);
      },
    );
  }

  /**
   * @internal a client asks to join this namespace: the socket is created, goes through the
   * middlewares, then connects on a later tick (as in socket.io) and is handed to
   * `client.onNamespaceJoined`. Returns a promise only for a recovery attempt (it waits for the
   * adapter); a plain connect allocates no callbacks.
   */
  add(
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: Record<string, unknown>,
  ): void | Promise<void> {
    debug("adding socket to nsp %s", this.name);
    const pid = auth.pid;
    const offset = auth.offset;
    if (
      this.server.opts.connectionStateRecovery &&
      typeof pid === "string" &&
      typeof offset === "string"
    ) {
      return this.#restore(client, auth, pid, offset).then((socket) => this.#admit(client, socket));
    }
    this.#admit(client, this.newSocket(client, auth));
  }

  /**
   * @internal creates the socket of `client` in this namespace (restored from `session` with
   * connection state recovery): the seam where a namespace with another API (socketkit/v2)
   * creates sockets of its own class
   */
  newSocket(
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: Record<string, unknown>,
    session?: RestoredSession,
  ): Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new Socket(this, client, auth, session);
  }

  #admit(
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ): void {
    this.#preConnectSockets.set(socket.id, socket);
    if (
      this.server.opts.connectionStateRecovery?.skipMiddlewares &&
      socket.recovered &&
      client.conn.readyState === "open"
    ) {
      this.#doConnect(socket);
      return;
    }
    if (this.#fns.length === 0) {
      process.nextTick(afterMiddlewares, this, client, socket, undefined);
      return;
    }
    this.#run(socket, (err) => process.nextTick(afterMiddlewares, this, client, socket, err));
  }

  /** @internal the middlewares are done with `socket` (next tick): connect it or refuse it */
  admit(
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    err: ExtendedError | undefined,
  ): void {
    if (client.conn.readyState !== "open") {
      debug("next called after client was closed - ignoring socket");
      socket.cleanup();
      return;
    }
    if (err) {
      debug("middleware error, sending CONNECT_ERROR packet to the client");
      socket.cleanup();
      if (client.conn.protocol === 3) {
        socket.sendConnectError(err.data || err.message);
      } else {
        socket.sendConnectError({ message: err.message, data: err.data });
      }
      return;
    }
    this.#doConnect(socket);
  }

  async #restore(
    client: Client<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    auth: Record<string, unknown>,
    pid: string,
    offset: string,
  ): Promise<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> {
    let session = null;
    try {
      session = await this.adapter.restoreSession(pid, offset);
    } catch (e) {
      debug("error while restoring session: %s", e);
    }
    // the connection went while the session was read (and taken from the store): put it back
    // for the client's next attempt, as the live sessions would have kept it
    if (session && client.conn.readyState !== "open") this.liveSessions?.putBack(session);
    if (session) {
      debug("connection state recovered for sid %s", session.sid);
      const socket = this.newSocket(client, auth, session);
      // a cluster adapter's live deliveries may have missed the socket while it was restored;
      // the catch-up tells live duplicates by the offset in the default parser's text
      if (
        !(this.adapter instanceof SessionAwareAdapter) &&
        this.server.parser.Encoder === Encoder
      ) {
        this.#resumeOffsets.set(socket, resumeOffset(session, offset));
      }
      return socket;
    }
    return this.newSocket(client, auth);
  }

  #doConnect(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.#preConnectSockets.delete(socket.id);
    this.sockets.set(socket.id, socket);
    socket.onconnect();
    socket.client.onNamespaceJoined(socket);
    const resumedFrom = this.#resumeOffsets.get(socket);
    if (resumedFrom !== undefined) {
      this.#resumeOffsets.delete(socket);
      const live = this.liveSessions;
      // the catch-up's second read takes the stored session: write it again afterwards
      void catchUpResume(this.adapter, socket, resumedFrom).then(
        live === null ? undefined : () => live.touch(socket),
      );
    }
    this.emitReserved("connect", socket);
    this.emitReserved("connection", socket);
  }

  /** @internal a socket left */
  remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (!this.sockets.delete(socket.id)) this.#preConnectSockets.delete(socket.id);
    if (this.onEmpty !== null && this.sockets.size === 0) this.onEmpty();
  }

  /** @internal a new broadcast operator for this namespace */
  newOperator(): Broadcast<EmitEvents, SocketData> {
    return new BroadcastOperator(
      this.adapter,
      undefined,
      undefined,
      undefined,
      this.server.opts.ackTimeout,
    );
  }

  // -- the broadcast API (documented once, on BroadcastOperator) ---------------------------------

  /** See {@link BroadcastOperator.to}. */
  to(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().to(room);
  }

  /** See {@link BroadcastOperator.in}. */
  in(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().in(room);
  }

  /** See {@link BroadcastOperator.except}. */
  except(room: Room | Room[]): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().except(room);
  }

  /** Emits to every socket of the namespace. See {@link BroadcastOperator.emit}. */
  override emit<Ev extends EventNamesWithoutAck<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    return (this.newOperator().emit as (ev: string, ...a: unknown[]) => boolean)(
      ev as string,
      ...args,
    );
  }

  /** See {@link BroadcastOperator.emitWithAck}. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>[]> {
    return (this.newOperator().emitWithAck as (ev: string, ...a: unknown[]) => Promise<never>)(
      ev as string,
      ...args,
    );
  }

  /** Sends a "message" event to every socket. */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.newOperator().emit as (ev: string, ...a: unknown[]) => boolean)("message", ...args);
    return this;
  }

  /** Alias of {@link Namespace.send}. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** See {@link BroadcastOperator.allSockets}. */
  allSockets(): Promise<Set<SocketId>> {
    return this.newOperator().allSockets();
  }

  /** See {@link BroadcastOperator.compress}. */
  compress(compress: boolean): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().compress(compress);
  }

  /** See {@link BroadcastOperator.volatile}. */
  get volatile(): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().volatile;
  }

  /** See {@link BroadcastOperator.local}. */
  get local(): Broadcast<EmitEvents, SocketData> {
    return this.newOperator().local;
  }

  /** See {@link BroadcastOperator.timeout}. */
  timeout(
    timeout: number,
  ): BroadcastOperator<
    DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>>,
    SocketData
  > {
    return this.newOperator().timeout(timeout);
  }

  /** See {@link BroadcastOperator.fetchSockets}. */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.newOperator().fetchSockets() as unknown as Promise<
      RemoteSocket<EmitEvents, SocketData>[]
    >;
  }

  /** See {@link BroadcastOperator.socketsJoin}. */
  socketsJoin(room: Room | Room[]): void {
    this.newOperator().socketsJoin(room);
  }

  /** See {@link BroadcastOperator.socketsLeave}. */
  socketsLeave(room: Room | Room[]): void {
    this.newOperator().socketsLeave(room);
  }

  /** See {@link BroadcastOperator.disconnectSockets}. */
  disconnectSockets(close = false): void {
    this.newOperator().disconnectSockets(close);
  }

  // -- server-side events (cluster) -----------------------------------------------------------

  /**
   * Emits to the other servers of the cluster (needs a cluster adapter).
   *
   * @example
   * io.serverSideEmit("hello", "world");
   * io.on("hello", (arg) => {}); // on the other servers
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<ServerSideEvents, Ev>
  ): boolean {
    assertNotReserved(ev, RESERVED_EVENTS);
    (this.adapter.serverSideEmit as (packet: unknown[]) => void)([ev, ...args]);
    return true;
  }

  /** Like {@link Namespace.serverSideEmit}, waiting for every server's acknowledgement. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return new Promise((resolve, reject) => {
      const callback = settleWithResponses(resolve as (value: unknown) => void, reject);
      assertNotReserved(ev, RESERVED_EVENTS);
      (this.adapter.serverSideEmit as (packet: unknown[]) => void)([ev, ...args, callback]);
    });
  }

  /** Delivers an event from another server (compatibility surface: cluster adapters call it). */
  _onServerSideEmit(args: unknown[]): void {
    this.emitUntyped(args[0] as string, ...args.slice(1));
  }

  /** @internal emits a reserved event (used by the server for "new_namespace") */
  emitNamespaceEvent(ev: string, ...args: unknown[]): void {
    this.emitUntyped(ev, ...args);
  }
}
