/**
 * THE one place where socketkit reads other libraries' private fields. Each read has a reason,
 * and a test (test/unit/util/private-fields.test.ts) that fails when the library changes the
 * field, so that an upgrade of node or ws breaks a test rather than a deployment.
 *
 * - Node's EventEmitter: `_events` (the listener table: event -> listener or array of
 *   listeners), `_eventsCount` and `_maxListeners`. `LazyEventEmitter` (event-emitter.ts) leaves
 *   the table out until the first listener and checks it before collecting `emit`'s arguments.
 *   Node's own methods accept a missing table (they create it), which the test checks too.
 * - ws's WebSocket: `_socket`, the TCP socket the upgrade came on, read once per WebSocket
 *   session for its remote address (as engine.io does: a custom `wsEngine` may hand a request
 *   whose own socket is not the WebSocket's).
 */
import type { EventEmitter } from "node:events";

/** The fields of a node EventEmitter that node keeps private. */
export interface EmitterFields {
  _events: Record<string | symbol, unknown> | undefined;
  _eventsCount: number;
  _maxListeners: number | undefined;
}

/** A typed view of `emitter`'s private fields (the same object: no copy). */
export function emitterFields(emitter: EventEmitter | EmitterFields): EmitterFields {
  return emitter as unknown as EmitterFields;
}

/** `emitter`'s listener table (undefined while a lazy emitter has none). */
export function listenerTable(emitter: EventEmitter): Record<string | symbol, unknown> | undefined {
  return (emitter as unknown as EmitterFields)._events;
}

/** The remote address of the TCP socket under a ws WebSocket (undefined when it has none). */
export function webSocketRemoteAddress(ws: unknown): string | undefined {
  if (ws === null || typeof ws !== "object") return undefined;
  const tcp = (ws as { _socket?: { remoteAddress?: string } | null })._socket;
  return tcp?.remoteAddress;
}
