/**
 * `IO`: koa-socket-2's class over socketkit, so that a Koa application moves from koa-socket-2
 * (stuck on socket.io 3) by changing its import. Built on {@link attach} and {@link KoaEvents}.
 */
import {
  createServer as createHttpsServer,
  Server as HttpsServer,
  type ServerOptions as HttpsOptions,
} from "node:https";
import { Server as HttpServer } from "node:http";
import type Koa from "koa";
import {
  Server,
  createError,
  type CodedErrorName,
  type ErrorArgs,
  type Namespace,
  type Socket,
} from "../../core/index";
import { compose, KoaEvents, type EventContext, type EventHandler } from "./events";
import { attach, type KoaSocketkitOptions } from "./attach";

/** koa-socket-2's constructor options. */
export interface IOOptions {
  /** The namespace this instance serves ("chat" or "/chat"); none: the main namespace. */
  namespace?: string | null;
  /** A namespace instance that is not set on the app as `app[namespace]` (false). */
  hidden?: boolean;
  /** The Server options (plus socketkit/koa's `use` and `handshake` Koa middleware). */
  ioOptions?: KoaSocketkitOptions;
  /** Called when an event middleware or handler throws (default: `console.error`). */
  onError?: (err: unknown, ctx: EventContext) => void;
}

/** koa-socket-2's middleware: `async (ctx, next) => {}` around the events. */
export type IOMiddleware = (ctx: EventContext, next: () => Promise<unknown>) => unknown;

/** Events a socket emits itself (not packets): dispatched from socket listeners. */
const SOCKET_EVENTS = new Set(["disconnect", "disconnecting", "error"]);

type KoaApp = Koa<any, any> & Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any -- any Koa app

/** Throws one of koa-socket-2's refusals (`SIO_ERR_KOA_ATTACH`). */
function fail<N extends Extract<CodedErrorName, `KOA_${string}`>>(
  name: N,
  ...args: ErrorArgs<N>
): never {
  throw createError(name, ...args);
}

/**
 * koa-socket-2's `IO`: `new IO()` serves the main namespace as `app.io`, `new IO("chat")` (or
 * `new IO({ namespace: "chat" })`) serves `/chat` as `app.chat`; `attach(app)` sets `app._io` to
 * the socketkit Server. Middleware `use((ctx, next) => {})` and handlers `on(event, (ctx, data)
 * => {})` reach sockets connected before and after they are added.
 *
 * @example
 * import Koa from "koa";
 * import { IO } from "socketkit/koa"; // was: const IO = require("koa-socket-2")
 *
 * const app = new Koa();
 * const io = new IO();
 * io.attach(app);
 * io.use(async (ctx, next) => {
 *   const start = Date.now();
 *   await next();
 *   console.log(`${ctx.event}: ${Date.now() - start}ms`);
 * });
 * io.on("join", (ctx, data) => ctx.socket.join(data.room));
 * app.listen(3000);
 */
export class IO {
  /** The options, defaults applied. */
  readonly opts: Required<Pick<IOOptions, "hidden" | "ioOptions">> & IOOptions;
  /** The middleware, in order. */
  readonly middleware: IOMiddleware[] = [];
  /** The handlers by event name. */
  readonly listeners = new Map<string, EventHandler[]>();
  /** The connected sockets of this instance's namespace, by id. */
  readonly connections = new Map<string, Socket>();
  /** The Server (main namespace) or the Namespace this instance serves, once attached. */
  socket: Server | Namespace | null = null;
  readonly #run = compose(this.middleware);

  constructor(opts?: string | IOOptions) {
    if (opts !== undefined && typeof opts !== "string" && (typeof opts !== "object" || !opts)) {
      throw createError("INVALID_OPTION", {
        name: "IO",
        expected: "a namespace name or an options object",
        value: opts,
      });
    }
    const given = typeof opts === "string" ? { namespace: opts } : (opts ?? {});
    this.opts = { namespace: null, hidden: false, ioOptions: {}, ...given };
  }

  /**
   * Attaches to a Koa app: creates `app.server` from `app.callback()` unless it exists (then
   * `app.listen()` listens on it), sets `app._io` to the Server on first use and `app.io` (main
   * namespace) or `app[namespace]` (unless hidden) to this instance.
   */
  attach(app: Koa<any, any>, https = false, httpsOptions: HttpsOptions = {}): void {
    const target = app as KoaApp;
    const { namespace, hidden } = this.opts;
    const server = target.server as unknown;
    if (server !== undefined && !(server instanceof HttpServer || server instanceof HttpsServer)) {
      fail("KOA_SERVER_NOT_HTTP");
    }
    if (target._io && !namespace) fail("KOA_ALREADY_ATTACHED");
    if (hidden && !namespace) fail("KOA_HIDDEN_DEFAULT");
    if (namespace && !hidden && target[namespace] !== undefined) {
      fail("KOA_NAMESPACE_ATTACHED", { namespace });
    }
    if (!target.server && https) {
      const created = createHttpsServer(httpsOptions, app.callback());
      target.server = created;
      app.listen = ((...args: unknown[]) =>
        created.listen(...(args as Parameters<HttpServer["listen"]>))) as Koa["listen"];
    }
    // a Server socketkit's attach(app) made already is the one to use
    if (!target._io && target.io instanceof Server) target._io = target.io;
    let io = target._io as Server | undefined;
    if (!io) {
      const before = target.io;
      io = attach(app, this.opts.ioOptions);
      target._io = io;
      if (namespace) target.io = before; // koa-socket-2 sets app.io for the main namespace only
    }
    const nsp = namespace ? io.of(namespace.startsWith("/") ? namespace : `/${namespace}`) : io;
    this.socket = nsp;
    if (namespace && !hidden) target[namespace] = this;
    if (!namespace) target.io = this;
    this.#listen(nsp);
  }

