/**
 * `attach(app)`: a Socket.IO server on a Koa app as `app.io` / `ctx.io`, with Koa middleware run
 * on the engine's requests (`use`) and handshakes (`handshake`), and `koaContext(req)`.
 */
import {
  createServer,
  ServerResponse,
  type IncomingMessage,
  type Server as HttpServer,
} from "node:http";
import type Koa from "koa";
import { compose, type Middleware } from "./events";
import {
  mirrorSession,
  Server,
  type DefaultEventsMap,
  type EngineMiddleware,
  type EngineRequest,
  type EventsMap,
  type ServerOptions,
} from "../../core/index";

export interface KoaSocketkitOptions extends Partial<ServerOptions> {
  /** Koa middleware run, in order, on every Socket.IO HTTP request and upgrade. */
  use?: Koa.Middleware<any, any>[];
  /** Koa middleware run, in order, on handshakes only (no `sid`), after `use`: koa-session, auth. */
  handshake?: Koa.Middleware<any, any>[];
}

const contexts = new WeakMap<IncomingMessage, Koa.Context>();

/**
 * The Koa context the handshake middleware ran with (`ctx.state`, `ctx.session`, ...) for a
 * socket's request. `socket.request.session` also mirrors `ctx.session` (koa-session).
 *
 * @example
 * io.on("connection", (socket) => koaContext(socket.request)?.state.user);
 */
export function koaContext(req: IncomingMessage): Koa.Context | undefined {
  return contexts.get(req);
}

/** Answers as Koa would when a middleware did not call `next()` (`ctx.status`, `ctx.body`). */
function respond(ctx: Koa.Context, res: ServerResponse): void {
  if (res.writableEnded) return;
  if (!(res instanceof ServerResponse)) return void (res as { end(): void }).end(); // an upgrade: refuse it
  const body: unknown = ctx.body;
  res.statusCode = ctx.status;
  if (body == null) res.end(ctx.message);
  else if (typeof body === "string" || Buffer.isBuffer(body)) res.end(body);
  else res.end(JSON.stringify(body));
}

/** Runs Koa middleware on an engine request, one Koa context per request. */
function koaEngineMiddleware(
  app: Koa<any, any>,
  middleware: Koa.Middleware<any, any>[],
  handshakeOnly: boolean,
): EngineMiddleware {
  const run = compose(middleware as Middleware<Koa.Context>[]);
  return (req, res, next) => {
    if (handshakeOnly && (req as EngineRequest)._query.sid !== undefined) return next();
    let ctx = contexts.get(req);
    if (!ctx) {
      ctx = app.createContext(req, res) as Koa.Context;
      contexts.set(req, ctx);
      mirrorSession(req, ctx);
    }
    const context = ctx;
    let reached = false;
    run(context, async () => void (reached = true)).then(
      () => (reached ? next() : respond(context, res)),
      (err: unknown) => {
        if (!(res instanceof ServerResponse)) return void (res as { end(): void }).end();
        // ctx.onerror emits "error" on the app: Koa's callback() adds app.onerror as its listener
        // when there is none, but callback() may not have run yet (no HTTP route was hit)
        if (app.listenerCount("error") === 0) app.on("error", app.onerror);
        context.onerror(err as Error);
      },
    );
  };
}

/**
 * Attaches a Socket.IO server to a Koa app: `app.io` and `ctx.io` are the server, `app.server`
 * the http.Server (created from `app.callback()` when not given, with `app.listen` then
 * listening on it, as koa-socket-2 does).
 *
 * @example
 * import Koa from "koa";
 * import session from "koa-session";
 * import { attach } from "socketkit/koa";
 *
 * const app = new Koa();
 * app.keys = ["secret"];
 * const sessionMiddleware = session({ store }, app);
 * app.use(sessionMiddleware);
 * const io = attach(app, { handshake: [sessionMiddleware] });
 * io.on("connection", (socket) => socket.emit("hello", socket.request.session.user));
 * app.listen(3000);
 */
export function attach<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
>(
  app: Koa<any, any>,
  serverOrOptions?: HttpServer | KoaSocketkitOptions,
  maybeOptions: KoaSocketkitOptions = {},
): Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  const given = typeof (serverOrOptions as HttpServer | undefined)?.listen === "function";
  const options = given ? maybeOptions : ((serverOrOptions as KoaSocketkitOptions) ?? {});
  const { use = [], handshake = [], ...serverOptions } = options;
  const target = app as Koa<any, any> & { io?: unknown; server?: HttpServer };
  let httpServer = given ? (serverOrOptions as HttpServer) : target.server;
  if (!httpServer) {
    let handler: ReturnType<Koa["callback"]> | undefined;
    const created = createServer((req, res) => void (handler ??= app.callback())(req, res));
    httpServer = created;
    app.listen = ((...args: Parameters<HttpServer["listen"]>) =>
      created.listen(...args)) as unknown as Koa["listen"];
  }
  const io = new Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(
    httpServer,
    serverOptions,
  );
  if (use.length > 0) io.engine.use(koaEngineMiddleware(app, use, false));
  if (handshake.length > 0) io.engine.use(koaEngineMiddleware(app, handshake, true));
  target.server = httpServer;
  target.io = io;
  Object.defineProperty(app.context, "io", { value: io, configurable: true, writable: true });
  return io;
}
