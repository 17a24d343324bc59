/**
 * The one registry of socketkit's errors: `SIO_ERR_*` codes for programs, messages for humans,
 * and the Engine.IO wire error table (codes 0-5, as engine.io answers them).
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

/** Engine.IO request error messages, indexed by code (engine.io's `Server.errorMessages`). */
export const engineErrorMessages: Readonly<Record<EngineErrorCode, string>> = {
  0: "Transport unknown",
  1: "Session ID unknown",
  2: "Bad handshake method",
  3: "Bad request",
  4: "Forbidden",
  5: "Unsupported protocol version",
};

/** socketkit's own error codes. */
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
  // engine cluster (sessions without sticky routing)
  SIO_ERR_CLUSTER_TIMEOUT: "the node owning the session did not answer in time",
  SIO_ERR_CLUSTER_UNREACHABLE: "no node owns the session's channel",
  SIO_ERR_CLUSTER_CLOSED: "the cluster driver is closed",
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** An error with a stable `code` for programs and a `message` for humans. */
export class SocketkitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? errorCodes[code], options);
    this.name = "SocketkitError";
    this.code = code;
  }
}
