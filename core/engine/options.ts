/**
 * The Engine.IO server's options: their types, defaults (engine.io's, plus socketkit's limits),
 * resolution into the form the server keeps, and the up-front checks (CORS and cookie options in
 * http-options.ts).
 */
import type {
  AllowedOrigins,
  CookieOptions,
  CorsOptions,
  CorsOptionsDelegate,
  EngineRequest,
} from "../types";
import { checkCookieOption, checkCorsOption } from "./http-options";
import type { WebSocketServerConstructor } from "./ports";
import type { HttpCompressionOptions } from "./transports/polling";
import type { EngineClusterOptions } from "./cluster/driver";

export type TransportName = "polling" | "websocket";

export interface EngineServerOptions {
  /** How many ms without a pong packet to consider the connection closed (20000). */
  pingTimeout?: number;
  /** How many ms before sending a new ping packet (25000). */
  pingInterval?: number;
  /** How many ms before an uncompleted transport upgrade is cancelled (10000). */
  upgradeTimeout?: number;
  /** How many bytes a message may have before the connection is closed (1e6). */
  maxHttpBufferSize?: number;
  /** Decides whether a handshake (or upgrade) goes on: `fn(err, success)`. */
  allowRequest?: (
    req: EngineRequest,
    fn: (err: string | null | undefined, success: boolean) => void,
  ) => void | Promise<void>;
  /** The low-level transports that are enabled, in order (["polling", "websocket"]). */
  transports?: TransportName[];
  /** Whether to allow transport upgrades (true). */
  allowUpgrades?: boolean;
  /** WebSocket permessage-deflate: false, true, or ws's options (false). */
  perMessageDeflate?: boolean | Record<string, unknown>;
  /** HTTP compression of polling responses: false, true, or zlib options + threshold (true). */
  httpCompression?: boolean | HttpCompressionOptions;
  /** A ws-compatible WebSocket server constructor (ws's `WebSocketServer`). */
  wsEngine?: WebSocketServerConstructor;
  /** A message packet sent right after the handshake. */
  initialPacket?: unknown;
  /** The session cookie: false, true, or `cookie` serialize options plus `name` (false). */
  cookie?: boolean | CookieOptions;
  /** CORS, with the options of the `cors` package (off). */
  cors?: CorsOptions | CorsOptionsDelegate;
  /** Whether to accept Engine.IO v3 clients (socket.io-client v2) (false). */
  allowEIO3?: boolean;
  /**
   * socketkit: how many packets may wait in a session's write buffer (a client that stopped
   * reading) before the session is closed with "transport error" (100000).
   */
  maxBufferedPackets?: number;
  /**
   * socketkit: how many bytes may wait for one client, in the write buffer and in the transport
   * (WebSocket buffered amount; the buffer kept during an upgrade included), before the session
   * is closed with "transport error" and its memory freed (16 MiB).
   */
  maxBufferedBytes?: number;
  /**
   * socketkit: how many frames one incoming WebSocket message may be split into (a first frame
   * and its continuations); past it the connection is closed with code 1008 (1024). Bounds the
   * per-fragment memory that `maxHttpBufferSize` alone does not.
   */
  maxWebSocketFragments?: number;
  /**
   * socketkit: the origin gate (off). The origins allowed on handshakes, long-polling requests
   * and WebSocket upgrades: exact strings ("*": any), RegExps, or `(origin, callback)`; other
   * origins get Engine.IO's Forbidden answer. See core/ops/origin-gate.ts.
   */
  allowedOrigins?: AllowedOrigins;
  /** socketkit: whether requests without an Origin header pass the origin gate (true). */
  allowMissingOrigin?: boolean;
  /**
   * socketkit: serve every session from any node, without sticky sessions: requests for a
   * session of another node are forwarded to it over the driver (off).
   */
  cluster?: EngineClusterOptions;
}

/**
 * Default `maxBufferedBytes`: 16 MiB per client. A slow mobile link (1 Mbit/s) drains it in about
 * two minutes, longer than the default ping timeout leaves a dead client connected, and it holds
 * sixteen messages of the largest size a client may send (`maxHttpBufferSize`, 1 MB).
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** The options as the server keeps them, defaults applied. */
export interface ResolvedEngineOptions extends EngineServerOptions {
  pingTimeout: number;
  pingInterval: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  transports: TransportName[];
  allowUpgrades: boolean;
  httpCompression: false | HttpCompressionOptions;
  allowEIO3: boolean;
  maxBufferedPackets: number;
  maxBufferedBytes: number;
  maxWebSocketFragments: number;
  cookie?: CookieOptions & { name: string };
  perMessageDeflate?: false | Record<string, unknown>;
}

/** The options with their defaults applied, checked (throws on an invalid CORS or cookie option). */
export function resolveOptions(opts: EngineServerOptions): ResolvedEngineOptions {
  checkCorsOption(opts.cors);
  checkCookieOption(opts.cookie);
  const resolved = {
    pingTimeout: 20000,
    pingInterval: 25000,
    upgradeTimeout: 10000,
    maxHttpBufferSize: 1e6,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
    httpCompression: { threshold: 1024 },
    cors: false,
    allowEIO3: false,
    maxBufferedPackets: 100_000,
    maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
    maxWebSocketFragments: 1024,
    ...opts,
  } as ResolvedEngineOptions;
  if (opts.httpCompression === undefined) {
    resolved.httpCompression = { threshold: 1024 };
  } else if (opts.httpCompression === true) {
    // as engine.io: `true` carries no threshold, so every response is compressed
    resolved.httpCompression = {};
  }
  if (opts.cookie) {
    resolved.cookie = {
      name: "io",
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      ...(typeof opts.cookie === "object" ? opts.cookie : {}),
    };
  } else {
    delete resolved.cookie;
  }
  if (opts.perMessageDeflate) {
    resolved.perMessageDeflate = {
      threshold: 1024,
      ...(typeof opts.perMessageDeflate === "object" ? opts.perMessageDeflate : {}),
    };
  }
  return resolved;
}
