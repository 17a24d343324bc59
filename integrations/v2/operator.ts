/**
 * The 2.x emit modifiers: `to`/`in`, `broadcast`, `compress`, `binary`, `volatile`, `local`,
 * `json`, then `emit`/`send`/`clients`. socket.io 2.x set them as flags on the socket or
 * namespace until the next emit; here each returns a new `Modifiers` (nothing is left behind on
 * the socket), so chained calls — `io.to("a").to("b").emit()`, `socket.broadcast.to("r")
 * .volatile.emit()` — behave as in 2.x. The emits go through the v4 core's broadcast operator.
 */
import { EventEmitter } from "node:events";
import {
  createError,
  parser,
  type BroadcastOperator,
  type DefaultEventsMap,
} from "../../core/index";

/** The flags 2.x kept between a modifier and the next emit. */
export interface EmitFlags {
  compress?: boolean;
  volatile?: boolean;
  local?: boolean;
  binary?: boolean;
}

/** What `Modifiers` needs of the socket or namespace it was made from. */
export interface ModifierSource {
  /** The core broadcast operator of the source (a socket's excludes the socket itself). */
  coreBroadcast(): BroadcastOperator<DefaultEventsMap>;
  /** The core broadcast operator of the whole namespace (for `clients`). */
  coreNamespaceOperator(): BroadcastOperator<DefaultEventsMap>;
  /** A socket's own emit (modifiers without rooms nor `broadcast`); absent for namespaces. */
  emitToSelf?(flags: EmitFlags, ev: string, args: unknown[]): void;
  /** The event names emitted to the source's own listeners instead of the clients. */
  readonly localEvents: ReadonlySet<string>;
}

/** The ids of the matching clients, or the error: socket.io 2.x's `clients(fn)` callback. */
export type ClientsCallback = (err: Error | null, clients: string[]) => void;

/**
 * `binary(false)`: 2.x skipped the binary check and sent the packet as JSON, so a Buffer went as
 * `{ type: "Buffer", data: [...] }`. Data without binary parts is sent unchanged.
 */
export function applyBinaryFlag(flags: EmitFlags, args: unknown[]): unknown[] {
  if (flags.binary !== false || !parser.hasBinary(args)) return args;
  const last = args[args.length - 1];
  if (typeof last === "function") {
    return [...(JSON.parse(JSON.stringify(args.slice(0, -1))) as unknown[]), last];
  }
  return JSON.parse(JSON.stringify(args)) as unknown[];
}

function idOf(socket: { id: string }): string {
  return socket.id;
}

/** Applies compress/volatile/local to a core broadcast operator. */
function withFlags(
  operator: BroadcastOperator<DefaultEventsMap>,
  flags: EmitFlags,
): BroadcastOperator<DefaultEventsMap> {
  let op = operator;
  if (flags.compress === false) op = op.compress(false);
  if (flags.volatile) op = op.volatile;
  if (flags.local) op = op.local;
  return op;
}

/** Emits `ev` to the source's own listeners (node's emit, as 2.x did for reserved names). */
export function emitLocally(source: object, ev: string, args: unknown[]): void {
  EventEmitter.prototype.emit.call(source, ev, ...args);
}

/**
 * A socket or namespace with 2.x emit modifiers. `emit` and `send` return the socket or
 * namespace itself, as in 2.x.
 */
export class Modifiers<S> {
  readonly #source: ModifierSource;
  /** What `emit`, `send` and `clients` return: the socket or namespace (2.x chaining). */
  readonly #result: S;
  readonly #rooms: readonly string[];
  readonly #broadcast: boolean;
  readonly #flags: EmitFlags;

  constructor(
    source: ModifierSource,
    result: S,
    rooms: readonly string[],
    broadcast: boolean,
    flags: EmitFlags,
  ) {
    this.#source = source;
    this.#result = result;
    this.#rooms = rooms;
    this.#broadcast = broadcast;
    this.#flags = flags;
  }

  #with(rooms: readonly string[], broadcast: boolean, flags: EmitFlags): Modifiers<S> {
    return new Modifiers(this.#source, this.#result, rooms, broadcast, flags);
  }

