/**
 * The socket.io 2.x `Socket` over the v4 core's: `rooms` as an object, `join`/`leave` with
 * callbacks, `emit` returning the socket, 2.x modifiers, middleware errors sent to the client as
 * an error packet, and the `disconnect`/`disconnecting` events with the reason only.
 */
import { EventEmitter } from "node:events";
import {
  Socket as CoreSocket,
  type BroadcastOperator,
  type Client,
  type DefaultEventsMap,
  type Event,
  type RestoredSession,
} from "../../core/index";
import type { Namespace } from "./namespace";
import { applyBinaryFlag, emitLocally, Modifiers, type EmitFlags } from "./operator";
import type { Server } from "./server";
import { roomsView } from "./views";

/** The members whose 2.x meaning differs from 4.x: redefined below. */
type Redefined =
  | "nsp"
  | "server"
  | "rooms"
  | "emit"
  | "send"
  | "write"
  | "join"
  | "leave"
  | "to"
  | "in"
  | "compress"
  | "volatile"
  | "broadcast"
  | "local"
  | "use";

/** The v4 core's Socket, minus what the 2.x API redefines (the prototype chain is the real one). */
const SocketBase = CoreSocket as unknown as new (
  nsp: Namespace,
  client: Client<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, unknown>,
  auth: Record<string, unknown>,
  previousSession?: RestoredSession,
) => Omit<CoreSocket, Redefined>;

