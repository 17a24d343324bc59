/**
 * The seams of the engine: what it needs of a WebSocket (ws's WebSocket satisfies it), of a
 * WebSocket server (ws's WebSocketServer in `noServer` mode satisfies it), and what the layer
 * above implements to receive a connection's messages without per-socket closures.
 */
import type { Duplex } from "node:stream";
import type { EngineErrorCode } from "../errors";
import type { EngineCloseReason, EngineRequest, EngineResponse, IncomingMessage } from "../types";
import type { EngineData } from "./protocol";

export interface WebSocketSendOptions {
  binary?: boolean;
  compress?: boolean;
}

/** A WebSocket connection, as the engine uses it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string | Buffer, options: WebSocketSendOptions, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(
    event: "message",
    listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void,
  ): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  removeListener(event: string, listener: (...args: never[]) => void): this;
  /** Bytes accepted by `send` but not yet handed to the kernel (ws: socket buffer + queue). */
  readonly bufferedAmount?: number;
}

/** A WebSocket server in `noServer` mode, as the engine uses it (ws's `WebSocketServer`). */
export interface WebSocketServerLike {
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    cb: (ws: WebSocketLike, req: IncomingMessage) => void,
  ): void;
  close(cb?: (err?: Error) => void): void;
  on?(event: "headers", listener: (headers: string[], req: IncomingMessage) => void): unknown;
}

/** Options ws's WebSocketServer constructor takes from the engine. */
export interface WebSocketServerOptions {
  noServer: true;
  clientTracking: false;
  perMessageDeflate: boolean | object | undefined;
  maxPayload: number;
}

/** The `wsEngine` option: a constructor of a ws-compatible server. */
export type WebSocketServerConstructor = new (
  options: WebSocketServerOptions,
) => WebSocketServerLike;

/**
 * What the layer above (Socket.IO's client) implements to receive one engine socket's traffic:
 * called directly by the engine socket, so no listener closure is created per connection.
 */
export interface EngineHandler {
  onEngineMessage(data: EngineData): void;
  onEngineClose(reason: EngineCloseReason, description?: unknown): void;
}

// -- operations seams (core/ops implements them; the engine only calls) ----------------------------

/**
 * How a refused new session is answered: an HTTP status with a `Retry-After` (seconds), on a
 * polling handshake as on a WebSocket upgrade. `reason` is the metrics label.
 */
export interface EngineRefusal {
  status: number;
  retryAfter: number;
  reason: string;
  message: string;
}

/**
 * The counters the engine increments: plain integer fields of one object, updated in place
 * (no allocation per packet). `null` on the host: nothing is counted.
 */
export interface EngineCounters {
  handshakes: number;
  upgrades: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  parseErrors: number;
  /** Refused requests, by reason (an engine error name, or an {@link EngineRefusal} reason). */
  refused: Record<string, number>;
}

/** What the admission seam sees of a session (an `EngineSocket`). */
export interface EngineSessionInfo {
  readonly id: string;
  readonly request: IncomingMessage;
  readonly remoteAddress: string;
}

/**
 * The engine's admission seam: every handshake asks `admit()` before `allowRequest`; open and
 * closed sessions are reported, so per-address limits can count them. Set as `engine.gate`.
 */
export interface EngineGate {
  admit(req: IncomingMessage): EngineRefusal | undefined;
  opened(session: EngineSessionInfo): void;
  closed(session: EngineSessionInfo): void;
}

/**
 * The origin gate seam (core/ops/origin-gate.ts implements it from the `allowedOrigins` option):
 * asked for every request the engine verifies — handshakes, each long-polling request and each
 * WebSocket upgrade. `done()` lets the request go on, `done(context)` refuses it as Forbidden
 * (`context` is the `connection_error` context; its `message`, if any, is the answer's message).
 */
export interface EngineOriginGate {
  check(req: EngineRequest, done: (refusal?: Record<string, unknown>) => void): void;
}

/**
 * What the cluster router (core/engine/cluster/router.ts) needs of the engine it routes for; the
 * engine implements it and hands itself to the router's constructor. The router never sees the
 * engine's class: it serves forwarded traffic only through these members.
 */
export interface ClusterRouterHost {
  readonly opts: {
    readonly maxHttpBufferSize: number;
    readonly maxBufferedBytes: number;
    readonly pingInterval: number;
    readonly pingTimeout: number;
  };
  /** Handles a request another node forwarded, as if it had arrived at this node. */
  handleRequest(req: EngineRequest, res: EngineResponse): void;
  /**
   * Verifies an upgrade another node relays and, if admitted, upgrades the local session over
   * `ws`; a refused one emits `connection_error` and closes `ws`. `settled` runs after either.
   */
  acceptRelayedUpgrade(req: EngineRequest, ws: WebSocketLike, settled: () => void): void;
  /** Refuses a request with the engine's own error path (`connection_error`, then the answer). */
  refuseRequest(
    req: EngineRequest,
    res: EngineResponse,
    code: EngineErrorCode,
    context: Record<string, unknown>,
  ): void;
}
