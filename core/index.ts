/**
 * socketkit: the public barrel. Names follow socket.io (and engine.io for the engine server), so
 * `import { Server } from "socketkit"` replaces `import { Server } from "socket.io"`.
 */
import { Server } from "./server/server";

export { Server, type BindableEngine } from "./server/server";
export type { NamespaceCheck } from "./server/dynamic-namespaces";
export type { IoFrom } from "./server/io-from";
export {
  Namespace,
  RESERVED_EVENTS,
  type ExtendedError,
  type NamespaceReservedEventsMap,
  type ServerReservedEventsMap,
} from "./server/namespace";
export { ParentNamespace } from "./server/parent-namespace";
export { Socket } from "./server/socket";
export type { Event, SocketReservedEventsMap } from "./server/socket-events";
export { SocketOperator } from "./server/socket-operator";
export { Client } from "./server/client";
export {
  defineContract,
  type ContractDefinition,
  type ContractOptions,
  type ContractEmitEvents,
  type ContractListenEvents,
  type ClientToServerEventsOf,
  type ServerToClientEventsOf,
  type EventSchemas,
  type EventSchemasMap,
  type SchemaInputs,
  type SchemaOutputs,
} from "./server/contract";
export {
  ContractError,
  UNKNOWN_EVENT_LABEL,
  type ContractErrorAnswer,
  type ContractIssue,
} from "./server/contract-gate";
export { toAsyncAPI, type AsyncAPIOptions } from "./server/asyncapi";
export type * from "./server/standard-schema";
export {
  BroadcastOperator,
  RemoteSocket,
  type BroadcastAdapter,
  type SocketDetails,
} from "./server/broadcast-operator";
export type {
  ServerOptions,
  AdapterConstructor,
  ConnectionStateRecoveryOptions,
} from "./server/options";
export type * from "./server/typed-events";
export { Adapter, SessionAwareAdapter } from "./adapter/index";
export type { AdapterEvents } from "./adapter/index";
export * as parser from "./parser/index";
export { EngineServer, computePath, type AttachOptions } from "./http/engine-server";
export { uServer, type UwsAttachOptions } from "./http/uws/engine";
export type { UwsApp } from "./http/uws/types";
export { endUnansweredUpgrade, type RequestTaker, type UpgradeTaker } from "./http/host";
/** @internal shared by the integrations (kept out of the published types) */
export { mirrorSession } from "./http/mirror-session";
export {
  EngineBaseServer,
  type EngineServerOptions,
  type EngineMiddleware,
  type EngineConnectionError,
  type EngineServerEvents,
  type TransportName,
} from "./engine/server";
export { EngineSocket, type EngineSocketEvents, type SendOptions } from "./engine/socket";
export type { EngineTransport } from "./engine/transports/transport";
export type { EnginePacket, EngineData } from "./engine/protocol";
export type {
  EngineHandler,
  EngineOriginGate,
  WebSocketLike,
  WebSocketServerLike,
} from "./engine/ports";
export { createOriginGate, type OriginGateOptions } from "./ops/origin-gate";
export { EngineClusterRouter, type EngineClusterStats } from "./engine/cluster/router";
export { PubSubDriver } from "./engine/cluster/pub-sub-driver";
export type {
  ClusterDriver,
  ClusterHandler,
  ClusterReply,
  EngineClusterOptions,
} from "./engine/cluster/driver";
export {
  EngineErrorCode,
  engineErrorMessages,
  SocketkitError,
  createError,
  errorCodes,
  errorMessage,
  errorRegistry,
} from "./errors";
export type {
  CodedErrorName,
  ErrorArgs,
  ErrorCode,
  ErrorEntry,
  ErrorName,
  ErrorParams,
  WireStatus,
} from "./errors";
export type * from "./types";
export type { MetricsSnapshot, LimitCounters } from "./ops/metrics";
export { METRIC_CATALOGUE, countingSnapshot } from "./ops/metric-catalogue";
export type { MetricDefinition, MetricKind, MetricsProvider } from "./ops/metric-catalogue";
export type { DrainOptions, DrainResult } from "./ops/drain";
export type { EventRateLimitOptions } from "./ops/event-limit";
export type { OperationsOptions } from "./ops/operations";

/**
 * The CommonJS export is callable, as socket.io 4.8's: `require("socketkit")(srv, opts)` builds a
 * Server. It is an arrow function (so `new require("socketkit")()` throws, as with socket.io)
 * carrying every export above as its own property. Node's CommonJS lexer has already read the
 * names from the `exports.X` definitions above, so ES modules keep their named imports (read from
 * this function) and the published types stay those of the exports above.
 */
module.exports = Object.assign(
  (
    srv?: ConstructorParameters<typeof Server>[0],
    opts?: ConstructorParameters<typeof Server>[1],
  ): Server => new Server(srv, opts),
  module.exports,
);