/** Event names 2.x emitted to the socket's own listeners instead of the client. */
const LOCAL_EVENTS: ReadonlySet<string> = new Set([
  "error",
  "connect",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

const NO_FLAGS: EmitFlags = Object.freeze({});

/** Calls a 2.x room callback once the core's join/leave (maybe a promise) is done. */
function settle(result: Promise<void> | void, fn: ((err: Error | null) => void) | undefined): void {
  if (fn === undefined) return;
  if (result !== undefined && typeof result.then === "function") {
    result.then(
      () => process.nextTick(fn, null),
      (err: unknown) => process.nextTick(fn, err instanceof Error ? err : new Error(String(err))),
    );
  } else {
    // 2.x's in-memory adapter answered on the next tick too
    process.nextTick(fn, null);
  }
}

/** A 2.x per-packet middleware: `fn(packet, next)`, the packet being `[event, ...args]`. */
export type PacketMiddleware = (
  packet: Event,
  next: (err?: Error & { data?: unknown }) => void,
) => void;

/**
 * A client connected to a namespace, with socket.io 2.x's API.
 *
 * @example
 * io.on("connection", function (socket) {
 *   socket.join("room 237", function () {
 *     console.log(socket.rooms); // { <socket.id>: <socket.id>, "room 237": "room 237" }
 *     io.to("room 237").emit("a new user has joined the room");
 *   });
 *   socket.on("say to someone", function (id, msg) {
 *     socket.broadcast.to(id).emit("my message", msg);
 *   });
 * });
 */
export class Socket extends SocketBase {
  declare readonly nsp: Namespace;

  /** The server of the socket's namespace. */
  get server(): Server {
    return this.nsp.server;
  }

  /**
   * The rooms the socket is in, as 2.x showed them: `{ [room]: room }` (its own id included).
   * A live view; also iterable over the names, as the v4 `Set` is.
   */
  get rooms(): Record<string, string> {
    return roomsView(() => this.nsp.adapter.socketRooms(this.id));
  }

  /**
   * Emits to this client; an acknowledgement callback may come last. Reserved names ("error",
   * "disconnect", ...) are emitted to the socket's own listeners, as 2.x did. Returns the socket.
   */
  emit(ev: string, ...args: unknown[]): this {
    if (LOCAL_EVENTS.has(ev)) emitLocally(this, ev, args);
    else this.emitToSelf(NO_FLAGS, ev, args);
    return this;
  }

  /** Sends a "message" event (an acknowledgement callback may come last). */
  send(...args: unknown[]): this {
    return this.emit("message", ...args);
  }

  /** Alias of {@link Socket.send}. */
  write(...args: unknown[]): this {
    return this.send(...args);
  }

  /** @internal an emit to this client with 2.x flags */
  emitToSelf(flags: EmitFlags, ev: string, args: unknown[]): void {
    const data = applyBinaryFlag(flags, args);
    this.emitWithFlags({ compress: flags.compress, volatile: flags.volatile }, ev, data);
  }

  /** @internal the core's broadcast operator: the namespace, this socket excepted */
  coreBroadcast(): BroadcastOperator<DefaultEventsMap> {
    return this.newBroadcastOperator() as unknown as BroadcastOperator<DefaultEventsMap>;
  }

  /** @internal the core's operator of the whole namespace */
  coreNamespaceOperator(): BroadcastOperator<DefaultEventsMap> {
    return this.nsp.coreNamespaceOperator();
  }

  /** @internal */
  get localEvents(): ReadonlySet<string> {
    return LOCAL_EVENTS;
  }

  #modifiers(rooms: readonly string[], broadcast: boolean, flags: EmitFlags): Modifiers<this> {
    return new Modifiers(this, this, rooms, broadcast, flags);
  }

  /** The next emit goes to the clients in `room` (this one excepted). Chainable. */
  to(room: string): Modifiers<this> {
    return this.#modifiers([room], false, NO_FLAGS);
  }

  /** Alias of {@link Socket.to}. */
  in(room: string): Modifiers<this> {
    return this.to(room);
  }

  /** The next emit goes to every client of the namespace but this one. */
  get broadcast(): Modifiers<this> {
    return this.#modifiers([], true, NO_FLAGS);
  }

  /** Whether the next emit is compressed (true unless set). */
  compress(value: boolean): Modifiers<this> {
    return this.#modifiers([], false, { compress: value });
  }

  /** `binary(false)`: the next emit has no binary part (sent as JSON, as 2.x did). */
  binary(value: boolean): Modifiers<this> {
    return this.#modifiers([], false, { binary: value });
  }

  /** The next emit may be lost if the client is not ready to receive it. */
  get volatile(): Modifiers<this> {
    return this.#modifiers([], false, { volatile: true });
  }

  /** The next broadcast reaches this node's clients only (with a cluster adapter). */
  get local(): Modifiers<this> {
    return this.#modifiers([], false, { local: true });
  }

  /** socket.io 2.x's `json` flag (no effect: everything is sent as JSON anyway). */
  get json(): this {
    return this;
  }

  /**
   * Joins a room or several; `fn(err)` is called once the adapter is done (asynchronously, as
   * in 2.x: after `join` returned, in the order of the calls), `socket.rooms` then has them.
   */
  join(rooms: string | string[], fn?: (err: Error | null) => void): this {
    settle(CoreSocket.prototype.join.call(this as unknown as CoreSocket, rooms), fn);
    return this;
  }

  /** Leaves a room; `fn(err)` as for {@link Socket.join}. */
  leave(room: string, fn?: (err: Error | null) => void): this {
    settle(CoreSocket.prototype.leave.call(this as unknown as CoreSocket, room), fn);
    return this;
  }

  /**
   * Adds a middleware run for every incoming packet: `fn(packet, next)`. As in 2.x, an error
   * passed to `next` is sent to the client as an error packet (`err.data`, else `err.message`):
   * a 2.x client gets an "error" event and stays connected. A 4.x client cannot receive such a
   * packet without losing its connection, so for it the error is emitted on this socket's
   * "error" listeners instead (the 4.x behaviour).
   */
  use(fn: PacketMiddleware): this {
    CoreSocket.prototype.use.call(this as unknown as CoreSocket, (packet, next) => {
      fn(packet, (err) => {
        if (!err) {
          next();
          return;
        }
        // the chain stops here: the packet is dropped
        process.nextTick(() => {
          if (this.conn.protocol === 3) this.sendConnectError(err.data || err.message);
          else this.onerror(err);
        });
      });
    });
    return this;
  }

  /**
   * @internal the core's reserved events: `disconnect` and `disconnecting` carry the reason
   * only, as in 2.x (4.x adds a description)
   */
  emitReserved(ev: string, ...args: unknown[]): boolean {
    if (ev === "disconnect" || ev === "disconnecting") {
      return EventEmitter.prototype.emit.call(this, ev, args[0]);
    }
    return EventEmitter.prototype.emit.call(this, ev, ...args);
  }
}
