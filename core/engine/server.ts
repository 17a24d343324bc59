/**
 * The Engine.IO server core (engine.io's `BaseServer`): sessions, handshake, request checks,
 * `allowRequest`, CORS and cookie, `use()` middleware, upgrades. It never touches node:http or
 * ws directly: core/http/ gives it requests and WebSocket connections.
 */
import { runSteps } from "../util/middleware";
import { reportError } from "../util/report";
import { createDebug } from "../util/debug";
import { LazyEventEmitter } from "../util/event-emitter";
import corsMiddleware from "cors";
import { serialize } from "cookie";
import { EngineErrorCode, engineErrorMessages, engineErrorStatus } from "../errors";
import type { EngineRequest, EngineResponse } from "../types";
import {
  resolveOptions,
  type EngineServerOptions,
  type ResolvedEngineOptions,
  type TransportName,
} from "./options";
import { generateId } from "../util/id";
import type {
  ClusterRouterHost,
  EngineCounters,
  EngineGate,
  EngineOriginGate,
  WebSocketLike,
} from "./ports";
import { classifyRequest, parseQuery, type SessionFacts } from "./request";
import { EngineSocket } from "./socket";
import type { EnginePacket } from "./protocol";
import { queueFor, type DeadlineQueue } from "../util/deadline-queue";
import type { UpgradeProbe } from "./upgrade-probe";
import { EnginePolling } from "./transports/polling";
import type { EngineTransport } from "./transports/transport";
import { EngineWebSocket } from "./transports/websocket";
import { createError } from "../errors";
import { EngineClusterRouter } from "./cluster/router";
import { kForwarded } from "./cluster/forwarded";

const debug = createDebug("engine");

export {
  DEFAULT_MAX_BUFFERED_BYTES,
  type EngineServerOptions,
  type ResolvedEngineOptions,
  type TransportName,
} from "./options";

/** Connect/Express-style middleware, run on every HTTP request and upgrade. */
export type EngineMiddleware = (
  req: EngineRequest,
  res: EngineResponse,
  next: (err?: unknown) => void,
) => void | Promise<unknown>;

/** The payload of the `connection_error` event. */
export interface EngineConnectionError {
  req: EngineRequest;
  code: number;
  message: string;
  context: Record<string, unknown>;
}

/** Called when a request is refused: answers it with the wire error (`req`: the request). */
export type AbortConnection = (
  code: EngineErrorCode,
  context: Record<string, unknown>,
  req: EngineRequest,
) => void;

/**
 * What `verify()` calls: with no code to go on, with a code to refuse; `req` is the request, so
 * that one function per engine can serve every request (no closure per request).
 */
export type VerifyCallback = (
  code: EngineErrorCode | undefined,
  context: Record<string, unknown> | undefined,
  req: EngineRequest,
) => void;

/** Refuses a polling handshake on the request's own response. */
function abortHandshake(
  code: EngineErrorCode,
  context: Record<string, unknown>,
  req: EngineRequest,
): void {
  abortRequest(req.res as EngineResponse, code, context);
}

/** The name of each wire error code (the metrics label of a refusal without its own name). */
const ENGINE_ERROR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(EngineErrorCode).map(([name, code]) => [code, name]),
);

const UPGRADES: Readonly<Record<TransportName, readonly TransportName[]>> = {
  polling: ["websocket"],
  websocket: [],
};

/**
 * Answers a refused HTTP request as engine.io does: the registry's status of the code (400, or
 * 403 for Forbidden) with `{code, message}`; a refusal of the admission seam (`context.status`,
 * `context.retryAfter`) keeps its status and adds `Retry-After`.
 */
export function abortRequest(
  res: EngineResponse,
  code: EngineErrorCode,
  context: Record<string, unknown>,
): void {
  const status =
    typeof context?.status === "number" ? context.status : engineErrorStatus(code).http;
  const message =
    context && typeof context.message === "string" && context.message
      ? context.message
      : engineErrorMessages[code];
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (typeof context?.retryAfter === "number") headers["Retry-After"] = String(context.retryAfter);
  res.writeHead(status, headers);
  res.end(JSON.stringify({ code, message }));
}

