/**
 * socketkit/nestjs: a NestJS WebSocketAdapter over socketkit's Server (a drop-in for IoAdapter
 * from @nestjs/platform-socket.io) and a module providing the Server for injection. Gateways keep
 * @nestjs/websockets' own decorators.
 */
export {
  SocketkitAdapter,
  type SocketkitAdapterOptions,
  type SocketkitGatewayOptions,
} from "./adapter";
export {
  SocketkitModule,
  SOCKETKIT_MODULE_OPTIONS,
  type SocketkitModuleOptions,
  type SocketkitModuleAsyncOptions,
} from "./module";
