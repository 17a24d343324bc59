/**
 * SocketkitAdapter: a NestJS WebSocketAdapter that serves gateways with socketkit's Server, a
 * drop-in for IoAdapter from @nestjs/platform-socket.io (same methods, same semantics).
 */
import type { Server as HttpServer } from "node:http";
import { Logger, type WebSocketAdapter, type WsMessageHandler } from "@nestjs/common";
import type { Observable } from "rxjs";
import {
  Server,
  type Namespace,
  type NamespaceCheck,
  type ServerOptions,
  type Socket,
} from "../../core/index";

/** What Nest passes to `create()`: the gateway options (Server options + namespace). */
export type SocketkitGatewayOptions = Partial<ServerOptions> & {
  /** The namespace of the gateway: a name, a RegExp or a function (dynamic namespaces). */
  namespace?: string | RegExp | NamespaceCheck;
  /** Set by Nest when it asks for a namespace of a Server it already has. */
  server?: Server;
};

export interface SocketkitAdapterOptions {
  /**
   * A Server for the gateways on the HTTP port (port 0) with its path, instead of a new one;
   * attached to the Nest HTTP server when first used. `SocketkitModule` passes its own.
   */
  server?: Server;
}

type AckCallback = (...args: unknown[]) => void;
type HttpServerSource = { getHttpServer(): unknown };
type NestAppLike = HttpServerSource & {
  useWebSocketAdapter(adapter: unknown): unknown;
  getHttpAdapter(): unknown;
};

const closing = new WeakMap<Server, Promise<void>>();

/**
 * The Server of each application importing SocketkitModule, by the application's HttpAdapterHost
 * (one per Nest container); an entry goes when its Server closes. An adapter given the
 * application finds its entry by the application's HTTP adapter (`app.getHttpAdapter()`, which
 * cannot throw), never with `app.get(...)`: that throws when the token is absent (the module not
 * imported, or an application whose `@nestjs/core` is another copy than the one socketkit
 * resolves: linked packages, monorepos), and Nest's exception zone around `app.get` ends the
 * process (exit code 1) before any catch of ours runs.
 */
const moduleServers = new Map<{ readonly httpAdapter?: unknown }, Server>();

/** @internal SocketkitModule registers its Server for the adapters given the application */
export function registerModuleServer(host: { readonly httpAdapter?: unknown }, io: Server): void {
  moduleServers.set(host, io);
}

function forgetModuleServer(io: Server): void {
  for (const [host, server] of moduleServers) if (server === io) moduleServers.delete(host);
}

/** @internal closes `io` once; later callers await the same promise */
export function closeServer(io: Server): Promise<void> {
  let done = closing.get(io);
  if (!done) {
    forgetModuleServer(io);
    done = io.close();
    closing.set(io, done);
  }
  return done;
}

/** @internal attaches `io` to `httpServer` unless it is attached (or bound) already */
export function attachServer(io: Server, httpServer: unknown): void {
  if (io.httpServer || io.engine || !httpServer) return;
  io.attach(httpServer as HttpServer);
}

const isFunction = (v: unknown): v is (...args: never[]) => unknown => typeof v === "function";
const hasHttpServer = (v: unknown): v is HttpServerSource =>
  typeof v === "object" && v !== null && isFunction((v as HttpServerSource).getHttpServer);

/**
 * A NestJS WebSocketAdapter over socketkit: gateways get our Server (or a Namespace of it).
 * Override `createIOServer()` to customize every Server (CORS, a cluster adapter).
 *
 * @example
 * import { NestFactory } from "@nestjs/core";
 * import { SocketkitAdapter } from "socketkit/nestjs";
 *
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new SocketkitAdapter(app));
 * await app.listen(3000); // gateways without a port share port 3000
 */
