/**
 * The socket.io 2.x `Namespace` over the v4 core's: `connected` as an object, `clients(fn)`,
 * `emit` returning the namespace, 2.x modifiers (`to`/`in`, `compress`, `binary`, `volatile`,
 * `local`), and sockets of the 2.x class.
 */
import {
  Namespace as CoreNamespace,
  type BroadcastOperator,
  type Client,
  type DefaultEventsMap,
  type RestoredSession,
} from "../../core/index";
import { emitLocally, Modifiers, type ClientsCallback, type EmitFlags } from "./operator";
import type { Server } from "./server";
import { Socket } from "./socket";
import { mapView } from "./views";

type Redefined =
  | "server"
  | "sockets"
  | "emit"
  | "send"
  | "write"
  | "to"
  | "in"
  | "compress"
  | "volatile"
  | "local"
  | "use"
  | "on"
  | "once"
  | "newSocket";

/** The v4 core's Namespace, minus what the 2.x API redefines (the prototype chain is real). */
const NamespaceBase = CoreNamespace as unknown as new (
  server: Server,
  name: string,
) => Omit<CoreNamespace, Redefined>;

/** Event names 2.x emitted to the namespace's own listeners instead of the clients. */
const LOCAL_EVENTS: ReadonlySet<string> = new Set(["connect", "connection", "newListener"]);

const NO_FLAGS: EmitFlags = Object.freeze({});

type CoreClient = Client<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, unknown>;

/** A 2.x connection middleware: `fn(socket, next)`; `next(err)` refuses the connection. */
export type ConnectionMiddleware = (
  socket: Socket,
  next: (err?: Error & { data?: unknown }) => void,
) => void;

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- typing the core's own listener methods
export interface Namespace {
  on(event: "connect" | "connection", listener: (socket: Socket) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: "connect" | "connection", listener: (socket: Socket) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * A namespace with socket.io 2.x's API.
 *
 * @example
 * const chat = io.of("/chat");
 * chat.use(function (socket, next) {
 *   if (socket.request.headers.cookie) return next();
 *   next(new Error("Authentication error"));
 * });
 * chat.in("general").clients(function (error, clients) {
 *   if (error) throw error;
 *   console.log(clients); // => [Anw2LatarvGVVXEIAAAD]
 * });
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see above
export class Namespace extends NamespaceBase {
  declare readonly server: Server;
  /** The connected sockets by id (the v4 `Map`; `connected` is the 2.x object view of it). */
  declare readonly sockets: Map<string, Socket>;
  #connected: Record<string, Socket> | null = null;

  /** The connected sockets, as socket.io 2.x's object indexed by id (a live view). */
  get connected(): Record<string, Socket> {
    return (this.#connected ??= mapView(this.sockets));
  }

  /** @internal the sockets of this namespace are 2.x sockets */
  newSocket(client: CoreClient, auth: Record<string, unknown>, session?: RestoredSession): Socket {
    return new Socket(this, client, auth, session);
  }

  /** Adds a middleware run for every incoming connection: `fn(socket, next)`. */
  use(fn: ConnectionMiddleware): this {
    CoreNamespace.prototype.use.call(
      this as unknown as CoreNamespace,
      fn as unknown as Parameters<CoreNamespace["use"]>[0],
    );
    return this;
  }

  /** @internal the core's broadcast operator of the whole namespace */
  coreBroadcast(): BroadcastOperator<DefaultEventsMap> {
    return this.newOperator() as unknown as BroadcastOperator<DefaultEventsMap>;
  }

  /** @internal */
  coreNamespaceOperator(): BroadcastOperator<DefaultEventsMap> {
    return this.coreBroadcast();
  }

  /** @internal */
  get localEvents(): ReadonlySet<string> {
    return LOCAL_EVENTS;
  }

  #modifiers(rooms: readonly string[], flags: EmitFlags): Modifiers<this> {
    return new Modifiers(this, this, rooms, false, flags);
  }

  /**
   * Emits to every connected client of the namespace (2.x: no acknowledgement callback when
   * broadcasting). "connect", "connection" and "newListener" are emitted to the namespace's own
   * listeners, as 2.x did. Returns the namespace.
   */
  emit(ev: string, ...args: unknown[]): this {
    if (LOCAL_EVENTS.has(ev)) {
      emitLocally(this, ev, args);
      return this;
    }
    return this.#modifiers([], NO_FLAGS).emit(ev, ...args);
  }

  /** Sends a "message" event to every client. */
  send(...args: unknown[]): this {
    return this.emit("message", ...args);
  }

  /** Alias of {@link Namespace.send}. */
  write(...args: unknown[]): this {
    return this.send(...args);
  }

  /** The next emit (or `clients`) targets the clients in `room`. Chainable. */
  to(room: string): Modifiers<this> {
    return this.#modifiers([room], NO_FLAGS);
  }

  /** Alias of {@link Namespace.to}. */
  in(room: string): Modifiers<this> {
    return this.to(room);
  }

  /**
   * The ids of the namespace's connected clients, on every node with a cluster adapter:
   * `fn(err, ids)`, called asynchronously. `nsp.in(room).clients(fn)` for a room's.
   */
  clients(fn: ClientsCallback): this {
    return this.#modifiers([], NO_FLAGS).clients(fn);
  }

  /** Whether the next emit is compressed (true unless set). */
  compress(value: boolean): Modifiers<this> {
    return this.#modifiers([], { compress: value });
  }

  /** `binary(false)`: the next emit has no binary part (sent as JSON, as 2.x did). */
  binary(value: boolean): Modifiers<this> {
    return this.#modifiers([], { binary: value });
  }

  /** The next emit may be lost by clients that are not ready to receive it. */
  get volatile(): Modifiers<this> {
    return this.#modifiers([], { volatile: true });
  }

  /** The next emit reaches this node's clients only (with a cluster adapter). */
  get local(): Modifiers<this> {
    return this.#modifiers([], { local: true });
  }

  /** socket.io 2.x's `json` flag (no effect). */
  get json(): this {
    return this;
  }
}
