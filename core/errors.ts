/**
 * The one registry of socketkit's errors. Each entry (`errorRegistry`) holds the `SIO_ERR_*`
 * code of the errors built from it (programs read the code), its message template (humans read
 * the message) and, when it is answered on the wire, its wire status: the HTTP status of a
 * refused request or upgrade, the Engine.IO wire code (0-5, as engine.io answers them), the
 * WebSocket close code. Several entries may share one code: the socket.io-parser, engine.io and
 * koa-socket-2 messages socketkit reproduces word for word are one entry each.
 *
 * A template names its placeholders in braces (`unknown packet type {type}`); `createError()`
 * and `errorMessage()` fill them, and their types make a missing parameter a compile error.
 */

/** Engine.IO request error codes, as sent on the wire in `{code, message}`. */
export const EngineErrorCode = {
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** socketkit's own error codes, with what each means (the message of a bare `SocketkitError`). */
export const errorCodes = {
  // options
  SIO_ERR_INVALID_OPTION: "invalid option value",
  // parser (Socket.IO v5)
  SIO_ERR_INVALID_PACKET: "invalid packet",
  SIO_ERR_INVALID_PAYLOAD: "invalid payload",
  SIO_ERR_TOO_MANY_ATTACHMENTS: "too many binary attachments",
  SIO_ERR_UNEXPECTED_ATTACHMENT: "got binary data when not reconstructing a packet",
  SIO_ERR_UNEXPECTED_PLAINTEXT: "got plaintext data when reconstructing a packet",
  SIO_ERR_ILLEGAL_ATTACHMENTS: "illegal attachments",
  SIO_ERR_RESERVED_EVENT: "reserved event name",
  SIO_ERR_PAYLOAD_TOO_DEEP: "payload nested too deep",
  // server
  SIO_ERR_ACK_TIMEOUT: "operation has timed out",
  SIO_ERR_ACK_DISCONNECTED: "socket has been disconnected",
  // event contracts (nsp.contract)
  SIO_ERR_UNKNOWN_EVENT: "event not in the contract",
  SIO_ERR_INVALID_OUTGOING: "outgoing data does not match the contract",
  SIO_ERR_TOO_MANY_VALIDATIONS: "too many events waiting for validation",
  // limits (engine)
  SIO_ERR_BUFFER_FULL: "write buffer full: the client does not read",
  SIO_ERR_TOO_MANY_FRAGMENTS: "too many fragments in one WebSocket message",
  // operations (core/ops: metrics, limits, drain)
  SIO_ERR_EVENT_RATE_LIMITED: "event dropped: too many events",
  // API misuse and internal states
  SIO_ERR_NOT_SUPPORTED: "not supported",
  SIO_ERR_NO_ADAPTER: "no adapter for this namespace",
  SIO_ERR_INVALID_ATTACH_TARGET: "not an http.Server",
  SIO_ERR_INTERNAL: "internal error",
  // engine sessions
  SIO_ERR_TRANSPORT: "transport error",
  SIO_ERR_INVALID_HEARTBEAT: "invalid heartbeat direction",
  SIO_ERR_CLIENT_BUNDLE: "the client bundle cannot be served",
  // integrations: koa (koa-socket-2's IO)
  SIO_ERR_KOA_ATTACH: "cannot attach to the Koa app",
  SIO_ERR_KOA_MIDDLEWARE: "a Koa-style middleware called next() twice",
  // engine cluster (sessions without sticky routing)
  SIO_ERR_CLUSTER_TIMEOUT: "the node owning the session did not answer in time",
  SIO_ERR_CLUSTER_UNREACHABLE: "no node owns the session's channel",
  SIO_ERR_CLUSTER_CLOSED: "the cluster driver is closed",
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** How an error is answered on the wire, when it is. */
export interface WireStatus {
  /** The HTTP status of a refused request (a handshake or a polling request). */
  readonly http?: number;
  /** The HTTP status of a refused WebSocket upgrade. */
  readonly upgrade?: number;
  /** The Engine.IO wire code of the `{code, message}` answer (0-5). */
  readonly engine?: EngineErrorCode;
  /** The WebSocket close code the connection is closed with. */
  readonly ws?: number;
}

/** One registry entry. */
export interface ErrorEntry {
  /** The code of the errors built from this entry; none for answers that only go on the wire. */
  readonly code?: ErrorCode;
  /** The message template: `{name}` is the placeholder of the parameter `name`. */
  readonly message: string;
  readonly status?: WireStatus;
}

const E = EngineErrorCode;

/** Every error socketkit throws, emits, passes to a callback or answers on the wire. */
export const errorRegistry = {
  // -- Engine.IO request errors (engine.io's `Server.errors` / `Server.errorMessages`) ----------
  UNKNOWN_TRANSPORT: {
    message: "Transport unknown",
    status: { engine: E.UNKNOWN_TRANSPORT, http: 400, upgrade: 400 },
  },
  UNKNOWN_SID: {
    message: "Session ID unknown",
    status: { engine: E.UNKNOWN_SID, http: 400, upgrade: 400 },
  },
  BAD_HANDSHAKE_METHOD: {
    message: "Bad handshake method",
    status: { engine: E.BAD_HANDSHAKE_METHOD, http: 400, upgrade: 400 },
  },
  BAD_REQUEST: {
    message: "Bad request",
    status: { engine: E.BAD_REQUEST, http: 400, upgrade: 400 },
  },
  FORBIDDEN: {
    message: "Forbidden",
    status: { engine: E.FORBIDDEN, http: 403, upgrade: 400 },
  },
  UNSUPPORTED_PROTOCOL_VERSION: {
    message: "Unsupported protocol version",
    status: { engine: E.UNSUPPORTED_PROTOCOL_VERSION, http: 400, upgrade: 400 },
  },
  // -- handshake refusals of the admission seam (core/ops), answered as Forbidden -------------
  DRAINING: {
    message: "Server is draining",
    status: { engine: E.FORBIDDEN, http: 503, upgrade: 503 },
  },
  TOO_MANY_CONNECTIONS: {
    message: "Too many connections from this address (max {max})",
    status: { engine: E.FORBIDDEN, http: 429, upgrade: 429 },
  },
  HANDSHAKE_RATE: {
    message: "Too many handshakes from this address (max {rate} per second)",
    status: { engine: E.FORBIDDEN, http: 429, upgrade: 429 },
  },
  // -- options ----------------------------------------------------------------------------------
  INVALID_OPTION: {
    code: "SIO_ERR_INVALID_OPTION",
    message: 'invalid option "{name}": expected {expected}, got {value}',
  },
  DECODER_REVIVER: { code: "SIO_ERR_INVALID_OPTION", message: "reviver must be a function" },
  DECODER_MAX_ATTACHMENTS: {
    code: "SIO_ERR_INVALID_OPTION",
    message: "maxAttachments must be a non-negative integer, got {value}",
  },
  DECODER_MAX_DEPTH: {
    code: "SIO_ERR_INVALID_OPTION",
    message: "maxDepth must be a positive integer, got {value}",
  },
  METRICS_DISABLED: {
    code: "SIO_ERR_INVALID_OPTION",
    message:
      '{integration}: the counters are off and this provider cannot turn them on (create the Server with the option "metrics: true")',
  },
  // -- parser (socket.io-parser's messages) -----------------------------------------------------
  UNKNOWN_CHUNK: { code: "SIO_ERR_INVALID_PACKET", message: "Unknown type: {chunk}" },
  UNKNOWN_PACKET_TYPE: { code: "SIO_ERR_INVALID_PACKET", message: "unknown packet type {type}" },
  INVALID_ACK_ID: { code: "SIO_ERR_INVALID_PACKET", message: "invalid ack id" },
  INVALID_PAYLOAD: { code: "SIO_ERR_INVALID_PAYLOAD", message: "invalid payload" },
  TOO_MANY_ATTACHMENTS: { code: "SIO_ERR_TOO_MANY_ATTACHMENTS", message: "too many attachments" },
  UNEXPECTED_ATTACHMENT: {
    code: "SIO_ERR_UNEXPECTED_ATTACHMENT",
    message: "got binary data when not reconstructing a packet",
  },
  UNEXPECTED_PLAINTEXT: {
    code: "SIO_ERR_UNEXPECTED_PLAINTEXT",
    message: "got plaintext data when reconstructing a packet",
  },
  ILLEGAL_ATTACHMENT_COUNT: { code: "SIO_ERR_ILLEGAL_ATTACHMENTS", message: "Illegal attachments" },
  ILLEGAL_PLACEHOLDER: { code: "SIO_ERR_ILLEGAL_ATTACHMENTS", message: "illegal attachments" },
  RESERVED_EVENT_RECEIVED: { code: "SIO_ERR_RESERVED_EVENT", message: "invalid payload" },
  PAYLOAD_TOO_DEEP: { code: "SIO_ERR_PAYLOAD_TOO_DEEP", message: "payload nested too deep" },
  // -- server -----------------------------------------------------------------------------------
  RESERVED_EVENT: { code: "SIO_ERR_RESERVED_EVENT", message: '"{event}" is a reserved event name' },
  PAYLOAD_TOO_DEEP_TO_ENCODE: {
    code: "SIO_ERR_PAYLOAD_TOO_DEEP",
    message: "payload nested too deep to encode (or circular)",
  },
  ACK_TIMEOUT: { code: "SIO_ERR_ACK_TIMEOUT", message: "operation has timed out" },
  ACK_DISCONNECTED: { code: "SIO_ERR_ACK_DISCONNECTED", message: "socket has been disconnected" },
  PARENT_FETCH_SOCKETS: {
    code: "SIO_ERR_NOT_SUPPORTED",
    message: "fetchSockets() is not supported on parent namespaces",
  },
  NO_ADAPTER: {
    code: "SIO_ERR_NO_ADAPTER",
    message:
      "No adapter for this namespace, are you trying to get the list of clients of a dynamic namespace?",
  },
  INVALID_ATTACH_TARGET: {
    code: "SIO_ERR_INVALID_ATTACH_TARGET",
    message:
      "You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.",
  },
  // -- event contracts (core/server/contract*.ts) ----------------------------------------------
  CONTRACT_DEFINITION: { code: "SIO_ERR_INVALID_OPTION", message: "invalid contract: {detail}" },
  CONTRACT_INVALID_EVENT: {
    code: "SIO_ERR_INVALID_PAYLOAD",
    message: 'invalid arguments for event "{event}": {summary}',
  },
  CONTRACT_INVALID_ACK: {
    code: "SIO_ERR_INVALID_PAYLOAD",
    message: 'invalid acknowledgement of event "{event}": {summary}',
  },
  CONTRACT_UNKNOWN_EVENT: {
    code: "SIO_ERR_UNKNOWN_EVENT",
    message: 'event "{event}" is not in the contract',
  },
  CONTRACT_UNKNOWN_OUTGOING: {
    code: "SIO_ERR_UNKNOWN_EVENT",
    message: 'event "{event}" is not in the contract (strict): not emitted',
  },
  CONTRACT_PENDING_LIMIT: {
    code: "SIO_ERR_TOO_MANY_VALIDATIONS",
    message: 'event "{event}" refused: {max} events of this socket already wait for validation',
  },
  CONTRACT_INVALID_OUTGOING: {
    code: "SIO_ERR_INVALID_OUTGOING",
    message: 'invalid arguments emitted for event "{event}": {summary}',
  },
  CONTRACT_INVALID_OUTGOING_ACK: {
    code: "SIO_ERR_INVALID_OUTGOING",
    message: 'invalid acknowledgement sent for event "{event}": {summary}',
  },
  CONTRACT_ASYNC_OUTGOING: {
    code: "SIO_ERR_NOT_SUPPORTED",
    message: 'the schemas of "{event}" are asynchronous: outgoing data is checked synchronously',
  },
  // -- limits -----------------------------------------------------------------------------------
  BUFFER_FULL: {
    code: "SIO_ERR_BUFFER_FULL",
    message: "write buffer full ({packets} packets, {bytes} bytes): the client does not read",
  },
  TOO_MANY_FRAGMENTS: {
    code: "SIO_ERR_TOO_MANY_FRAGMENTS",
    message: "too many fragments in one WebSocket message",
    status: { ws: 1008 },
  },
  BODY_TOO_LARGE: {
    message: "request body larger than maxHttpBufferSize",
    status: { http: 413 },
  },
  EVENT_RATE_LIMITED: {
    code: "SIO_ERR_EVENT_RATE_LIMITED",
    message: 'event "{event}" dropped: more than {rate} events per second',
  },
  // -- engine sessions and transports (engine.io's transport error messages) -------------------
  INVALID_HEARTBEAT: { code: "SIO_ERR_INVALID_HEARTBEAT", message: "invalid heartbeat direction" },
  POLL_OVERLAP: {
    code: "SIO_ERR_TRANSPORT",
    message: "overlap from client",
    status: { http: 400 },
  },
  DATA_OVERLAP: {
    code: "SIO_ERR_TRANSPORT",
    message: "data request overlap from client",
    status: { http: 400 },
  },
  INVALID_CONTENT: { code: "SIO_ERR_TRANSPORT", message: "invalid content", status: { http: 400 } },
  POLL_CLOSED: { code: "SIO_ERR_TRANSPORT", message: "poll connection closed prematurely" },
  DATA_CLOSED: { code: "SIO_ERR_TRANSPORT", message: "data request connection closed prematurely" },
  WRITE_ERROR: { code: "SIO_ERR_TRANSPORT", message: "write error" },
  WEBSOCKET_ERROR: { code: "SIO_ERR_TRANSPORT", message: "{error}" },
  RELAY_NOT_OPEN: { code: "SIO_ERR_TRANSPORT", message: "the relayed WebSocket is not open" },
  WEBSOCKET_NOT_OPEN: { code: "SIO_ERR_TRANSPORT", message: "the WebSocket is not open" },
  WEBSOCKET_TOO_BIG: { code: "SIO_ERR_TRANSPORT", message: "Max payload size exceeded" },
  WEBSOCKET_BACKPRESSURE: {
    code: "SIO_ERR_TRANSPORT",
    message: "message dropped by uWebSockets.js: maxBackpressure exceeded",
  },
  // -- API misuse and internal states -----------------------------------------------------------
  NOT_A_CLUSTER_WORKER: {
    code: "SIO_ERR_NOT_SUPPORTED",
    message: "NodeClusterDriver runs in a worker of node:cluster",
  },
  V2_BROADCAST_CALLBACK: {
    code: "SIO_ERR_NOT_SUPPORTED",
    message: "Callbacks are not supported when broadcasting",
  },
  PENDING_DECODE: {
    code: "SIO_ERR_INTERNAL",
    message: "decodeText on a decoder with a pending packet",
  },
  NO_WEBSOCKET: { code: "SIO_ERR_INTERNAL", message: "no WebSocket for the websocket transport" },
  CLIENT_BUNDLE_VERSION: {
    code: "SIO_ERR_CLIENT_BUNDLE",
    message: "no version in {dir}/package.json",
  },
  CLIENT_BUNDLE_UNREADABLE: { code: "SIO_ERR_CLIENT_BUNDLE", message: "{error}" },
  // -- integrations: koa (koa-socket-2's messages) ---------------------------------------------
  KOA_SERVER_NOT_HTTP: {
    code: "SIO_ERR_KOA_ATTACH",
    message: "app.server already exists but it's not an http server",
  },
  KOA_ALREADY_ATTACHED: {
    code: "SIO_ERR_KOA_ATTACH",
    message: "Socket failed to initialise::Instance may already exist",
  },
  KOA_HIDDEN_DEFAULT: {
    code: "SIO_ERR_KOA_ATTACH",
    message: "Default namespace can not be hidden",
  },
  KOA_NAMESPACE_ATTACHED: {
    code: "SIO_ERR_KOA_ATTACH",
    message: "Namespace {namespace} already attached to koa instance",
  },
  KOA_NOT_ATTACHED: {
    code: "SIO_ERR_KOA_ATTACH",
    message: "attach() the instance before {action}",
  },
  KOA_NEXT_TWICE: { code: "SIO_ERR_KOA_MIDDLEWARE", message: "next() called multiple times" },
  // -- engine cluster ---------------------------------------------------------------------------
  CLUSTER_TIMEOUT: {
    code: "SIO_ERR_CLUSTER_TIMEOUT",
    message: "the node owning the session did not answer in time",
  },
  CLUSTER_UNREACHABLE: {
    code: "SIO_ERR_CLUSTER_UNREACHABLE",
    message: "no node owns the session's channel",
  },
  CLUSTER_CLOSED: { code: "SIO_ERR_CLUSTER_CLOSED", message: "the cluster driver is closed" },
} as const satisfies Readonly<Record<string, ErrorEntry>>;

type Registry = typeof errorRegistry;
/** The name of a registry entry. */
export type ErrorName = keyof Registry;
/** The entries errors are built from (those with a code). */
export type CodedErrorName = {
  [N in ErrorName]: Registry[N] extends { code: ErrorCode } ? N : never;
}[ErrorName];

/** The placeholders of a template: `"a {x} b {y}"` -> `"x" | "y"`. */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

/** The parameters of an entry: one per placeholder of its template. */
export type ErrorParams<N extends ErrorName> = {
  readonly [K in Placeholders<Registry[N]["message"]>]: unknown;
};

/** What follows the entry name: its parameters (required when the template has placeholders). */
export type ErrorArgs<N extends ErrorName, Rest extends unknown[] = []> = [
  Placeholders<Registry[N]["message"]>,
] extends [never]
  ? [params?: undefined, ...rest: Rest]
  : [params: ErrorParams<N>, ...rest: Rest];

const PLACEHOLDER = /\{(\w+)\}/g;

function fill(template: string, params: Readonly<Record<string, unknown>> | undefined): string {
  if (params === undefined) return template;
  return template.replace(PLACEHOLDER, (_, name: string) => String(params[name]));
}

/** The message of an entry, its template filled with `params` (for answers on the wire). */
export function errorMessage<N extends ErrorName>(name: N, ...args: ErrorArgs<N>): string {
  return fill(errorRegistry[name].message, args[0] as Record<string, unknown> | undefined);
}

/** An error with a stable `code` for programs and a `message` for humans. */
export class SocketkitError extends Error {
  readonly code: ErrorCode;
  /**
   * Prefer {@link createError}, which takes the message from the registry. Without a message,
   * the code's meaning (`errorCodes`) is the message.
   */
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? errorCodes[code], options);
    this.name = "SocketkitError";
    this.code = code;
  }
}

