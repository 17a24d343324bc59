/**
 * Metrics: the counters the engine and the Socket.IO layer increment (plain integer fields of
 * one object, nothing allocated per packet), and the snapshot `io.metrics()` returns, which
 * adds the gauges read from the live state when it is taken (connections, pending acks,
 * buffered bytes). The Prometheus and OpenTelemetry exporters read the same snapshot.
 */
import type { EngineCounters } from "../engine/ports";

/** The limits and refusals counted in `limits` (one field per limit, see core/ops/limits.ts). */
export interface LimitCounters {
  /** Handshakes refused by `maxConnectionsPerAddress`. */
  connectionsPerAddress: number;
  /** Handshakes refused by `maxHandshakesPerSecond`. */
  handshakeRate: number;
  /** Events dropped or sockets disconnected by `eventRateLimit`. */
  eventRate: number;
  /** Handshakes refused while draining (`io.drain()`). */
  draining: number;
}

/** Every limit counter at zero: a recorder's start, and the snapshot with the counters off. */
function zeroLimits(): LimitCounters {
  return { connectionsPerAddress: 0, handshakeRate: 0, eventRate: 0, draining: 0 };
}

export type LimitName = keyof LimitCounters;

/** The counters of one server, updated in place by the seams that own them. */
export class MetricsRecorder implements EngineCounters {
  handshakes = 0;
  upgrades = 0;
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  parseErrors = 0;
  refused: Record<string, number> = {};
  /** Socket.IO disconnections by reason. */
  disconnects: Record<string, number> = {};
  ackTimeouts = 0;
  /**
   * Incoming events refused by an event contract, by event: a contract's event names, and one
   * "(unknown)" bucket for the rest (the labels are bounded by the contracts).
   */
  invalidEvents: Record<string, number> = {};
  broadcasts = 0;
  broadcastRecipients = 0;
  readonly limits: LimitCounters = zeroLimits();
  /** The encoded packet of the last broadcast delivery (the same array for all recipients). */
  #lastBroadcast: unknown = null;

  /** A socket disconnected from its namespace. */
  disconnected(reason: string): void {
    this.disconnects[reason] = (this.disconnects[reason] ?? 0) + 1;
  }

  /**
   * An adapter wrote an already-encoded packet to one client: a broadcast reaching one more
   * recipient. Adapters encode a broadcast once and hand the same array to every recipient, so
   * a new array is a new broadcast.
   */
  delivered(encoded: unknown): void {
    if (encoded !== this.#lastBroadcast) {
      this.#lastBroadcast = encoded;
      this.broadcasts++;
    }
    this.broadcastRecipients++;
  }
}

/** What a snapshot reads of an engine session (an `EngineSocket`). */
export interface MetricsSession {
  readonly transport: { readonly name: string };
  /** Bytes waiting for the client (the figure `maxBufferedBytes` bounds). */
  readonly bufferedAmount: number;
}

/** What a snapshot reads of a namespace and its sockets. */
export interface MetricsNamespace {
  readonly name: string;
  readonly sockets: ReadonlyMap<string, { readonly pendingAcks: number }>;
}

/** What a snapshot reads of the server. */
export interface MetricsSource {
  readonly sessions: Iterable<MetricsSession>;
  readonly namespaces: Iterable<MetricsNamespace>;
  readonly draining: boolean;
}

/** `io.metrics()`: a plain object, safe to serialize. Counters count since the server started. */
export interface MetricsSnapshot {
  /** Whether the counters run (the `metrics` option); gauges are read in any case. */
  enabled: boolean;
  /** Open Engine.IO connections, in total and by transport. */
  connections: { total: number; byTransport: Record<string, number> };
  /** Connected Socket.IO sockets by namespace. */
  sockets: { total: number; byNamespace: Record<string, number> };
  /** Sessions opened, and requests refused by reason (wire error names and limits). */
  handshakes: { accepted: number; refused: Record<string, number> };
  /** Socket.IO disconnections by reason (socket.io's reasons). */
  disconnects: Record<string, number>;
  /** Engine.IO messages (Socket.IO packets and binary attachments). */
  packets: { in: number; out: number };
  /** Bytes of those messages (UTF-8 bytes of text, bytes of binary). */
  bytes: { in: number; out: number };
  /** Acknowledgements the server waits for, and the emits whose acknowledgements timed out. */
  acks: { pending: number; timeouts: number };
  /** Incoming events refused by an event contract (invalid, unknown with `strict`), by event. */
  invalidEvents: Record<string, number>;
  /** Broadcasts delivered on this node, and their deliveries (one per recipient). */
  broadcasts: { total: number; recipients: number };
  /**
   * Bytes waiting to be written to clients, in total and for the most behind client, as
   * `maxBufferedBytes` counts them (write buffer + transport; text counted in UTF-16 units).
   */
  buffered: { bytes: number; maxBytes: number };
  /** Completed transport upgrades (polling to WebSocket). */
  upgrades: number;
  /** Connections closed for a malformed packet (Engine.IO or Socket.IO). */
  parseErrors: number;
  /** How often each abuse limit was hit. */
  limits: LimitCounters;
  /** Whether `io.drain()` is refusing new sessions. */
  draining: boolean;
}

/** Reads the gauges from the live state and copies the counters. O(connections), no I/O. */
export function takeSnapshot(
  source: MetricsSource,
  recorder: MetricsRecorder | null,
): MetricsSnapshot {
  const byTransport: Record<string, number> = { polling: 0, websocket: 0 };
  let total = 0;
  let bufferedBytes = 0;
  let maxBytes = 0;
  for (const session of source.sessions) {
    total++;
    const name = session.transport.name;
    byTransport[name] = (byTransport[name] ?? 0) + 1;
    const bytes = session.bufferedAmount;
    bufferedBytes += bytes;
    if (bytes > maxBytes) maxBytes = bytes;
  }
  const byNamespace: Record<string, number> = {};
  let sockets = 0;
  let pending = 0;
  for (const nsp of source.namespaces) {
    byNamespace[nsp.name] = nsp.sockets.size;
    sockets += nsp.sockets.size;
    for (const socket of nsp.sockets.values()) pending += socket.pendingAcks;
  }
  const r = recorder;
  return {
    enabled: r !== null,
    connections: { total, byTransport },
    sockets: { total: sockets, byNamespace },
    handshakes: { accepted: r?.handshakes ?? 0, refused: { ...r?.refused } },
    disconnects: { ...r?.disconnects },
    packets: { in: r?.packetsIn ?? 0, out: r?.packetsOut ?? 0 },
    bytes: { in: r?.bytesIn ?? 0, out: r?.bytesOut ?? 0 },
    acks: { pending, timeouts: r?.ackTimeouts ?? 0 },
    invalidEvents: { ...r?.invalidEvents },
    broadcasts: { total: r?.broadcasts ?? 0, recipients: r?.broadcastRecipients ?? 0 },
    buffered: { bytes: bufferedBytes, maxBytes },
    upgrades: r?.upgrades ?? 0,
    parseErrors: r?.parseErrors ?? 0,
    limits: r ? { ...r.limits } : zeroLimits(),
    draining: source.draining,
  };
}
