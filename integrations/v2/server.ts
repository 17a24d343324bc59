/**
 * The socket.io 2.x `Server` over the v4 core's: the 2.x options and defaults (`origins`,
 * `allowEIO3` on, CORS answered for any origin as engine.io 3 did, the documented heartbeat),
 * `origins()` as a real gate (the core's origin gate: handshakes, polling requests and WebSocket
 * upgrades), 2.x namespaces and sockets, and the 2.x shortcuts to the main namespace.
 */
import type { Server as HttpServer } from "node:http";
import {
  createOriginGate,
  Server as CoreServer,
  type EngineRequest,
  type EngineServer,
  type EngineSocket,
  type ServerOptions as CoreServerOptions,
} from "../../core/index";
import { Namespace, type ConnectionMiddleware } from "./namespace";
import type { ClientsCallback, Modifiers } from "./operator";
import { checkOrigins, type Origins } from "./origins";
import type { Socket } from "./socket";
import { mapView } from "./views";

/** What `new Server()`, `attach` and `listen` take: an http server, or a port to listen on. */
export type AttachTarget = HttpServer | number | string;

/** The 2.x options: the v4 server's (engine options included), plus `origins`. */
export interface ServerOptions extends Partial<CoreServerOptions> {
  /**
   * The origins allowed to connect ("*:*": any, the default): "host:port" entries (with `*` for
   * either part, or "<protocol>//host:port"), as one string or an array, or a function
   * `(origin, callback)`. Checked on handshakes, polling requests and WebSocket upgrades.
   */
  origins?: Origins;
}

type Redefined =
  | "sockets"
  | "of"
  | "use"
  | "to"
  | "in"
  | "emit"
  | "send"
  | "write"
  | "compress"
  | "volatile"
  | "local"
  | "on"
  | "once"
  | "attach"
  | "listen"
  | "newNamespace"
  | "serveClient"
  | "path"
  | "adapter"
  | "bind"
  | "onconnection"
  | "opts";

/** The v4 core's Server, minus what the 2.x API redefines (the prototype chain is real). */
const ServerBase = CoreServer as unknown as new (
  srv: AttachTarget | undefined,
  opts: ServerOptions,
) => Omit<CoreServer, Redefined>;

type AdapterConstructor = NonNullable<CoreServerOptions["adapter"]>;

/** The 2.x defaults, over the options given (a copy: the caller's object is not changed). */
function withDefaults(opts: ServerOptions): ServerOptions {
  return {
    ...opts,
    // socket.io 2.x's clients speak Engine.IO 3; 4.x clients are accepted too
    allowEIO3: opts.allowEIO3 ?? true,
    // engine.io 3 answered CORS for any origin (with credentials): `origins` is the gate
    cors: opts.cors ?? { origin: true, credentials: true },
    // the heartbeat the 2.x API documents
    pingTimeout: opts.pingTimeout ?? 60000,
    pingInterval: opts.pingInterval ?? 25000,
  };
}

