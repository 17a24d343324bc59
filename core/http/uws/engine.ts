/**
 * The Engine.IO server on µWebSockets.js (engine.io's `uServer`): `attach(app)` answers the
 * engine path of a uWS app, over HTTP long-polling and WebSocket, with everything the Node host
 * does (the same `EngineBaseServer`: middlewares, `allowRequest`, CORS, cookies, limits, drain,
 * metrics, the origin gate, the cluster routing). Nothing process-wide is patched: a uWS-hosted
 * and a Node-hosted server live side by side.
 */
import { createDebug } from "../../util/debug";
import { createError, EngineErrorCode } from "../../errors";
import type { EngineRequest, EngineResponse } from "../../types";
import type { WebSocketLike } from "../../engine/ports";
import { EngineBaseServer, type EngineServerOptions } from "../../engine/server";
import { watchWebSocket } from "../../engine/transports/websocket";
import { createOriginGate } from "../../ops/origin-gate";
import { computePath, type AttachOptions } from "../engine-server";
import {
  takeUpgradeHeaders,
  upgradeRefusal,
  UpgradeResponse,
  type UpgradeRequest,
} from "../upgrade-response";
import { UwsRequest, uwsExchange } from "./request";
import type { UwsApp, UwsHttpRequest, UwsHttpResponse, UwsWebSocket } from "./types";
import { UwsSocketAdapter, type UwsSocketData } from "./websocket";

const debug = createDebug("engine:uws");

/** The options of `attach(app)` on µWebSockets.js (socket.io's names). */
export interface UwsAttachOptions extends AttachOptions {
  /**
   * uWS's permessage-deflate setting: `uWS.DISABLED` (0, the default), `uWS.SHARED_COMPRESSOR`
   * or one of the `uWS.DEDICATED_COMPRESSOR_*` constants. It replaces `perMessageDeflate`.
   */
  compression?: number;
  /**
   * uWS's idle timeout, in seconds. 0 (the default here): off, the Engine.IO heartbeat is the
   * one timer of a connection. Otherwise at least the heartbeat's period
   * (`(pingInterval + pingTimeout) / 1000`), so it never ends a healthy connection first.
   */
  idleTimeout?: number;
  /**
   * Bytes uWS may buffer per WebSocket before it drops a message (default: `maxBufferedBytes` +
   * `maxHttpBufferSize`, so the engine's own limit ends a slow client first). A dropped
   * message fails its connection: nothing is lost silently.
   */
  maxBackpressure?: number;
}

/** uWS.SHARED_COMPRESSOR: one compressor for all connections. */
const SHARED_COMPRESSOR = 1;

/**
 * From how many bytes a message is compressed: perMessageDeflate's `threshold` (1024 unless
 * set) when compression is on, false when it is off.
 */
function compressionThreshold(
  compression: number,
  perMessageDeflate: false | Record<string, unknown> | undefined,
): number | false {
  if (compression === 0) return false;
  const threshold = perMessageDeflate ? perMessageDeflate.threshold : undefined;
  return typeof threshold === "number" ? threshold : perMessageDeflate ? 1024 : 0;
}

/** What an upgrade hands to the `open` handler. */
interface Opening {
  req: UpgradeRequest;
  /** A session of another node: relayed there (the cluster routing). */
  relay: boolean;
}

/** Methods whose body the engine reads (a poll's data). */
function hasBody(method: string): boolean {
  return method === "post" || method === "put" || method === "patch";
}

function invalid(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", { name, expected, value });
}

/** The uWS options, checked against the engine's (throws SIO_ERR_INVALID_OPTION). */
export function uwsBehaviorOptions(
  options: UwsAttachOptions,
  engine: EngineBaseServer["opts"],
): { compression: number; idleTimeout: number; maxBackpressure: number } {
  const { idleTimeout = 0, maxBackpressure } = options;
  // without uWS's own setting, the engine's perMessageDeflate turns uWS's shared compressor on
  const compression = options.compression ?? (engine.perMessageDeflate ? SHARED_COMPRESSOR : 0);
  if (!Number.isInteger(compression) || compression < 0) {
    invalid("compression", "a uWS compression constant", compression);
  }
  const heartbeat = Math.ceil((engine.pingInterval + engine.pingTimeout) / 1000);
  if (idleTimeout !== 0 && !(typeof idleTimeout === "number" && idleTimeout >= heartbeat)) {
    invalid("idleTimeout", `0 or a number of seconds >= ${heartbeat}`, idleTimeout);
  }
  if (
    maxBackpressure !== undefined &&
    !(typeof maxBackpressure === "number" && maxBackpressure >= 1)
  ) {
    invalid("maxBackpressure", "a number >= 1", maxBackpressure);
  }
  return {
    compression,
    idleTimeout,
    maxBackpressure: maxBackpressure ?? engine.maxBufferedBytes + engine.maxHttpBufferSize,
  };
}

/**
 * An Engine.IO server on a µWebSockets.js app, usable on its own as engine.io's `uServer`.
 *
 * @example
 * import { App } from "uWebSockets.js";
 * import { uServer } from "socketkit";
 *
 * const app = App();
 * const engine = new uServer({ pingInterval: 10000 });
 * engine.attach(app);
 * engine.on("connection", (socket) => socket.send("hello"));
 * app.listen(3000, () => {});
 */
