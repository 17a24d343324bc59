/**
 * socketkit/v2: the socket.io 2.x server API over socketkit's v4 core, for applications moving
 * from socket.io 2.x by changing their import:
 *
 * ```js
 * - var io = require("socket.io")(httpServer);
 * + var io = require("socketkit/v2")(httpServer);
 * ```
 *
 * As `require("socket.io")` was in 2.x, the module is the Server itself, callable with or
 * without `new`: `require("socketkit/v2")(3000)`, `new (require("socketkit/v2"))(httpServer)`.
 * TypeScript and ES modules: `import { Server } from "socketkit/v2"` (or the default import).
 */
import { Server as ServerClass, type AttachTarget, type ServerOptions } from "./server";
import { Namespace } from "./namespace";
import { Socket } from "./socket";
import { Client } from "../../core/index";

/** The 2.x `Server`, callable with or without `new`. */
export interface ServerFactory {
  new (srv?: AttachTarget | ServerOptions, opts?: ServerOptions): ServerClass;
  (srv?: AttachTarget | ServerOptions, opts?: ServerOptions): ServerClass;
  readonly prototype: ServerClass;
}

const createServer = function Server(
  srv?: AttachTarget | ServerOptions,
  opts?: ServerOptions,
): ServerClass {
  // with or without `new`: returning an object from a constructor makes it the result
  return new ServerClass(srv, opts);
} as unknown as ServerFactory;
// `io instanceof Server` holds
(createServer as unknown as { prototype: object }).prototype = ServerClass.prototype;

export { createServer as Server, Namespace, Socket, Client };
export type { AttachTarget, ServerOptions };
/** A 2.x server (the type of `new Server()`). */
export type Server = ServerClass;
export type { ConnectionMiddleware } from "./namespace";
export type { PacketMiddleware } from "./socket";
export type { ClientsCallback, EmitFlags, Modifiers } from "./operator";
export type { Origins, OriginsFunction } from "./origins";
export default createServer;

// CommonJS: `require("socketkit/v2")` is the Server itself (as `require("socket.io")` was in
// 2.x), carrying the named exports as properties
const named = { Server: createServer, Namespace, Socket, Client, default: createServer };
Object.assign(createServer, named);
Object.defineProperty(createServer, "__esModule", { value: true });
module.exports = createServer;
