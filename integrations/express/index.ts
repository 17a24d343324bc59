/**
 * socketkit/express: wires a Socket.IO server to an Express app (Express 4 and 5) and its
 * http.Server. Express middleware (express-session, passport, auth) runs on Socket.IO's requests
 * and upgrades as Express would run it, so `socket.request.session` is the very session the HTTP
 * routes see; `req.io` reaches the server from routes; `io.close()` closes everything, the
 * http.Server included, without waiting on open sockets.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Application, NextFunction, Request, RequestHandler, Response } from "express";
import {
  Server,
  type DefaultEventsMap,
  type EngineMiddleware,
  type EngineRequest,
  type EventsMap,
  type IoFrom,
  type ServerOptions,
} from "../../core/index";

/**
 * Augment this interface to type `req.io` with your event maps:
 *
 * @example
 * declare module "socketkit/express" {
 *   interface SocketkitExpressTypes {
 *     io: Server<ClientToServerEvents, ServerToClientEvents>;
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- filled by augmentation
export interface SocketkitExpressTypes {}

export type { IoFrom };

/** The type of `req.io`: `Server`, or what {@link SocketkitExpressTypes} declares. */
export type ExpressIo = IoFrom<SocketkitExpressTypes>;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      /** The Socket.IO server attached by socketkit/express. */
      io: ExpressIo;
    }
  }
}

export interface ExpressSocketkitOptions extends Partial<ServerOptions> {
  /**
   * Express middleware run, in order, on every Socket.IO HTTP request and upgrade (the
   * `io.engine.use` chain): express-session, passport.initialize(), ...
   */
  use?: RequestHandler[];
  /**
   * Express middleware run, in order, on handshakes only (the first request of a connection, the
   * one without `sid`), after `use`: passport.session(), an auth check, ...
   */
  handshake?: RequestHandler[];
}

/** The prototypes Express gives its requests and responses (`app.request`, `app.response`). */
interface Prototypes {
  request: object;
  response: object;
}

/** Whether an engine request opens a connection (has no `sid`). */
function isHandshake(req: IncomingMessage): boolean {
  const query = (req as Partial<EngineRequest>)._query;
  if (query) return query.sid === undefined;
  return !new URL(req.url ?? "/", "http://localhost").searchParams.has("sid");
}

/**
 * Wraps a Connect/Express middleware so that it runs on handshakes only, not on every polling
 * request of the connection (socket.io's `onlyForHandshake`).
 *
 * @example
 * io.engine.use(handshakeOnly(passport.session()));
 */
export function handshakeOnly<Req extends IncomingMessage, Res, Next extends (err?: any) => void>(
  middleware: (req: Req, res: Res, next: Next) => unknown,
): (req: Req, res: Res, next: Next) => void {
  return (req, res, next) => {
    if (isHandshake(req)) middleware(req, res, next);
    else next();
  };
}

/**
 * Runs an Express middleware on an engine request as Express does: the request (and, except on
 * upgrades, the response) gets the app's prototypes (`req.get`, `req.app`, `res.status`, ...).
 */
export function expressMiddleware(app: Application, middleware: RequestHandler): EngineMiddleware {
  const { request: reqProto, response: resProto } = app as unknown as Prototypes;
  return (req, res, next) => {
    const upgrade = (req as { headers: IncomingMessage["headers"] }).headers.upgrade !== undefined;
    if (Object.getPrototypeOf(req) !== reqProto) Object.setPrototypeOf(req, reqProto);
    const request = req as unknown as Request;
    request.originalUrl ??= req.url ?? "/";
    if (!upgrade) {
      if (Object.getPrototypeOf(res) !== resProto) Object.setPrototypeOf(res, resProto);
      const response = res as unknown as Response;
      response.locals ??= Object.create(null);
      request.res = response;
      (response as { req?: Request }).req = request;
    }
    middleware(request, res as unknown as Response, next as NextFunction);
  };
}

/**
 * Attaches a Socket.IO server to an Express app and its http.Server: the server answers the
 * Socket.IO path (requests and upgrades), runs `options.use` / `options.handshake` there, and is
 * reachable as `req.io` from every route.
 *
 * @example
 * import express from "express";
 * import session from "express-session";
 * import { createServer } from "node:http";
 * import { attach } from "socketkit/express";
 *
 * const app = express();
 * const sessionMiddleware = session({ secret: "keyboard cat", resave: false, saveUninitialized: false });
 * app.use(sessionMiddleware);
 * const httpServer = createServer(app);
 * const io = attach(app, httpServer, { use: [sessionMiddleware] });
 * io.on("connection", (socket) => socket.emit("hello", socket.request.session.user));
 * httpServer.listen(3000);
 */
export function attach<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
>(
  app: Application,
  httpServer: HttpServer,
  options: ExpressSocketkitOptions = {},
): Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  const { use = [], handshake = [], ...serverOptions } = options;
  const io = new Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(
    httpServer,
    serverOptions,
  );
  for (const middleware of use) io.engine.use(expressMiddleware(app, middleware));
  for (const middleware of handshake) {
    io.engine.use(handshakeOnly(expressMiddleware(app, middleware)));
  }
  // on the app's request prototype: every route sees it, whatever the order of app.use calls
  Object.defineProperty((app as unknown as Prototypes).request, "io", {
    value: io,
    configurable: true,
    writable: true,
  });
  return io;
}
