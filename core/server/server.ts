/**
 * Server: the Socket.IO server (socket.io's `Server`), over our Engine.IO server.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Http2SecureServer, Http2Server } from "node:http2";
import { createDebug } from "../util/debug";
import corsMiddleware from "cors";
import * as defaultParser from "../parser/index";
import { Decoder, DEFAULT_MAX_ATTACHMENTS, type DecoderOptions } from "../parser/decoder";
import { DEFAULT_MAX_DEPTH } from "../parser/depth";
import { Adapter, DEFAULT_MAX_DISCONNECTION_DURATION, SessionAwareAdapter } from "../adapter/index";
import type { EngineRequest, Parser, PacketEncoder } from "../types";
import type { EngineSocket } from "../engine/socket";
import { DeadlineQueue } from "../util/deadline-queue";
import { EngineServer, computePath } from "../http/engine-server";
import { uServer, type UwsAttachOptions } from "../http/uws/engine";
import { uwsExchange } from "../http/uws/request";
import type { UwsApp } from "../http/uws/types";
import { hostOn } from "../http/host";
import type { Duplex } from "node:stream";
import { clientBundle, clientBundleFileFromUrl } from "../http/client-bundle";
import { createListeningServer } from "../http/listen";
import { Client, type ConnectTimeoutTarget } from "./client";
import { Namespace } from "./namespace";
import {
  DynamicNamespaces,
  type DynamicNamespaceHost,
  type NamespaceCheck,
} from "./dynamic-namespaces";
import { ParentNamespace } from "./parent-namespace";
import { validateOptions, type AdapterConstructor, type ServerOptions } from "./options";
import type { Socket } from "./socket";
import { Operations } from "../ops/operations";
import type { DrainOptions, DrainResult } from "../ops/drain";
import type { MetricsSnapshot } from "../ops/metrics";
import type { DefaultEventsMap, EventsMap } from "./typed-events";
import { MainNamespaceApi } from "./main-namespace-api";
import { createError } from "../errors";
import type {
  ContractDefinition,
  ContractEmitEvents,
  ContractListenEvents,
  ContractOptions,
} from "./contract";

const debug = createDebug("socket.io:server");

type AttachTarget = HttpServer | Http2Server | Http2SecureServer | number | string;

/**
 * An engine.io-compatible server, as {@link Server.bind} takes it (socket.io types it `any`): it
 * emits `connection` with each new Engine.IO socket, and closes with the Socket.IO server.
 */
export interface BindableEngine {
  on(event: "connection", listener: (socket: EngineSocket) => void): unknown;
  close(): unknown;
}

/** The acknowledgements the server waits for on an engine connection (all its namespaces). */
function pendingAcksOf(conn: EngineSocket): number {
  const client = conn.handler;
  return client instanceof Client ? client.pendingAcks : 0;
}

/** Closes a connection so that the client reconnects (its transport closes: no DISCONNECT). */
function closeForReconnect(conn: EngineSocket): void {
  const client = conn.handler;
  if (client instanceof Client) client.close();
  else conn.close();
}

function onConnectTimeout(client: ConnectTimeoutTarget): void {
  client.onConnectTimeout();
}

/** The server as its dynamic namespaces see it (parents created on it, its namespaces). */
function dynamicNamespaceHost<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
>(
  server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
): DynamicNamespaceHost<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  return {
    newParent: () => new ParentNamespace(server),
    namespace: (name) => server._nsps.get(name),
    get maxChildren() {
      return server.opts.maxDynamicNamespaces ?? 10_000;
    },
  };
}

/**
 * A Socket.IO server.
 *
 * @example
 * import { Server } from "socketkit";
 *
 * const io = new Server(3000, { cors: { origin: "*" } });
 * io.on("connection", (socket) => {
 *   socket.emit("welcome", socket.id);
 *   socket.on("chat", (msg) => io.emit("chat", msg));
 * });
 */
