/**
 * Types shared across layers. Nothing here imports another module of the core, so every layer
 * may depend on it (see docs/architecture.md, "The layers of `core/`").
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ParsedUrlQuery } from "node:querystring";

// ---------------------------------------------------------------------------------------------
// Socket.IO packets (protocol v5)
// ---------------------------------------------------------------------------------------------

/** Socket.IO packet types, numbered as on the wire. */
export enum PacketType {
  CONNECT = 0,
  DISCONNECT = 1,
  EVENT = 2,
  ACK = 3,
  CONNECT_ERROR = 4,
  BINARY_EVENT = 5,
  BINARY_ACK = 6,
}

/** A decoded Socket.IO packet (the shape socket.io-parser uses). */
export interface Packet {
  type: PacketType;
  nsp: string;
  data?: any;
  id?: number;
  attachments?: number;
}

/** One encoded chunk handed to the engine: the packet string, then each binary attachment. */
export type EncodedPacket = string | Buffer | ArrayBuffer | ArrayBufferView;

/** The shape of socket.io-parser's Encoder: any parser with this shape can be plugged in. */
export interface PacketEncoder {
  encode(packet: Packet): EncodedPacket[];
}

/** The shape of socket.io-parser's Decoder: an emitter of "decoded" events. */
export interface PacketDecoder {
  add(chunk: unknown): void;
  destroy(): void;
  on(event: "decoded", listener: (packet: Packet) => void): this;
  removeAllListeners(event?: string): this;
}

/** A parser module, as the `parser` server option takes it (socket.io-parser's shape). */
export interface Parser {
  Encoder: new () => PacketEncoder;
  Decoder: new () => PacketDecoder;
}

// ---------------------------------------------------------------------------------------------
// Rooms and broadcasting (shared by adapter/ and server/)
// ---------------------------------------------------------------------------------------------

export type Room = string;
export type SocketId = string;
/** A private session id, used by connection state recovery. */
export type PrivateSessionId = string;

export interface BroadcastFlags {
  volatile?: boolean;
  compress?: boolean;
  local?: boolean;
  broadcast?: boolean;
  binary?: boolean;
  timeout?: number;
  expectSingleResponse?: boolean;
}

export interface BroadcastOptions {
  rooms: Set<Room>;
  except?: Set<Room>;
  flags?: BroadcastFlags;
}

/** Options of one write to the engine (socket.io's `WriteOptions`). */
export interface WriteOptions {
  compress?: boolean;
  volatile?: boolean;
  /** The packets are already encoded (a broadcast encodes once for all recipients). */
  preEncoded?: boolean;
  /** The Engine.IO-framed text of a single-string packet ("4" + payload), shared by recipients. */
  wsPreEncoded?: string;
  /** The UTF-8 bytes of `wsPreEncoded`, filled once by the engine and reused by every recipient. */
  wsPreEncodedBuffer?: Buffer;
  /**
   * The whole WebSocket frame of a single-string packet (header and payload buffers), built once
   * per broadcast by the adapter (ours and socket.io-adapter's): written as it is to every
   * WebSocket recipient whose connection does not compress.
   */
  wsPreEncodedFrame?: readonly Uint8Array[];
}

/** What the adapter sees of a socket (the members socket.io-adapter reads). */
export interface AdapterSocket {
  readonly id: SocketId;
  readonly client: { writeToEngine(encodedPackets: EncodedPacket[], opts: WriteOptions): void };
  readonly acks: Map<number, (...args: any[]) => void>;
  notifyOutgoingListeners?(packet: Packet): void;
  join(rooms: Room | Room[]): Promise<void> | void;
  leave(room: Room): Promise<void> | void;
  disconnect(close?: boolean): unknown;
}

/** What the adapter sees of a namespace (the members socket.io-adapter reads). */
export interface AdapterNamespace {
  readonly name: string;
  readonly sockets: Map<SocketId, AdapterSocket>;
  readonly server: {
    readonly encoder: PacketEncoder;
    readonly opts?: {
      connectionStateRecovery?: { maxDisconnectionDuration?: number; skipMiddlewares?: boolean };
    };
  };
  /** Next broadcast ack id (compatibility surface: `nsp._ids`). */
  _ids: number;
  /** Delivers an event emitted by another server (compatibility surface, cluster adapters). */
  _onServerSideEmit?(args: unknown[]): void;
}

/** A session kept for connection state recovery. */
export interface Session {
  sid: SocketId;
  pid: PrivateSessionId;
  rooms: Room[];
  data: unknown;
}

export interface SessionToPersist extends Session {}

export interface RestoredSession extends Session {
  missedPackets: unknown[][];
  disconnectedAt?: number;
}