  /** Adds a middleware, run for each event that has a handler: `async (ctx, next) => {}`. */
  use(fn: IOMiddleware): this {
    this.middleware.push(fn);
    return this;
  }

  /**
   * Adds a handler `(ctx, data) => {}` for an event; `"connection"` (and `"connect"`) listeners
   * get the socket itself, as Socket.IO's.
   */
  on(event: "connection" | "connect", listener: (socket: Socket) => void): this;
  on(event: string, handler: EventHandler): this;
  on(event: string, handler: EventHandler | ((socket: Socket) => void)): this {
    if (event === "connection" || event === "connect") {
      if (!this.socket) fail("KOA_NOT_ATTACHED", { action: "listening to connections" });
      this.socket.on("connection", handler as (socket: Socket) => void);
      return this;
    }
    const list = this.listeners.get(event) ?? [];
    list.push(handler as EventHandler);
    this.listeners.set(event, list);
    return this;
  }

  /** Removes a handler; without it every handler of the event; without an event, all of them. */
  off(event?: string, handler?: EventHandler): this {
    if (event === undefined) this.listeners.clear();
    else if (!handler) this.listeners.delete(event);
    else {
      const list = this.listeners.get(event) ?? [];
      const index = list.lastIndexOf(handler);
      if (index !== -1) list.splice(index, 1);
      if (list.length === 0) this.listeners.delete(event);
    }
    return this;
  }

  /** Emits to every connection of this instance's namespace. */
  broadcast(event: string, data?: unknown): void {
    for (const socket of this.connections.values()) socket.emit(event, data);
  }

  /** A broadcast to a room of this instance's namespace. */
  to(room: string | string[]): ReturnType<Server["to"]> {
    if (!this.socket) fail("KOA_NOT_ATTACHED", { action: "broadcasting to a room" });
    return this.socket.to(room);
  }

  #listen(nsp: Server | Namespace): void {
    const events = new KoaEvents(nsp, { onError: (err, ctx) => this.#report(err, ctx) });
    // middleware and handlers are looked up per event, so later additions reach every socket
    events.use((ctx, next) => this.#through(ctx, next));
    nsp.on("connection", (socket) => {
      this.connections.set(socket.id, socket);
      for (const name of SOCKET_EVENTS) {
        socket.on(name as "disconnect", (...args: unknown[]) => {
          if (name === "disconnect") this.connections.delete(socket.id);
          if (this.listeners.has(name)) void this.#socketEvent(socket, name, args);
        });
      }
    });
  }

  /** The middleware and handlers of one event (nothing for events without a handler). */
  async #through(ctx: EventContext, next: () => Promise<unknown>): Promise<void> {
    for (const wildcard of this.listeners.get("*") ?? []) await wildcard(ctx, ctx.socket.id);
    if (ctx.event === "*" || !this.listeners.has(ctx.event)) return;
    // as in koa-socket-2, each handler is a listener of its own: its own context, its own run of
    // the middleware, all started when the event comes (none waits for the one before), and
    // each one's error reported on its own
    const handlers = [...(this.listeners.get(ctx.event) ?? [])];
    await Promise.all(
      handlers.map((handler, i) => this.#handle(handler, i === 0 ? ctx : { ...ctx, state: {} })),
    );
    await next();
  }

  /** One handler of an event, behind the middleware; its error goes to `onError`. */
  async #handle(handler: EventHandler, ctx: EventContext): Promise<void> {
    try {
      await this.#run(ctx, async () => {
        await handler(ctx, ctx.data);
      });
    } catch (err) {
      this.#report(err, ctx);
    }
  }

  #report(err: unknown, ctx: EventContext): void {
    if (this.opts.onError) this.opts.onError(err, ctx);
    else console.error(err);
  }

  async #socketEvent(socket: Socket, event: string, args: unknown[]): Promise<void> {
    const ctx: EventContext = {
      event,
      data: args[0],
      args,
      socket,
      acknowledge: undefined,
      state: {},
    };
    try {
      await this.#through(ctx, async () => undefined);
    } catch (err) {
      this.#report(err, ctx);
    }
  }
}
