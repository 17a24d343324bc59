/**
 * What `core/index` resolves to in the socket.io reference run (jest.reference.config.js): the
 * official servers under socketkit's names, so the same suite checks that its expectations are
 * socket.io 4.8's own.
 */
export { Server, Namespace, Socket } from "socket.io";
export { Adapter, SessionAwareAdapter } from "socket.io-adapter";
export { Server as EngineServer } from "engine.io";
