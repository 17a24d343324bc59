/**
 * The catalogue of socketkit's exported metrics: one entry per measure of `io.metrics()`, with
 * its description, unit, kind, label and how to read it from a snapshot, and its name in each
 * exporter's conventions (Prometheus: `snake_case`, `_total` counters, `_bytes`; OpenTelemetry:
 * dotted names, units apart). socketkit/prometheus and socketkit/opentelemetry both walk it, so
 * a new measure is one entry here.
 */
import type { MetricsSnapshot } from "./metrics";

/** What an exporter needs of a server: its metrics snapshot (`io.metrics()`). */
export interface MetricsProvider {
  metrics(): MetricsSnapshot;
  /**
   * Turns the counters on, as the `metrics: true` option does at construction (a `Server` has
   * it; the exporters call it, so registering metrics is the one line an application adds).
   */
  enableMetrics?(): void;
}

/**
 * The snapshot an exporter starts from: the provider's counters turned on when they are off and
 * it can turn them on; null when they are off and cannot be (a provider without
 * `enableMetrics`): the exporter then throws METRICS_DISABLED.
 */
export function countingSnapshot(io: MetricsProvider): MetricsSnapshot | null {
  let first = io.metrics();
  if (!first.enabled && io.enableMetrics) {
    io.enableMetrics();
    first = io.metrics();
  }
  return first.enabled ? first : null;
}

/** counter: only grows; gauge: a level read when collected; updown: a level kept as a sum. */
export type MetricKind = "counter" | "gauge" | "updown";

/** One exported measure. */
export interface MetricDefinition {
  /**
   * The Prometheus name, without prefix. With a `{label}` placeholder, the measure is exported
   * as one metric per label value (e.g. `{direction}_bytes_total`), without that label, its
   * help the description with ", by <label>" read as the value ("... messages received").
   */
  readonly prometheus: string;
  /** The OpenTelemetry instrument name, without prefix. */
  readonly otel: string;
  readonly description: string;
  /** The unit, in UCUM as OpenTelemetry wants it (`By` for bytes, `{thing}` for counts). */
  readonly unit: string;
  readonly kind: MetricKind;
  /** The label (attribute) that tells the values apart, when the reading is a record. */
  readonly label?: string;
  read(s: MetricsSnapshot): number | Readonly<Record<string, number>>;
}

export const METRIC_CATALOGUE: readonly MetricDefinition[] = [
  {
    prometheus: "connections",
    otel: "connections",
    description: "Open Engine.IO connections, by transport",
    unit: "{connection}",
    kind: "updown",
    label: "transport",
    read: (s) => s.connections.byTransport,
  },
  {
    prometheus: "sockets",
    otel: "sockets",
    description: "Connected Socket.IO sockets, by namespace",
    unit: "{socket}",
    kind: "updown",
    label: "namespace",
    read: (s) => s.sockets.byNamespace,
  },
  {
    prometheus: "handshakes_total",
    otel: "handshakes",
    description: "Engine.IO sessions opened",
    unit: "{session}",
    kind: "counter",
    read: (s) => s.handshakes.accepted,
  },
  {
    prometheus: "refused_requests_total",
    otel: "refused_requests",
    description: "Engine.IO requests refused, by reason (wire error names and limits)",
    unit: "{request}",
    kind: "counter",
    label: "reason",
    read: (s) => s.handshakes.refused,
  },
  {
    prometheus: "disconnects_total",
    otel: "disconnects",
    description: "Socket.IO disconnections, by reason",
    unit: "{disconnect}",
    kind: "counter",
    label: "reason",
    read: (s) => s.disconnects,
  },
  {
    prometheus: "{direction}_packets_total",
    otel: "packets",
    description: "Engine.IO messages, by direction",
    unit: "{packet}",
    kind: "counter",
    label: "direction",
    read: (s) => ({ received: s.packets.in, sent: s.packets.out }),
  },
  {
    prometheus: "{direction}_bytes_total",
    otel: "io",
    description: "Bytes of the Engine.IO messages, by direction",
    unit: "By",
    kind: "counter",
    label: "direction",
    read: (s) => ({ received: s.bytes.in, sent: s.bytes.out }),
  },
  {
    prometheus: "pending_acks",
    otel: "acks.pending",
    description: "Acknowledgements the server waits for",
    unit: "{ack}",
    kind: "updown",
    read: (s) => s.acks.pending,
  },
  {
    prometheus: "ack_timeouts_total",
    otel: "acks.timeouts",
    description: "Acknowledgements that timed out",
    unit: "{ack}",
    kind: "counter",
    read: (s) => s.acks.timeouts,
  },
  {
    prometheus: "invalid_events_total",
    otel: "invalid_events",
    description: "Incoming events refused by an event contract, by event",
    unit: "{event}",
    kind: "counter",
    label: "event",
    read: (s) => s.invalidEvents,
  },
  {
    prometheus: "broadcasts_total",
    otel: "broadcasts",
    description: "Broadcasts delivered on this node",
    unit: "{broadcast}",
    kind: "counter",
    read: (s) => s.broadcasts.total,
  },
  {
    prometheus: "broadcast_recipients_total",
    otel: "broadcasts.recipients",
    description: "Deliveries of broadcasts (one per recipient)",
    unit: "{delivery}",
    kind: "counter",
    read: (s) => s.broadcasts.recipients,
  },
  {
    prometheus: "buffered_bytes",
    otel: "buffered",
    description: "Bytes waiting to be written to clients",
    unit: "By",
    kind: "updown",
    read: (s) => s.buffered.bytes,
  },
  {
    prometheus: "buffered_max_bytes",
    otel: "buffered.max",
    description: "Bytes waiting to be written to the most behind client",
    unit: "By",
    kind: "gauge",
    read: (s) => s.buffered.maxBytes,
  },
  {
    prometheus: "upgrades_total",
    otel: "upgrades",
    description: "Transport upgrades completed",
    unit: "{upgrade}",
    kind: "counter",
    read: (s) => s.upgrades,
  },
  {
    prometheus: "parse_errors_total",
    otel: "parse_errors",
    description: "Connections closed for a malformed packet",
    unit: "{error}",
    kind: "counter",
    read: (s) => s.parseErrors,
  },
  {
    prometheus: "limit_hits_total",
    otel: "limit_hits",
    description: "Abuse limits hit (and handshakes refused while draining), by limit",
    unit: "{hit}",
    kind: "counter",
    label: "limit",
    read: (s) => ({ ...s.limits }),
  },
  {
    prometheus: "draining",
    otel: "draining",
    description: "1 while io.drain() refuses new sessions",
    unit: "1",
    kind: "gauge",
    read: (s) => (s.draining ? 1 : 0),
  },
];