export class uServer extends EngineBaseServer {
  /** Messages from this many bytes on are compressed (false: uWS's compression is off). */
  #compressFrom: number | false = false;

  constructor(opts: EngineServerOptions = {}) {
    super(opts);
    this.originGate = createOriginGate(this.opts);
  }

  /** Nothing to (re)create: the uWS app holds the WebSocket server. */
  init(): void {}

  /** Answers the engine path of `app`: its HTTP requests and, with the websocket transport, its upgrades. */
  attach(app: UwsApp, options: UwsAttachOptions = {}): this {
    const behavior = uwsBehaviorOptions(options, this.opts);
    this.#compressFrom = compressionThreshold(behavior.compression, this.opts.perMessageDeflate);
    const path = computePath(options);
    app.any(path, (res, req) => this.#onRequest(res, req));
    if (!this.opts.transports.includes("websocket")) return this;
    app.ws<UwsSocketData>(path, {
      ...behavior,
      maxPayloadLength: this.opts.maxHttpBufferSize,
      closeOnBackpressureLimit: false,
      sendPingsAutomatically: false,
      upgrade: (res, req, context) => this.#onUpgrade(res, req, context),
      open: (ws) => this.#onOpen(ws),
      message: (ws, message, isBinary) => ws.getUserData().socket?.received(message, isBinary),
      drain: (ws) => ws.getUserData().socket?.drained(),
      close: (ws, code, message) => ws.getUserData().socket?.closed(code, message),
    });
    return this;
  }

  /** One HTTP request: copied out of uWS at once, then handled as on the Node host. */
  #onRequest(res: UwsHttpResponse, req: UwsHttpRequest): void {
    // the abort handler is registered here, before anything asynchronous
    const [request, response] = uwsExchange(
      req,
      res,
      this.opts.maxHttpBufferSize,
      hasBody(req.getMethod()),
    );
    this.handleRequest(request as unknown as EngineRequest, response as unknown as EngineResponse);
  }

  /** One upgrade: verified (middlewares, checks, allowRequest), then upgraded or refused. */
  #onUpgrade(res: UwsHttpResponse, req: UwsHttpRequest, context: unknown): void {
    const key = req.getHeader("sec-websocket-key");
    const protocol = req.getHeader("sec-websocket-protocol");
    const extensions = req.getHeader("sec-websocket-extensions");
    const request = new UwsRequest(req, res, 0, false) as unknown as UpgradeRequest;
    let gone = false;
    res.onAborted(() => {
      gone = true;
      debug("upgrade aborted by the client");
    });
    this.prepare(request);
    const upgrade = (relay: boolean): void => {
      const headers = relay ? undefined : this.#upgradeHeaders(request);
      const opening: Opening = { req: request, relay };
      res.cork(() => {
        if (headers !== undefined) {
          res.writeStatus("101 Switching Protocols");
          for (const name of Object.keys(headers)) res.writeHeader(name, String(headers[name]));
        }
        res.upgrade<UwsSocketData>({ socket: null, opening }, key, protocol, extensions, context);
      });
    };
    const refuse = (): void => {
      if (!gone) {
        gone = true;
        res.close();
      }
    };
    const callback = (code?: EngineErrorCode, ctx?: Record<string, unknown>): void => {
      if (gone) return; // nothing is written after the client went
      if (code === EngineErrorCode.UNKNOWN_SID && this.cluster?.routable(request)) {
        upgrade(true);
        return;
      }
      if (code !== undefined) {
        this.emitConnectionError(request, code, ctx ?? {});
        const refusal = upgradeRefusal(code, ctx);
        res.cork(() => {
          res.writeStatus(`${refusal.status} ${refusal.reason}`);
          if (refusal.retryAfter !== undefined) {
            res.writeHeader("Retry-After", String(refusal.retryAfter));
          }
          res.writeHeader("Content-Type", "text/html");
          res.end(refusal.message, true);
        });
        return;
      }
      upgrade(false);
    };
    if (this.middlewares.length === 0) {
      this.verify(request, true, callback);
      return;
    }
    const middlewareRes = new UpgradeResponse(request, refuse);
    this.applyMiddlewares(request, middlewareRes as unknown as EngineResponse, (err) => {
      // some middlewares (express-session) wait for writeHead() to set their headers
      middlewareRes.writeHead();
      if (err) callback(EngineErrorCode.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE" });
      else this.verify(request, true, callback);
    });
  }

  /** The extra headers of a 101 answer: the middlewares', then `initial_headers` / `headers`. */
  #upgradeHeaders(req: UpgradeRequest): Record<string, string> {
    const headers = takeUpgradeHeaders(req) ?? {};
    if (!req._query.sid) this.emit("initial_headers", headers, req);
    this.emit("headers", headers, req);
    return headers;
  }

  #onOpen(ws: UwsWebSocket<UwsSocketData>): void {
    const data = ws.getUserData();
    const opening = data.opening as Opening;
    data.opening = null;
    const socket = new UwsSocketAdapter(
      ws,
      opening.req.socket.remoteAddress ?? "",
      this.#compressFrom,
    );
    data.socket = socket;
    const websocket = socket as unknown as WebSocketLike;
    if (opening.relay) {
      this.cluster?.relay(opening.req, websocket);
      return;
    }
    watchWebSocket(websocket);
    this.onWebSocket(opening.req, websocket, () => socket.terminate());
  }
}