/** `new Server(httpServer | port | options[, options])`: the arguments for the core. */
function coreArguments(
  srv: AttachTarget | ServerOptions | undefined,
  opts: ServerOptions,
): [AttachTarget | undefined, ServerOptions] {
  if (typeof srv === "object" && srv !== null && !("listen" in srv)) {
    return [undefined, withDefaults(srv)];
  }
  return [srv as AttachTarget | undefined, withDefaults(opts)];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- typing the core's own methods
export interface Server {
  /** Whether the client bundle is served (true); with a value, sets it. */
  serveClient(): boolean;
  serveClient(value: boolean): this;
  /** The path the engine and client bundle are served under ("/socket.io"); with a value, sets it. */
  path(): string;
  path(value: string): this;
  /** The adapter constructor (the in-memory adapter); with a value, sets it. */
  adapter(): AdapterConstructor;
  adapter(value: AdapterConstructor): this;
  /** Binds to an Engine.IO server (advanced): its connections become clients. */
  bind(engine: EngineServer): this;
  /** Creates a client from an Engine.IO connection (advanced). */
  onconnection(socket: EngineSocket): this;
  on(event: "connect" | "connection", listener: (socket: Socket) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once(event: "connect" | "connection", listener: (socket: Socket) => void): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * A Socket.IO server with socket.io 2.x's API.
 *
 * @example
 * const io = require("socketkit/v2")(httpServer, { origins: "example.com:443" });
 * io.on("connection", function (socket) {
 *   socket.emit("news", { hello: "world" });
 *   socket.on("my other event", function (data) {});
 * });
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see above
export class Server extends ServerBase {
  /** The main namespace ("/"). */
  declare readonly sockets: Namespace;
  /** The options, 2.x defaults applied. */
  declare readonly opts: ServerOptions;
  #origins: Origins;

  constructor(srv?: AttachTarget | ServerOptions, opts: ServerOptions = {}) {
    super(...coreArguments(srv, opts));
    this.#origins = this.opts.origins || "*:*";
  }

  /** Installs the `origins` gate on the engine (unless `allowedOrigins`, the 4.x option, is set). */
  static #installGate(server: Server): void {
    const engine = server.engine as EngineServer | undefined;
    if (engine === undefined || server.opts.allowedOrigins !== undefined) return;
    engine.originGate = createOriginGate({
      // called for every request, with or without an Origin header: 2.x checked them all
      allowMissingOrigin: false,
      allowedOrigins: (_origin, callback, req: EngineRequest) =>
        checkOrigins(Server.#currentOrigins(server), req, callback),
    });
  }

  static #currentOrigins(server: Server): Origins {
    return server.#origins;
  }

  /** The allowed origins ("*:*" by default); with a value or a function, sets them. */
  origins(): Origins;
  origins(value: Origins): this;
  origins(value?: Origins): this | Origins {
    if (value === undefined) return this.#origins;
    this.#origins = value;
    return this;
  }

  /** Attaches to an http server, or to a new one listening on `port`. */
  attach(srv: AttachTarget, opts: ServerOptions = {}): this {
    CoreServer.prototype.attach.call(this as unknown as CoreServer, srv, opts);
    Server.#installGate(this);
    return this;
  }

  /** Alias of {@link Server.attach}. */
  listen(srv: AttachTarget, opts: ServerOptions = {}): this {
    return this.attach(srv, opts);
  }

  /** The namespaces by name, as 2.x's object (a live view). */
  get nsps(): Record<string, Namespace> {
    return mapView(this._nsps as unknown as Map<string, Namespace>);
  }

  /** @internal the namespaces of this server are 2.x namespaces */
  newNamespace(name: string): Namespace {
    return new Namespace(this, name);
  }

  /** Looks up (or creates) the namespace `name`; `fn` listens to its connections. */
  of(name: string, fn?: (socket: Socket) => void): Namespace {
    return CoreServer.prototype.of.call(
      this as unknown as CoreServer,
      name,
      fn as unknown as Parameters<CoreServer["of"]>[1],
    ) as unknown as Namespace;
  }

  /** Adds a connection middleware to the main namespace. See {@link Namespace.use}. */
  use(fn: ConnectionMiddleware): this {
    this.sockets.use(fn);
    return this;
  }

  /** See {@link Namespace.to}. */
  to(room: string): Modifiers<Namespace> {
    return this.sockets.to(room);
  }

  /** See {@link Namespace.in}. */
  in(room: string): Modifiers<Namespace> {
    return this.sockets.in(room);
  }

  /** Emits to every client of the main namespace; returns it, as 2.x did. */
  emit(ev: string, ...args: unknown[]): Namespace {
    return this.sockets.emit(ev, ...args);
  }

  /** See {@link Namespace.send}. */
  send(...args: unknown[]): Namespace {
    return this.sockets.send(...args);
  }

  /** See {@link Namespace.write}. */
  write(...args: unknown[]): Namespace {
    return this.sockets.write(...args);
  }

  /** The ids of the main namespace's clients. See {@link Namespace.clients}. */
  clients(fn: ClientsCallback): Namespace {
    return this.sockets.clients(fn);
  }

  /** See {@link Namespace.compress}. */
  compress(value: boolean): Modifiers<Namespace> {
    return this.sockets.compress(value);
  }

  /** See {@link Namespace.binary}. */
  binary(value: boolean): Modifiers<Namespace> {
    return this.sockets.binary(value);
  }

  /** See {@link Namespace.volatile}. */
  get volatile(): Modifiers<Namespace> {
    return this.sockets.volatile;
  }

  /** See {@link Namespace.local}. */
  get local(): Modifiers<Namespace> {
    return this.sockets.local;
  }

  /** socket.io 2.x's `json` flag (no effect). */
  get json(): this {
    return this;
  }
}