// ---------------------------------------------------------------------------------------------
// Engine / server shared shapes
// ---------------------------------------------------------------------------------------------

/** An incoming request as the engine sees it (node's IncomingMessage plus the parsed query). */
export interface EngineRequest extends IncomingMessage {
  /** The parsed query string (engine.io's `_query`, read by socket.io's ecosystem). */
  _query: Record<string, string>;
  /** The response of an HTTP long-polling request, while the engine handles it. */
  res?: ServerResponse | null;
}

/** An HTTP request (node's IncomingMessage), named here so layers need not import node:http. */
export type { IncomingMessage };

/** The response of an HTTP request handled by the engine (node's ServerResponse). */
export type EngineResponse = ServerResponse;

/** The handshake details of a Socket.IO socket. */
export interface Handshake {
  headers: IncomingHttpHeaders;
  time: string;
  address: string;
  xdomain: boolean;
  secure: boolean;
  issued: number;
  url: string;
  query: ParsedUrlQuery;
  auth: { [key: string]: unknown };
}

/** Why an Engine.IO socket closed (engine.io's reasons). */
export type EngineCloseReason =
  | "transport error"
  | "transport close"
  | "forced close"
  | "ping timeout"
  | "parse error"
  | "server shutting down";

/** Why a Socket.IO socket disconnected (socket.io's reasons). */
export type DisconnectReason =
  | EngineCloseReason
  | "forced server close"
  | "client namespace disconnect"
  | "server namespace disconnect"
  /** socketkit: the `eventRateLimit` option's "disconnect" policy */
  | "event rate limit exceeded";

/** A static CORS origin: `true` reflects the request's origin, `false` disables CORS. */
export type CorsStaticOrigin = boolean | string | RegExp | Array<boolean | string | RegExp>;

/**
 * The `cors` option (the semantics of the `cors` middleware package, which socketkit runs; its
 * own type so that the published declarations need no `@types/cors`).
 */
export interface CorsOptions {
  /** The allowed origin(s), or a function deciding per request origin ("*"). */
  origin?:
    | CorsStaticOrigin
    | ((
        requestOrigin: string | undefined,
        callback: (err: Error | null, origin?: CorsStaticOrigin) => void,
      ) => void);
  /** Access-Control-Allow-Methods ("GET,HEAD,PUT,PATCH,POST,DELETE"). */
  methods?: string | string[];
  /** Access-Control-Allow-Headers (the request's Access-Control-Request-Headers). */
  allowedHeaders?: string | string[];
  /** Access-Control-Expose-Headers (none). */
  exposedHeaders?: string | string[];
  /** Access-Control-Allow-Credentials (false). */
  credentials?: boolean;
  /** Access-Control-Max-Age, in seconds (none). */
  maxAge?: number;
  /** Whether a preflight request goes on to the next handler (false). */
  preflightContinue?: boolean;
  /** The status of a successful preflight answer (204). */
  optionsSuccessStatus?: number;
}

/** The `cors` option as a function: decides the CORS options per request. */
export type CorsOptionsDelegate = (
  req: EngineRequest,
  callback: (err: Error | null, options?: CorsOptions) => void,
) => void;

/** The `cookie` option's object form: the session cookie's name and attributes. */
export interface CookieOptions {
  /** The cookie name ("io"). */
  name?: string;
  domain?: string;
  /** Encodes the value (encodeURIComponent). */
  encode?: (value: string) => string;
  expires?: Date;
  /** (true) */
  httpOnly?: boolean;
  /** In seconds. */
  maxAge?: number;
  partitioned?: boolean;
  /** ("/") */
  path?: string;
  priority?: "low" | "medium" | "high";
  /** ("lax") */
  sameSite?: boolean | "lax" | "strict" | "none";
  secure?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Origin gate (core/ops/origin-gate.ts; the engine calls it through EngineOriginGate)
// ---------------------------------------------------------------------------------------------

/**
 * Decides whether a request from `origin` may go on: `callback(null, true)` lets it pass,
 * `callback(null, false)` or `callback(err)` refuses it (Forbidden; `err`, as a string or an
 * Error's message, becomes the answer's message). `origin` is undefined for a request without an
 * Origin header (only asked when `allowMissingOrigin` is false).
 */
export type OriginCheck = (
  origin: string | undefined,
  callback: (err: string | Error | null | undefined, allow?: boolean) => void,
  req: EngineRequest,
) => void;

/** The `allowedOrigins` option: exact origins ("*" for any), RegExps, or a function. */
export type AllowedOrigins = string | RegExp | readonly (string | RegExp)[] | OriginCheck;