/**
 * Builds the error of a registry entry: its code, its template filled with `params`, and an
 * optional cause.
 *
 * @example
 * throw createError("UNKNOWN_PACKET_TYPE", { type: 7 }); // SIO_ERR_INVALID_PACKET
 * throw createError("ACK_TIMEOUT"); // "operation has timed out"
 */
export function createError<N extends CodedErrorName>(
  name: N,
  ...args: ErrorArgs<N, [options?: { cause?: unknown }]>
): SocketkitError {
  const entry: ErrorEntry = errorRegistry[name];
  const message = fill(entry.message, args[0] as Record<string, unknown> | undefined);
  return new SocketkitError(entry.code as ErrorCode, message, args[1]);
}

/** The registry entry of each Engine.IO wire code. */
const ENGINE_ENTRIES: Readonly<Record<EngineErrorCode, ErrorEntry>> = {
  0: errorRegistry.UNKNOWN_TRANSPORT,
  1: errorRegistry.UNKNOWN_SID,
  2: errorRegistry.BAD_HANDSHAKE_METHOD,
  3: errorRegistry.BAD_REQUEST,
  4: errorRegistry.FORBIDDEN,
  5: errorRegistry.UNSUPPORTED_PROTOCOL_VERSION,
};

/** The wire status of an Engine.IO request error (HTTP status of a request and of an upgrade). */
export function engineErrorStatus(code: EngineErrorCode): { http: number; upgrade: number } {
  return ENGINE_ENTRIES[code].status as { http: number; upgrade: number };
}

/** Engine.IO request error messages, indexed by code (engine.io's `Server.errorMessages`). */
export const engineErrorMessages: Readonly<Record<EngineErrorCode, string>> = {
  0: ENGINE_ENTRIES[0].message,
  1: ENGINE_ENTRIES[1].message,
  2: ENGINE_ENTRIES[2].message,
  3: ENGINE_ENTRIES[3].message,
  4: ENGINE_ENTRIES[4].message,
  5: ENGINE_ENTRIES[5].message,
};
