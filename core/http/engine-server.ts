/**
 * The Engine.IO server on node:http and ws (engine.io's `Server`): WebSocket upgrades through
 * ws in `noServer` mode, and `attach()` to an http.Server.
 */
import { type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createDebug } from "../util/debug";
import { WebSocketServer } from "ws";
import { EngineErrorCode } from "../errors";
import type { EngineRequest, EngineResponse } from "../types";
import {
  takeUpgradeHeaders,
  upgradeRefusal,
  UpgradeResponse,
  type UpgradeRequest,
} from "./upgrade-response";
import type { WebSocketLike, WebSocketServerLike } from "../engine/ports";
import { EngineBaseServer, type EngineServerOptions } from "../engine/server";
import { watchWebSocket } from "../engine/transports/websocket";
import { guardFragments } from "./fragment-guard";
import { createOriginGate } from "../ops/origin-gate";
import { hostOn } from "./host";

const debug = createDebug("engine");

export interface AttachOptions {
  /** The path the engine answers on ("/engine.io"). */
  path?: string;
  /** Whether to destroy upgrade requests for other paths that nobody answers (true). */
  destroyUpgrade?: boolean;
  /** How long to wait before destroying such an upgrade, in ms (1000). */
  destroyUpgradeTimeout?: number;
  /** Whether to add a trailing slash to the path ("/engine.io/") (true). */
  addTrailingSlash?: boolean;
}

/** The request path an engine answers, from the attach options (engine.io's `_computePath`). */
export function computePath(options: AttachOptions): string {
  let path = options.path || "/engine.io";
  if (path.endsWith("/")) path = path.slice(0, -1);
  if (options.addTrailingSlash !== false) path += "/";
  return path;
}

/** The middlewares' response object for an upgrade on a TCP socket. */
function upgradeResponse(req: UpgradeRequest, socket: Duplex): UpgradeResponse {
  const res = new UpgradeResponse(req, () => socket.destroy());
  socket.once("close", () => res.emit("close"));
  return res;
}

/**
 * Refuses an upgrade as engine.io does: the code's upgrade status (400) with the message as
 * text, then destroy.
 */
function abortUpgrade(
  socket: Duplex,
  code: EngineErrorCode,
  context: Record<string, unknown> = {},
): void {
  socket.on("error", () => debug("ignoring error from closed connection"));
  if (socket.writable) {
    const { status, reason, message, retryAfter } = upgradeRefusal(code, context);
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        (retryAfter !== undefined ? `Retry-After: ${retryAfter}\r\n` : "") +
        "Connection: close\r\n" +
        "Content-type: text/html\r\n" +
        "Content-Length: " +
        Buffer.byteLength(message) +
        "\r\n\r\n" +
        message,
    );
  }
  socket.destroy();
}

/**
 * An Engine.IO server, usable on its own as the `engine.io` package is.
 *
 * @example
 * import { createServer } from "node:http";
 * import { EngineServer } from "socketkit";
 *
 * const engine = new EngineServer({ pingInterval: 10000 });
 * engine.attach(createServer().listen(3000));
 * engine.on("connection", (socket) => socket.send("hello"));
 */
export class EngineServer extends EngineBaseServer {
  /** The WebSocket server (ws in `noServer` mode), when the websocket transport is enabled. */
  ws: WebSocketServerLike | undefined;

  constructor(opts: EngineServerOptions = {}) {
    super(opts);
    this.originGate = createOriginGate(this.opts);
    this.init();
  }

  /** (Re)creates the WebSocket server. */
  init(): void {
    if (!this.opts.transports.includes("websocket")) return;
    this.ws?.close();
    const WsEngine = this.opts.wsEngine ?? WebSocketServer;
    const ws = new WsEngine({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: this.opts.perMessageDeflate,
      maxPayload: this.opts.maxHttpBufferSize,
    });
    this.ws = ws;
    if (typeof ws.on === "function") {
      ws.on("headers", (headersArray: string[], incoming: IncomingMessage) => {
        const req = incoming as UpgradeRequest;
        let extra = takeUpgradeHeaders(req);
        if (extra === undefined) {
          // the usual case: no middleware headers and nobody listening
          if (this.listenerCount("headers") === 0 && this.listenerCount("initial_headers") === 0) {
            return;
          }
          extra = {};
        }
        if (!req._query.sid) this.emit("initial_headers", extra, req);
        this.emit("headers", extra, req);
        for (const key of Object.keys(extra)) headersArray.push(`${key}: ${extra[key]}`);
      });
    }
  }

  protected override cleanup(): void {
    this.ws?.close();
  }

  /** Handles an HTTP upgrade request for the engine path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, upgradeHead: Buffer): void {
    const engineReq = req as UpgradeRequest;
    this.prepare(engineReq);
    // the response object exists for the middlewares only: none, none kept per connection
    const res = this.middlewares.length > 0 ? upgradeResponse(engineReq, socket) : null;
    const callback = (code?: EngineErrorCode, context?: Record<string, unknown>): void => {
      const ws = this.ws;
      if (code === EngineErrorCode.UNKNOWN_SID && ws && this.cluster?.routable(engineReq)) {
        // a session of another node: accept the connection here and relay it to the owner
        const head = upgradeHead.length === 0 ? upgradeHead : Buffer.from(upgradeHead);
        ws.handleUpgrade(engineReq, socket, head, (websocket: WebSocketLike) => {
          guardFragments(socket, websocket, this.opts.maxWebSocketFragments);
          this.cluster?.relay(engineReq, websocket);
        });
        return;
      }
      if (code !== undefined) {
        this.emitConnectionError(engineReq, code, context ?? {});
        abortUpgrade(socket, code, context);
        return;
      }
      if (!ws) {
        abortUpgrade(socket, EngineErrorCode.UNKNOWN_TRANSPORT);
        return;
      }
      // a copy, so the connection's first chunk is not kept (nothing to copy, usually)
      const head = upgradeHead.length === 0 ? upgradeHead : Buffer.from(upgradeHead);
      // some middlewares (express-session) wait for writeHead() to flush their headers
      res?.writeHead();
      ws.handleUpgrade(engineReq, socket, head, (websocket: WebSocketLike) => {
        // a connection nobody takes (unknown session, refused upgrade) may still fail later
        watchWebSocket(websocket);
        guardFragments(socket, websocket, this.opts.maxWebSocketFragments);
        this.onWebSocket(engineReq, websocket, (c, ctx) => abortUpgrade(socket, c, ctx));
      });
    };
    if (res === null) {
      this.verify(engineReq, true, callback);
      return;
    }
    this.applyMiddlewares(engineReq, res as unknown as EngineResponse, (err) => {
      if (err) callback(EngineErrorCode.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE" });
      else this.verify(engineReq, true, callback);
    });
  }

  /**
   * Captures the requests and upgrades of an http.Server under the engine path; other requests
   * go on to the server's other listeners (see {@link hostOn}).
   */
  attach(server: HttpServer, options: AttachOptions = {}): this {
    const path = computePath(options);
    const onEnginePath = (req: IncomingMessage): boolean => (req.url ?? "").startsWith(path);
    const takeRequest = (req: IncomingMessage, res: ServerResponse): boolean => {
      if (!onEnginePath(req)) return false;
      debug('intercepting request for path "%s"', path);
      this.handleRequest(req as EngineRequest, res);
      return true;
    };
    const takeUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
      if (!onEnginePath(req)) return false;
      this.handleUpgrade(req, socket, head);
      return true;
    };
    const websocket = this.opts.transports.includes("websocket");
    hostOn(server, this, takeRequest, websocket ? takeUpgrade : null, options);
    return this;
  }
}