  /** Targets the clients in `room` too (several calls: the union of the rooms). */
  to(room: string | readonly string[]): Modifiers<S> {
    const rooms = [...this.#rooms];
    for (const r of typeof room === "string" ? [room] : room) if (!rooms.includes(r)) rooms.push(r);
    return this.#with(rooms, this.#broadcast, this.#flags);
  }

  /** Alias of {@link Modifiers.to}. */
  in(room: string | readonly string[]): Modifiers<S> {
    return this.to(room);
  }

  /** Every client but the socket (socket.io 2.x's `broadcast` flag). */
  get broadcast(): Modifiers<S> {
    return this.#with(this.#rooms, true, this.#flags);
  }

  /** Whether the next emit is compressed (true unless set). */
  compress(value: boolean): Modifiers<S> {
    return this.#with(this.#rooms, this.#broadcast, { ...this.#flags, compress: value });
  }

  /** `false`: the data has no binary part, send it as JSON (see {@link applyBinaryFlag}). */
  binary(value: boolean): Modifiers<S> {
    return this.#with(this.#rooms, this.#broadcast, { ...this.#flags, binary: value });
  }

  /** The event may be lost if a client is not ready to receive it. */
  get volatile(): Modifiers<S> {
    return this.#with(this.#rooms, this.#broadcast, { ...this.#flags, volatile: true });
  }

  /** A broadcast reaches the clients of this node only (with a cluster adapter). */
  get local(): Modifiers<S> {
    return this.#with(this.#rooms, this.#broadcast, { ...this.#flags, local: true });
  }

  /** socket.io 2.x's `json` flag: JSON is what is sent anyway, so it changes nothing. */
  get json(): Modifiers<S> {
    return this;
  }

  /**
   * Emits with the modifiers: to the socket itself, or as a broadcast when rooms or `broadcast`
   * are set — where, as in 2.x, an acknowledgement callback throws.
   */
  emit(ev: string, ...args: unknown[]): S {
    const source = this.#source;
    if (source.localEvents.has(ev)) {
      emitLocally(source, ev, args);
      return this.#result;
    }
    if (source.emitToSelf !== undefined && this.#rooms.length === 0 && !this.#broadcast) {
      source.emitToSelf(this.#flags, ev, args);
      return this.#result;
    }
    if (typeof args[args.length - 1] === "function") {
      throw createError("V2_BROADCAST_CALLBACK");
    }
    let operator = source.coreBroadcast();
    if (this.#rooms.length > 0) operator = operator.to([...this.#rooms]);
    const data = applyBinaryFlag(this.#flags, args);
    (withFlags(operator, this.#flags).emit as (ev: string, ...a: unknown[]) => boolean)(
      ev,
      ...data,
    );
    return this.#result;
  }

  /** Emits a "message" event. */
  send(...args: unknown[]): S {
    return this.emit("message", ...args);
  }

  /** Alias of {@link Modifiers.send}. */
  write(...args: unknown[]): S {
    return this.send(...args);
  }

  /**
   * The ids of the namespace's clients in the targeted rooms (all of them without rooms), across
   * every node with a cluster adapter: `fn(err, ids)`, called asynchronously as in 2.x.
   */
  clients(fn: ClientsCallback): S {
    // fetchSockets, not allSockets: the official cluster adapters answer it across nodes
    this.fetchSockets().then(
      (sockets) => process.nextTick(fn, null, sockets.map(idOf)),
      (err: unknown) =>
        process.nextTick(fn, err instanceof Error ? err : new Error(String(err)), []),
    );
    return this.#result;
  }

  /**
   * The 4.x `fetchSockets()` of the targeted rooms (the namespace's sockets; those of every
   * node with a cluster adapter): local sockets, or `RemoteSocket`s from other nodes.
   */
  fetchSockets(): ReturnType<BroadcastOperator<DefaultEventsMap>["fetchSockets"]> {
    let operator = this.#source.coreNamespaceOperator();
    if (this.#rooms.length > 0) operator = operator.to([...this.#rooms]);
    return operator.fetchSockets();
  }
}