function onPingDue(socket: EngineSocket): void {
  socket.onPingDue();
}

function onHeartbeatTimeout(socket: EngineSocket): void {
  socket.onHeartbeatTimeout();
}

function onUpgradeTimeout(probe: UpgradeProbe): void {
  probe.onUpgradeTimeout();
}

/** The events of the engine server, for typed `on`/`once` (any other name still works). */
export interface EngineServerEvents {
  connection: (socket: EngineSocket) => void;
  connection_error: (error: EngineConnectionError) => void;
  initial_headers: (headers: Record<string, string | string[]>, req: EngineRequest) => void;
  headers: (headers: Record<string, string | string[]>, req: EngineRequest) => void;
  flush: (socket: EngineSocket, buffer: EnginePacket[]) => void;
  drain: (socket: EngineSocket) => void;
}

export interface EngineBaseServer {
  on<E extends keyof EngineServerEvents>(event: E, listener: EngineServerEvents[E]): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once<E extends keyof EngineServerEvents>(event: E, listener: EngineServerEvents[E]): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * The Engine.IO server, without the HTTP and WebSocket plumbing (see `EngineServer`).
 */
export class EngineBaseServer extends LazyEventEmitter {
  readonly opts: ResolvedEngineOptions;
  /** Open sessions by id. */
  clients: Record<string, EngineSocket> = {};
  clientsCount = 0;
  /** @internal */
  readonly middlewares: EngineMiddleware[] = [];
  /** The origin gate (from `allowedOrigins`; set by EngineServer), asked on every request. */
  originGate: EngineOriginGate | null = null;
  /** The session facts `classifyRequest` needs (one function for all requests). */
  readonly #lookupSession = (sid: string): SessionFacts | undefined => {
    const client = Object.hasOwn(this.clients, sid) ? this.clients[sid] : undefined;
    return (
      client && {
        transport: client.transport.name,
        protocol: client.protocol,
        upgraded: client.upgraded,
      }
    );
  };
  /** @internal the operations counters (core/ops/metrics.ts); null: nothing counted */
  counters: EngineCounters | null = null;
  /** @internal the admission seam (core/ops: limits, drain); null: every handshake goes on */
  gate: EngineGate | null = null;
  readonly #pingQueues = new Map<number, DeadlineQueue<EngineSocket>>();
  readonly #timeoutQueues = new Map<number, DeadlineQueue<EngineSocket>>();
  readonly #upgradeQueues = new Map<number, DeadlineQueue<UpgradeProbe>>();
  /** The session routing of a cluster without sticky sessions (the `cluster` option). */
  readonly cluster: EngineClusterRouter | undefined;

  constructor(opts: EngineServerOptions = {}) {
    super();
    this.opts = resolveOptions(opts);
    // the engine is the router's host (checked here: the published class does not name the
    // interface, whose members are internal)
    const host: ClusterRouterHost = this;
    this.cluster = opts.cluster ? new EngineClusterRouter(host, opts.cluster) : undefined;
    if (this.opts.cors) this.use(corsMiddleware(this.opts.cors) as EngineMiddleware);
  }

  /** The transports a client on `transport` may upgrade to. */
  upgrades(transport: string): string[] {
    if (!this.opts.allowUpgrades) return [];
    return [...(UPGRADES[transport as TransportName] ?? [])];
  }

  /** @internal the upgrades announced in the handshake (enabled ones only) */
  upgradesFor(transport: string): string[] {
    // the same array for every handshake of a transport, while the options stay the same
    const { transports, allowUpgrades } = this.opts;
    const cached = this.#upgradesCache.get(transport);
    if (cached?.transports === transports && cached.allowUpgrades === allowUpgrades) {
      return cached.upgrades;
    }
    const upgrades = this.upgrades(transport).filter((t) =>
      transports.includes(t as TransportName),
    );
    this.#upgradesCache.set(transport, { transports, allowUpgrades, upgrades });
    return upgrades;
  }

  readonly #upgradesCache = new Map<
    string,
    { transports: readonly TransportName[]; allowUpgrades: boolean; upgrades: string[] }
  >();

