/**
 * ParentNamespace: the namespace returned by `io.of(regex | function)`. It creates a child
 * namespace for each matching name, copies its middlewares and connection listeners to it, and
 * broadcasts to all its children (socket.io's `ParentNamespace`).
 */
import { createDebug } from "../util/debug";
import { Adapter } from "../adapter/index";
import type { BroadcastOptions, Packet } from "../types";
import { Namespace } from "./namespace";
import type { Server } from "./server";
import type {
  DefaultEventsMap,
  EventNamesWithoutAck,
  EventParams,
  EventsMap,
} from "./typed-events";
import type { RemoteSocket } from "./broadcast-operator";
import { createError } from "../errors";
import type { ContractGate } from "./contract-gate";

const debug = createDebug("socket.io:parent-namespace");

/** Broadcasts of a parent namespace go to each child's adapter. */
class ParentBroadcastAdapter extends Adapter {
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const parent = this.nsp as unknown as ParentNamespace;
    for (const nsp of parent.children) nsp.adapter.broadcast({ ...packet }, opts);
  }
}

let count = 0;

function onAdapterCloseError(err: unknown): void {
  debug("error while closing the adapter: %s", err);
}

/**
 * What `io.of(regex)` and `io.of(fn)` return: a namespace with no sockets of its own, whose
 * middlewares and connection listeners are copied to each child namespace it creates, and
 * whose emits reach every child. Applications get one from `io.of()` and use it as a namespace.
 */
export class ParentNamespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
> extends Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  readonly children = new Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();

  constructor(server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) {
    super(server, "/_" + count++);
  }

  override initAdapter(): void {
    this.adapter = new ParentBroadcastAdapter(this);
  }

  /** Emits to every child namespace. */
  override emit<Ev extends EventNamesWithoutAck<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    for (const nsp of this.children) nsp.emit(ev, ...args);
    return true;
  }

  /** @internal the contract applies to every child, existing and future */
  override attachContract(gate: ContractGate): void {
    super.attachContract(gate);
    for (const nsp of this.children) nsp.attachContract(gate);
  }

  /** @internal creates the child namespace `name` */
  createChild(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    debug("creating child namespace %s", name);
    const namespace = this.server.newNamespace(name);
    for (const fn of this.middlewares) namespace.use(fn);
    if (this.contractGate !== null) namespace.attachContract(this.contractGate);
    for (const listener of this.listeners("connect")) namespace.on("connect", listener);
    for (const listener of this.listeners("connection")) namespace.on("connection", listener);
    this.children.add(namespace);
    if (this.server.opts.cleanupEmptyChildNamespaces) {
      namespace.onEmpty = () => {
        debug("closing child namespace %s", name);
        Promise.resolve(namespace.adapter.close()).catch(onAdapterCloseError);
        this.server._nsps.delete(namespace.name);
        this.children.delete(namespace);
      };
    }
    this.server._nsps.set(name, namespace);
    this.server.sockets.emitNamespaceEvent("new_namespace", namespace);
    return namespace;
  }

  override fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    // same behaviour as socket.io: a parent namespace has no sockets of its own
    throw createError("PARENT_FETCH_SOCKETS");
  }
}
