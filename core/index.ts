/**
 * socketkit: the public barrel. Names follow socket.io (and engine.io for the engine server).
 */
export { EngineServer, computePath, type AttachOptions } from "./http/engine-server";
export {
  EngineBaseServer,
  type EngineServerOptions,
  type EngineMiddleware,
  type EngineConnectionError,
  type TransportName,
} from "./engine/server";
export { EngineSocket, type SendOptions } from "./engine/socket";
export type { EngineTransport } from "./engine/transports/transport";
export type { EnginePacket, EngineData } from "./engine/protocol";
export type { EngineHandler, WebSocketLike, WebSocketServerLike } from "./engine/ports";
export { EngineErrorCode, engineErrorMessages, SocketkitError, errorCodes } from "./errors";
export type * from "./types";