  /** @internal the shared queue of upgrade probes that fail after `delay` ms */
  upgradeQueue(delay: number): DeadlineQueue<UpgradeProbe> {
    return queueFor(this.#upgradeQueues, delay, onUpgradeTimeout);
  }

  /** @internal the shared queue of sockets to ping after `delay` ms */
  pingQueue(delay: number): DeadlineQueue<EngineSocket> {
    return queueFor(this.#pingQueues, delay, onPingDue);
  }

  /** @internal the shared queue of sockets whose heartbeat expires after `delay` ms */
  timeoutQueue(delay: number): DeadlineQueue<EngineSocket> {
    return queueFor(this.#timeoutQueues, delay, onHeartbeatTimeout);
  }

  /** @internal a session ended: forget it */
  onSocketClose(socket: EngineSocket): void {
    if (this.clients[socket.id] === socket) {
      delete this.clients[socket.id];
      this.clientsCount--;
      this.gate?.closed(socket);
    }
  }

  /** Adds a Connect/Express-style middleware, run for every HTTP request including upgrades. */
  use(fn: EngineMiddleware): this {
    this.middlewares.push(fn);
    return this;
  }

  /** Generates a session id; override it (may return a promise). */
  generateId(req: EngineRequest): string | Promise<string> {
    void req;
    return generateId();
  }

  /** Closes all sessions. */
  close(): this {
    debug("closing all open clients");
    for (const sid of Object.keys(this.clients)) this.clients[sid]?.close(true);
    for (const queue of this.#pingQueues.values()) queue.stop();
    for (const queue of this.#timeoutQueues.values()) queue.stop();
    for (const queue of this.#upgradeQueues.values()) queue.stop();
    this.cluster?.close();
    this.cleanup();
    return this;
  }

  /** @internal releases what the subclass holds (the WebSocket server). */
  protected cleanup(): void {}

  /** @internal parses the query of a request once */
  prepare(req: EngineRequest): void {
    if (!req._query) req._query = parseQuery(req.url);
  }

  /** @internal runs the `use()` middlewares */
  applyMiddlewares(
    req: EngineRequest,
    res: EngineResponse,
    callback: (err?: unknown) => void,
  ): void {
    const fns = this.middlewares.slice(0);
    runSteps(
      fns.length,
      (i, next) => fns[i](req, res, next),
      (err, failure) => {
        if (failure) reportError(err, "an engine.use() middleware");
        callback(err);
      },
    );
  }

  /**
   * @internal checks a request (engine.io's `verify`): transport, origin, session, method, the
   * origin gate, then `allowRequest` for handshakes. Calls `fn(undefined, undefined, req)` to go
   * on, `fn(code, context, req)` to refuse.
   */
  verify(req: EngineRequest, upgrade: boolean, fn: VerifyCallback): void {
    const q = req._query;
    const verdict = classifyRequest(
      {
        method: req.method,
        transport: q.transport,
        sid: q.sid,
        eio: q.EIO,
        origin: req.headers.origin,
        upgrade,
      },
      this.opts.transports,
      this.#lookupSession,
    );
    if (verdict.kind === "error") {
      if (verdict.context.name === "INVALID_ORIGIN") {
        (req.headers as Record<string, unknown>).origin = null;
      }
      fn(verdict.code, verdict.context, req);
      return;
    }
    const gate = this.originGate;
    if (gate !== null) {
      gate.check(req, (refusal) => {
        if (refusal !== undefined) fn(EngineErrorCode.FORBIDDEN, refusal, req);
        else this.#admit(req, verdict.kind === "session", fn);
      });
      return;
    }
    this.#admit(req, verdict.kind === "session", fn);
  }

  /** The admission gate (limits, drain), then the application's `allowRequest`: handshakes only. */
  #admit(req: EngineRequest, session: boolean, fn: VerifyCallback): void {
    if (!session && this.gate !== null) {
      const refusal = this.gate.admit(req);
      if (refusal !== undefined) {
        const context = {
          name: refusal.reason,
          message: refusal.message,
          status: refusal.status,
          retryAfter: refusal.retryAfter,
        };
        fn(EngineErrorCode.FORBIDDEN, context, req);
        return;
      }
    }
    if (session || !this.opts.allowRequest) {
      fn(undefined, undefined, req);
      return;
    }
    let answered = false;
    const answer = (err: string | null | undefined, success: boolean): void => {
      if (answered) return;
      answered = true;
      if (!success) fn(EngineErrorCode.FORBIDDEN, { message: err }, req);
      else fn(undefined, undefined, req);
    };
    const refuse = (e: unknown): void => {
      if (!answered) reportError(e, "allowRequest");
      answer(e instanceof Error ? e.message : String(e), false);
    };
    try {
      const result = this.opts.allowRequest(req, answer);
      if (result && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).catch(refuse);
      }
    } catch (e) {
      refuse(e);
    }
  }

  /** @internal emits `connection_error` for a refused request */
  emitConnectionError(
    req: EngineRequest,
    code: EngineErrorCode,
    context: Record<string, unknown>,
  ): void {
    const counters = this.counters;
    if (counters !== null) {
      const reason = typeof context.name === "string" ? context.name : ENGINE_ERROR_NAMES[code];
      counters.refused[reason] = (counters.refused[reason] ?? 0) + 1;
    }
    const error: EngineConnectionError = {
      req,
      code,
      message: engineErrorMessages[code],
      context,
    };
    this.emit("connection_error", error);
  }

  /**
   * Handles an HTTP request for the engine path: handshake, poll or data.
   */
  handleRequest(req: EngineRequest, res: EngineResponse): void {
    debug('handling "%s" http request "%s"', req.method, req.url);
    this.prepare(req);
    req.res = res;
    // a forwarded request already went through the middlewares of the node it reached
    if (this.middlewares.length === 0 || (req as { [kForwarded]?: true })[kForwarded]) {
      this.verify(req, false, this.#onRequestVerified);
      return;
    }
    this.applyMiddlewares(req, res, (err) => {
      if (!err) this.verify(req, false, this.#onRequestVerified);
      else
        this.#onRequestVerified(EngineErrorCode.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE" }, req);
    });
  }

  /** An HTTP request verified (or refused): one function for all of them, `req.res` its answer. */
  readonly #onRequestVerified: VerifyCallback = (code, context, req) => {
    const res = req.res as EngineResponse;
    if (code !== undefined) {
      // the one cluster hook: a session of another node is answered from there
      if (code === EngineErrorCode.UNKNOWN_SID && this.cluster?.forward(req, res)) return;
      this.refuseRequest(req, res, code, context ?? {});
      return;
    }
    const sid = req._query.sid;
    if (sid) {
      const transport = this.clients[sid]?.transport;
      req.res = null;
      if (transport instanceof EnginePolling) transport.onRequest(req, res);
      else abortRequest(res, EngineErrorCode.BAD_REQUEST, { name: "TRANSPORT_MISMATCH" });
    } else {
      void this.handshake(req._query.transport as TransportName, req, abortHandshake);
    }
  };

  /** @internal refuses a request: `connection_error`, then engine.io's error answer */
  refuseRequest(
    req: EngineRequest,
    res: EngineResponse,
    code: EngineErrorCode,
    context: Record<string, unknown>,
  ): void {
    this.emitConnectionError(req, code, context);
    abortRequest(res, code, context);
  }

  /** @internal verifies and upgrades over a WebSocket another node relays (the cluster router) */
  acceptRelayedUpgrade(req: EngineRequest, ws: WebSocketLike, settled: () => void): void {
    this.prepare(req);
    this.verify(req, true, (code, context) => {
      if (code !== undefined) {
        this.emitConnectionError(req, code, context ?? {});
        ws.close();
      } else {
        this.onWebSocket(req, ws, () => ws.close());
      }
      settled();
    });
  }

  /** @internal a WebSocket connection was established for `req` (after verify) */
  onWebSocket(req: EngineRequest, ws: WebSocketLike, closeConnection: AbortConnection): void {
    const sid = req._query.sid;
    (req as { websocket?: WebSocketLike }).websocket = ws;
    if (req._query.transport !== "websocket") {
      debug("transport doesn't handle upgraded requests");
      ws.close();
      return;
    }
    if (!sid) {
      void this.handshake("websocket", req, closeConnection);
      return;
    }
    const client = Object.hasOwn(this.clients, sid) ? this.clients[sid] : undefined;
    if (!client) {
      debug("upgrade attempt for closed client");
      ws.close();
    } else if (client.upgrading) {
      debug("transport has already been trying to upgrade");
      ws.close();
    } else if (client.upgraded) {
      debug("transport had already been upgraded");
      ws.close();
    } else {
      debug("upgrading existing transport");
      const transport = this.createTransport("websocket", req) as EngineWebSocket;
      transport.perMessageDeflate = this.opts.perMessageDeflate;
      client.maybeUpgrade(transport);
    }
  }

  /** @internal */
  createTransport(name: TransportName, req: EngineRequest): EngineTransport {
    if (name === "polling") {
      const transport = new EnginePolling(req, (headers, r) =>
        this.#onHeaders(transport, headers, r),
      );
      return transport;
    }
    const ws = (req as { websocket?: WebSocketLike }).websocket;
    if (!ws) throw createError("NO_WEBSOCKET");
    return new EngineWebSocket(req, ws);
  }

  #onHeaders(
    transport: EngineTransport,
    headers: Record<string, string | string[]>,
    req: EngineRequest,
  ): void {
    if (!req._query.sid) {
      if (this.opts.cookie) {
        headers["Set-Cookie"] = [serialize(this.opts.cookie.name, transport.sid, this.opts.cookie)];
      }
      this.emit("initial_headers", headers, req);
    }
    this.emit("headers", headers, req);
  }

  /** @internal opens a session (engine.io's `handshake`); synchronous unless generateId is async */
  handshake(
    transportName: TransportName,
    req: EngineRequest,
    closeConnection: AbortConnection,
  ): void | Promise<void> {
    const protocol = req._query.EIO === "4" ? 4 : 3;
    if (protocol === 3 && !this.opts.allowEIO3) {
      debug("unsupported protocol version");
      const context = { protocol };
      this.emitConnectionError(req, EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, context);
      closeConnection(EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, context, req);
      return;
    }
    let id: string | Promise<string>;
    try {
      id = this.generateId(req);
    } catch (error) {
      this.#idFailed(req, closeConnection, error);
      return;
    }
    if (typeof id === "string") {
      this.#open(id, transportName, req, protocol, closeConnection);
      return;
    }
    return Promise.resolve(id).then(
      (sid) => this.#open(sid, transportName, req, protocol, closeConnection),
      (error: unknown) => this.#idFailed(req, closeConnection, error),
    );
  }

  #idFailed(req: EngineRequest, closeConnection: AbortConnection, error: unknown): void {
    const context = { name: "ID_GENERATION_ERROR", error };
    this.emitConnectionError(req, EngineErrorCode.BAD_REQUEST, context);
    closeConnection(EngineErrorCode.BAD_REQUEST, context, req);
  }

  #open(
    generated: string,
    transportName: TransportName,
    req: EngineRequest,
    protocol: 3 | 4,
    closeConnection: AbortConnection,
  ): void {
    const id = this.cluster === undefined ? generated : this.cluster.sessionId(generated);
    debug('handshaking client "%s"', id);
    let transport: EngineTransport;
    try {
      transport = this.createTransport(transportName, req);
      if (transport instanceof EnginePolling) {
        transport.maxHttpBufferSize = this.opts.maxHttpBufferSize;
        transport.httpCompression = this.opts.httpCompression;
      } else if (transport instanceof EngineWebSocket) {
        transport.perMessageDeflate = this.opts.perMessageDeflate;
      }
    } catch (error) {
      const context = { name: "TRANSPORT_HANDSHAKE_ERROR", error };
      this.emitConnectionError(req, EngineErrorCode.BAD_REQUEST, context);
      closeConnection(EngineErrorCode.BAD_REQUEST, context, req);
      return undefined;
    }
    // the request may have been aborted while the id was generated
    const res = req.res;
    const socket = new EngineSocket(id, this, transport, req, protocol);
    if (transport instanceof EnginePolling && res) {
      req.res = null;
      transport.onRequest(req, res);
    }
    this.clients[id] = socket;
    this.clientsCount++;
    if (this.counters !== null) this.counters.handshakes++;
    this.gate?.opened(socket);
    this.emit("connection", socket);
  }
}