export class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
> extends MainNamespaceApi<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The main namespace ("/"). */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The encoder shared by every client (compatibility surface: adapters read it). */
  readonly encoder: PacketEncoder;
  /** The namespaces by name (compatibility surface: adapters and admin-ui read it). */
  readonly _nsps = new Map<
    string,
    Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  /** The options as given, defaults applied (compatibility surface: adapters read it). */
  readonly opts: ServerOptions;
  /** The Engine.IO server, once attached or bound. */
  engine!: EngineServer;
  /** The http server, when attached to one. */
  httpServer: HttpServer | Http2Server | Http2SecureServer | undefined;
  /** @internal the parser module */
  readonly parser: Parser;
  /**
   * @internal decodes the text packets of every connection when the default parser is used (a
   * connection gets a decoder of its own only for binary attachments)
   */
  readonly textDecoder: Decoder;
  /** @internal the limits of the default parser's decoders (maxPayloadDepth, maxAttachments) */
  readonly decoderOptions: DecoderOptions;
  /** @internal metrics, limits and drain (core/ops), wired into the engine by `bind()` */
  readonly ops: Operations;

  /** The parents of dynamic namespaces (`io.of(regex | fn)`) and their children. */
  readonly #dynamicNamespaces = new DynamicNamespaces<
    ListenEvents,
    EmitEvents,
    ServerSideEvents,
    SocketData
  >(dynamicNamespaceHost(this));
  #path = "/socket.io";
  #connectTimeout = 45000;
  #serveClient = true;
  #adapter: AdapterConstructor = Adapter as unknown as AdapterConstructor;
  readonly #corsMiddleware: ReturnType<typeof corsMiddleware> | undefined;

  constructor(opts?: Partial<ServerOptions>);
  constructor(srv?: AttachTarget, opts?: Partial<ServerOptions>);
  constructor(
    srv: AttachTarget | Partial<ServerOptions> | undefined,
    opts?: Partial<ServerOptions>,
  );
  constructor(srv?: AttachTarget | Partial<ServerOptions>, opts: Partial<ServerOptions> = {}) {
    super();
    if (typeof srv === "object" && srv !== null && !("listen" in srv)) {
      opts = srv as Partial<ServerOptions>;
      srv = undefined;
    }
    validateOptions(opts);
    this.ops = new Operations(opts);
    this.path(opts.path || "/socket.io");
    this.connectTimeout(opts.connectTimeout || 45000);
    this.serveClient(opts.serveClient !== false);
    // falsy options mean "the default", as socket.io reads them (`opts.parser || parser`)
    this.parser = opts.parser || (defaultParser as unknown as Parser);
    this.encoder = new this.parser.Encoder();
    this.decoderOptions = {
      maxDepth: opts.maxPayloadDepth || DEFAULT_MAX_DEPTH,
      maxAttachments: opts.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS,
    };
    this.textDecoder = new Decoder(this.decoderOptions);
    this.opts = opts;
    if (opts.connectionStateRecovery) {
      opts.connectionStateRecovery = {
        maxDisconnectionDuration: DEFAULT_MAX_DISCONNECTION_DURATION,
        skipMiddlewares: true,
        ...opts.connectionStateRecovery,
      };
      this.adapter(opts.adapter || (SessionAwareAdapter as unknown as AdapterConstructor));
    } else {
      this.adapter(opts.adapter || (Adapter as unknown as AdapterConstructor));
    }
    opts.cleanupEmptyChildNamespaces = !!opts.cleanupEmptyChildNamespaces;
    this.sockets = this.of("/");
    // as socket.io: `new Server(null | undefined | "", opts)` attaches nothing; port 0 does
    if (srv || typeof srv === "number") this.attach(srv as AttachTarget);
    // our CorsOptions describe the same values as the cors package's own types
    if (this.opts.cors) {
      this.#corsMiddleware = corsMiddleware(this.opts.cors as Parameters<typeof corsMiddleware>[0]);
    }
  }

  /** Whether the client bundle is served; with an argument, sets it. */
  serveClient(): boolean;
  serveClient(v: boolean): this;
  serveClient(v?: boolean): this | boolean {
    if (v === undefined) return this.#serveClient;
    this.#serveClient = v;
    return this;
  }

  /** The path to capture; with an argument, sets it. */
  path(): string;
  path(v: string): this;
  path(v?: string): this | string {
    if (v === undefined) return this.#path;
    this.#path = v.endsWith("/") ? v.slice(0, -1) : v;
    return this;
  }

  /** The delay after which a client that joined no namespace is closed; with an argument, sets it. */
  connectTimeout(): number;
  connectTimeout(v: number): this;
  connectTimeout(v?: number): this | number {
    if (v === undefined) return this.#connectTimeout;
    this.#connectTimeout = v;
    return this;
  }

  /**
   * @internal the queue of clients that must join a namespace within `connectTimeout` (one
   * timer for all of them); a new delay gets a new queue, the clients already waiting keep theirs
   */
  connectQueue(): DeadlineQueue<ConnectTimeoutTarget> {
    const delay = this.#connectTimeout;
    let queue = this.#connectQueue;
    if (queue === null || queue.delay !== delay) {
      queue = new DeadlineQueue(delay, onConnectTimeout);
      this.#connectQueue = queue;
    }
    return queue;
  }

  #connectQueue: DeadlineQueue<ConnectTimeoutTarget> | null = null;

  /** The adapter constructor; with an argument, sets it (and recreates every adapter). */
  adapter(): AdapterConstructor;
  adapter(v: AdapterConstructor): this;
  adapter(v?: AdapterConstructor): this | AdapterConstructor {
    if (v === undefined) return this.#adapter;
    this.#adapter = v;
    for (const nsp of this._nsps.values()) nsp.initAdapter();
    return this;
  }

  /** Alias of {@link Server.attach}. */
  listen(srv: AttachTarget, opts: Partial<ServerOptions> = {}): this {
    return this.attach(srv, opts);
  }

  /**
   * Attaches to an http server, or to a new one listening on `port`.
   *
   * @example
   * const io = new Server();
   * io.attach(httpServer, { path: "/ws" });
   */
  attach(srv: AttachTarget, opts: Partial<ServerOptions> = {}): this {
    if (typeof srv === "function") {
      throw createError("INVALID_ATTACH_TARGET");
    }
    let server: HttpServer | Http2Server | Http2SecureServer;
    if (
      typeof srv === "number" ||
      (typeof srv === "string" && Number(srv) == (srv as unknown as number))
    ) {
      debug("creating http server and binding to %d", Number(srv));
      server = createListeningServer(Number(srv));
    } else {
      server = srv as HttpServer;
    }
    Object.assign(opts, this.opts);
    opts.path = opts.path || this.#path;
    this.#initEngine(server, opts);
    return this;
  }

  /**
   * Attaches to a µWebSockets.js app (`App()` or `SSLApp()` of the `uWebSockets.js` package the
   * application installs): the engine path over polling and WebSocket, and the browser client
   * when `serveClient` is on. The options are the server's, plus uWS's `compression`,
   * `idleTimeout` and `maxBackpressure`.
   *
   * @example
   * import { App } from "uWebSockets.js";
   * const app = App();
   * const io = new Server();
   * io.attachApp(app);
   * app.listen(3000, () => {});
   */
  attachApp(app: UwsApp, opts: Partial<ServerOptions> & UwsAttachOptions = {}): this {
    Object.assign(opts, this.opts);
    opts.path = opts.path || this.#path;
    debug("creating uWebSockets.js-based engine with opts %j", opts);
    const engine = new uServer(opts);
    engine.attach(app, opts);
    this.#enginePath = computePath(opts);
    this.bind(engine as unknown as EngineServer);
    if (this.#serveClient) {
      app.get(`${this.#path}/*`, (res, req) => {
        if (clientBundleFileFromUrl(req.getUrl(), this.#path) === undefined) {
          req.setYield(true);
          return;
        }
        const [request, response] = uwsExchange(req, res, 0, false);
        if (
          !this.serveClientFile(
            request as unknown as IncomingMessage,
            response as unknown as ServerResponse,
          )
        ) {
          response.writeHead(404).end();
        }
      });
    }
    return this;
  }

  #initEngine(
    srv: HttpServer | Http2Server | Http2SecureServer,
    opts: Partial<ServerOptions>,
  ): void {
    const engine = this.#createEngine(opts);
    const websocket = engine.opts.transports.includes("websocket");
    hostOn(
      srv as HttpServer,
      engine,
      (req, res) => this.handleRequest(req, res),
      websocket ? (req, socket, head) => this.handleUpgrade(req, socket, head) : null,
      opts,
    );
    this.httpServer = srv;
  }

  /** Creates and binds our engine; its path is the one {@link Server.handleRequest} answers. */
  #createEngine(opts: Partial<ServerOptions>): EngineServer {
    debug("creating engine.io instance with opts %j", opts);
    const engine = new EngineServer(opts);
    this.#enginePath = computePath(opts);
    this.bind(engine);
    return engine;
  }

  /** The engine's request path ("/socket.io/"), set when our engine is created. */
  #enginePath: string | undefined;

  #ownEngine(): EngineServer {
    // a Server neither attached nor bound gets its engine at its first request (hosts that
    // route requests themselves: `new Server(opts)` then `io.handleRequest(req, res)`)
    if (this.engine === undefined) this.#createEngine({ ...this.opts, path: this.#path });
    return this.engine;
  }

  #onEnginePath(req: IncomingMessage): boolean {
    const path =
      this.#enginePath ??
      computePath({ path: this.#path, addTrailingSlash: this.opts.addTrailingSlash });
    return (req.url ?? "").startsWith(path);
  }

  /**
   * The host seam for requests: answers a request for Socket.IO's path (the Engine.IO requests,
   * and the browser client bundle when `serveClient` is on) and returns true; returns false,
   * answering nothing, for any other request. {@link Server.attach} is this plus a path guard on
   * an http.Server; hosts that route requests themselves (a framework, a plain `createServer`
   * callback) call it directly and answer the requests it leaves.
   *
   * @example
   * const io = new Server();
   * const httpServer = createServer((req, res) => {
   *   if (io.handleRequest(req, res)) return;
   *   res.writeHead(404).end();
   * });
   * httpServer.on("upgrade", (req, socket, head) => {
   *   if (!io.handleUpgrade(req, socket, head)) socket.destroy();
   * });
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.serveClientFile(req, res)) return true;
    if (!this.#onEnginePath(req)) return false;
    debug('intercepting request for path "%s"', req.url);
    this.#ownEngine().handleRequest(req as EngineRequest, res);
    return true;
  }

  /**
   * The host seam for upgrades: hands a WebSocket upgrade for Socket.IO's path to the engine and
   * returns true; returns false, touching nothing, for any other path. See
   * {@link Server.handleRequest}.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.#onEnginePath(req)) return false;
    this.#ownEngine().handleUpgrade(req, socket, head);
    return true;
  }

  /**
   * Answers a request for the browser client (`<path>/socket.io.js`, `socket.io.min.js`, ...)
   * when `serveClient` is on and returns true; returns false, answering nothing, for any other
   * request. {@link Server.handleRequest} calls it first.
   */
  serveClientFile(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.#serveClient) return false;
    const file = clientBundleFileFromUrl(req.url ?? "", this.#path);
    if (file === undefined) return false;
    const serve = (): void => clientBundle.serve(req, res, file);
    if (this.#corsMiddleware) this.#corsMiddleware(req, res, serve);
    else serve();
    return true;
  }

  /**
   * Binds to an Engine.IO server: ours, or any engine.io-compatible one such as the official
   * `engine.io` package's `Server` (whose connections the clients read through engine.io's
   * public socket API). With another engine, `io.engine` is that engine at run time, typed as
   * ours (the members socketkit-only code uses, such as `handleRequest`, are then absent).
   */
  bind(engine: EngineServer | BindableEngine): this {
    this.engine = engine as EngineServer;
    this.ops.bindEngine(engine);
    engine.on("connection", (conn: EngineSocket) => this.onconnection(conn));
    return this;
  }

  /** Alias of {@link Server.engine} (socket.io's `eio`). */
  get eio(): EngineServer {
    return this.engine;
  }

  /** Handles a new Engine.IO connection. */
  onconnection(conn: EngineSocket): this {
    debug("incoming connection with id %s", conn.id);
    const client = new Client(this, conn);
    if (conn.protocol === 3) client.connectMain();
    return this;
  }

  /** @internal looks for a parent namespace that accepts `name` (dynamic namespaces) */
  checkNamespace(
    name: string,
    auth: Record<string, unknown>,
    fn: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | false) => void,
  ): void {
    this.#dynamicNamespaces.check(name, auth, fn);
  }

  /**
   * Looks up (or creates) a namespace: a name, or a RegExp / function for dynamic namespaces.
   *
   * @example
   * const admin = io.of("/admin");
   * io.of(/^\/room-\d+$/).on("connection", (socket) => {});
   */
  of(
    name: string | RegExp | NamespaceCheck,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    if (typeof name === "function" || name instanceof RegExp) {
      const parent = this.#dynamicNamespaces.addParent(name);
      if (fn) parent.on("connect", fn);
      return parent;
    }
    if (String(name)[0] !== "/") name = "/" + name;
    let nsp = this._nsps.get(name);
    if (!nsp) {
      const child = this.#dynamicNamespaces.childOf(name);
      if (child !== undefined) return child;
      debug("initializing namespace %s", name);
      nsp = this.newNamespace(name);
      this._nsps.set(name, nsp);
      if (name !== "/") this.sockets.emitNamespaceEvent("new_namespace", nsp);
    }
    if (fn) nsp.on("connect", fn);
    return nsp;
  }

  /**
   * Attaches an event contract to the main namespace; the server is returned typed from it.
   * See {@link Namespace.contract}.
   */
  contract<C extends ContractDefinition>(
    definition: C,
    opts?: ContractOptions,
  ): Server<ContractListenEvents<C>, ContractEmitEvents<C>, ServerSideEvents, SocketData> {
    this.sockets.contract(definition, opts);
    return this as unknown as Server<
      ContractListenEvents<C>,
      ContractEmitEvents<C>,
      ServerSideEvents,
      SocketData
    >;
  }

  /**
   * @internal creates the namespace `name` (static or a dynamic child): the seam where a server
   * with another API (socketkit/v2) creates namespaces of its own class
   */
  newNamespace(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new Namespace(this, name);
  }

  /**
   * Disconnects every socket (reason "server shutting down"), closes the adapters and the engine,
   * then closes the http server: `fn(err?)` is its `close` callback. As socket.io's, the promise
   * resolves once the server stopped listening, without waiting for its other (non-Socket.IO)
   * connections to end: pass `fn` to know when the http server is fully closed.
   */
  async close(fn?: (err?: Error) => void): Promise<void> {
    const drainOnClose = this.ops.drainOnClose;
    if (drainOnClose !== null && this.engine) await this.drain(drainOnClose);
    this.ops.stop();
    await Promise.allSettled(
      [...this._nsps.values()].map(async (nsp) => {
        for (const socket of [...nsp.sockets.values()]) socket.onclose("server shutting down");
        await nsp.adapter.close();
      }),
    );
    this.engine?.close();
    this.#connectQueue?.stop();
    const srv = this.httpServer as HttpServer | undefined;
    if (srv) srv.close(fn);
    else fn?.();
  }

  /**
   * A snapshot of the server's metrics: gauges read now (connections by transport, sockets by
   * namespace, pending acks, bytes buffered for clients) and, with the `metrics` option, the
   * counters since the start (handshakes, refusals and disconnections by reason, packets and
   * bytes in/out, ack timeouts, broadcasts and their fan-out, upgrades, parse errors, limits).
   *
   * @example
   * const io = new Server(httpServer, { metrics: true });
   * const { connections, packets } = io.metrics();
   * console.log(connections.byTransport.websocket, packets.in);
   */
  metrics(): MetricsSnapshot {
    const engine = this.engine as EngineServer | undefined;
    const sessions = engine ? Object.values(engine.clients) : [];
    return this.ops.snapshot({
      sessions,
      namespaces: this._nsps.values(),
      draining: this.ops.draining,
    });
  }

  /**
   * Turns the counters of {@link metrics} on, as the `metrics` option does at construction; they
   * count from this call. `registerMetrics` (socketkit/prometheus) and `instrumentMetrics`
   * (socketkit/opentelemetry) call it, so a server needs no option to be exported.
   */
  enableMetrics(): void {
    this.ops.enableMetrics();
  }

  /**
   * Takes this node out of service without losing messages: new handshakes get 503 with
   * `Retry-After`; each connection is closed once the server waits for none of its
   * acknowledgements (at the deadline, all of them), so that official clients reconnect, to
   * another node. With connection state recovery on a shared adapter they resume there with
   * the same id, their rooms and the packets they missed. Resolves when no connection is left.
   *
   * @example
   * process.on("SIGTERM", async () => {
   *   await io.drain({ timeout: 10_000 });
   *   await io.close();
   * });
   */
  drain(opts: DrainOptions = {}): Promise<DrainResult> {
    return this.ops.drain(
      {
        sessions: () => (this.engine ? Object.values(this.engine.clients) : []),
        pendingAcks: (conn) => pendingAcksOf(conn),
        isOpen: (conn) => conn.readyState === "open",
        close: (conn) => closeForReconnect(conn),
        forceClose: (conn) => conn.close(true),
      },
      opts,
    );
  }
}