export class SocketkitAdapter
  implements WebSocketAdapter<Server | Namespace, Socket, SocketkitGatewayOptions>
{
  protected readonly logger = new Logger(SocketkitAdapter.name);
  /** Set by Nest from the application's `forceCloseConnections` option. */
  forceCloseConnections?: boolean;
  readonly #host: unknown;
  #server: Server | undefined;
  #discovered = false;

  /**
   * @param appOrHttpServer the Nest application (or its HTTP server, or an HttpAdapterHost):
   *   where gateways on port 0 attach
   */
  constructor(appOrHttpServer?: object, options: SocketkitAdapterOptions = {}) {
    this.#host = appOrHttpServer;
    this.#server = options.server;
    this.#discovered = options.server !== undefined;
  }

  /** The Nest HTTP server, resolved when needed (an HttpAdapterHost has none until Nest made it). */
  protected get httpServer(): HttpServer | undefined {
    const host = this.#host as { httpAdapter?: unknown } | undefined;
    if (hasHttpServer(host)) return host.getHttpServer() as HttpServer;
    if (host && "httpAdapter" in host) {
      const adapter = host.httpAdapter;
      return hasHttpServer(adapter) ? (adapter.getHttpServer() as HttpServer) : undefined;
    }
    return host as HttpServer | undefined;
  }

  create(port: number, options?: SocketkitGatewayOptions): Server | Namespace {
    if (!options) return this.createIOServer(port);
    const { namespace, server, ...opts } = options;
    if (server && namespace && isFunction(server.of)) return server.of(namespace);
    return namespace
      ? this.createIOServer(port, opts).of(namespace)
      : this.createIOServer(port, opts);
  }

  /**
   * Creates the Server of a port: on the Nest HTTP server for port 0, else listening on `port`.
   * Called once per port and path.
   */
  createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const shared = port === 0 ? this.#sharedServer(options) : undefined;
    if (shared) return shared;
    const httpServer = this.httpServer;
    if (httpServer && port === 0) return new Server(httpServer, options);
    return new Server(port, options);
  }

  bindClientConnect(server: Server | Namespace, callback: (socket: Socket) => void): void {
    server.on("connection", callback);
  }

  bindClientDisconnect(client: Socket, callback: (reason: string) => void): void {
    client.once("disconnect", (reason) => callback(reason));
  }

  /** Drops a client that connected before the application finished its lifecycle hooks. */
  closeClient(client: Socket): void {
    client.disconnect(true);
  }

  /**
   * Subscribes the gateway handlers to the socket's events. A handler's result (a value, a Promise
   * or an Observable) becomes the acknowledgement, unless the handler takes `@Ack()`; a
   * `{ event, data }` result is emitted back instead.
   */
  bindMessageHandlers(
    socket: Socket,
    handlers: WsMessageHandler[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const subscriptions = new Set<{ unsubscribe(): void }>();
    socket.once("disconnect", () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions.clear();
    });
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        let result$: Observable<unknown>;
        try {
          result$ = transform(callback(data, ack));
        } catch (err) {
          this.logger.error(err);
          return;
        }
        const subscription = result$.subscribe({
          next: (response) => this.#respond(socket, response, ack, isAckHandledManually),
          error: (err: unknown) => {
            subscriptions.delete(subscription);
            this.logger.error(err);
          },
          complete: () => subscriptions.delete(subscription),
        });
        if (!subscription.closed) subscriptions.add(subscription);
      });
    }
  }

  /** Splits the arguments of an event into the data and the acknowledgement callback. */
  mapPayload(payload: unknown): { data: unknown; ack?: AckCallback } {
    if (!Array.isArray(payload)) {
      return isFunction(payload)
        ? { data: undefined, ack: payload as AckCallback }
        : { data: payload };
    }
    const last: unknown = payload[payload.length - 1];
    if (!isFunction(last)) return { data: payload };
    const size = payload.length - 1;
    return { data: size === 1 ? payload[0] : payload.slice(0, size), ack: last as AckCallback };
  }

  /**
   * Closes a Server (a Namespace closes with its Server): its sockets leave with "server shutting
   * down". On the Nest HTTP server with `forceCloseConnections`, its HTTP connections are dropped
   * now rather than after the gateways, so the close does not wait for them.
   */
  async close(server: Server | Namespace): Promise<void> {
    if (!(server instanceof Server)) return;
    const done = closeServer(server);
    const httpServer = server.httpServer as Partial<HttpServer> | undefined;
    if (this.forceCloseConnections && httpServer && httpServer === this.httpServer) {
      httpServer.closeAllConnections?.();
    }
    await done;
  }

  /** Nothing to release beyond the servers, which Nest closes one by one. */
  async dispose(): Promise<void> {}

  #respond(socket: Socket, response: unknown, ack: AckCallback | undefined, manual: boolean): void {
    if (response === undefined || response === null) return;
    const { event, data } = response as { event?: unknown; data?: unknown };
    if (event) {
      socket.emit(event as string, data);
    } else if (!manual && ack) {
      ack(response);
    }
  }

  /** The Server given (or provided by SocketkitModule) when `options.path` is its path. */
  #sharedServer(options: Partial<ServerOptions> = {}): Server | undefined {
    if (!this.#discovered) {
      this.#discovered = true;
      this.#server = this.#discoverServer();
    }
    const io = this.#server;
    if (!io || samePath(options.path) !== io.path()) return undefined;
    const ignored = Object.keys(options).filter((key) => key !== "path");
    if (ignored.length > 0) {
      this.logger.warn(
        `Gateway options ${ignored.join(", ")} ignored: gateways on the HTTP port share the Server given to the adapter (SocketkitModule.forRoot options)`,
      );
    }
    attachServer(io, this.httpServer);
    return io;
  }

  /** The Server of SocketkitModule, when the host is a Nest application importing it. */
  #discoverServer(): Server | undefined {
    const app = this.#host as Partial<NestAppLike> | undefined;
    if (!app || typeof app !== "object") return undefined;
    const direct = moduleServers.get(app as { readonly httpAdapter?: unknown });
    if (direct) return direct;
    if (!isFunction(app.useWebSocketAdapter) || !isFunction(app.getHttpAdapter)) return undefined;
    const httpAdapter = app.getHttpAdapter();
    for (const [host, io] of moduleServers) if (host.httpAdapter === httpAdapter) return io;
    return undefined;
  }
}

function samePath(path: string | undefined): string {
  const p = path || "/socket.io";
  return p.endsWith("/") ? p.slice(0, -1) : p;
}
