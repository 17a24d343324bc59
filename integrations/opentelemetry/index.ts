/**
 * socketkit/opentelemetry: io.metrics() as OpenTelemetry metrics, through @opentelemetry/api
 * (an optional peer dependency). Observable instruments over the same snapshot as the
 * Prometheus collector: one batch callback takes one snapshot per collection, so the server
 * pays nothing between collections. The SDK and exporter are the application's.
 *
 * @example
 * import { metrics } from "@opentelemetry/api";
 * import { instrumentMetrics } from "socketkit/opentelemetry";
 *
 * const io = new Server(httpServer, { metrics: true });
 * instrumentMetrics(io, { meter: metrics.getMeter("chat") });
 */
import {
  metrics as otelMetrics,
  ValueType,
  type BatchObservableResult,
  type Meter,
  type Observable,
} from "@opentelemetry/api";
import { createError, type MetricsSnapshot } from "../../core/index";

/** What the instruments need of a server: its metrics snapshot. */
export interface MetricsProvider {
  metrics(): MetricsSnapshot;
}

export interface OpenTelemetryOptions {
  /** The meter (the global meter provider's meter "socketkit"). */
  meter?: Meter;
  /** The prefix of every instrument name ("socketkit."). */
  prefix?: string;
  /** Attributes added to every observation (say, `{ "service.instance.id": "a" }`). */
  attributes?: Record<string, string>;
}

type Kind = "counter" | "updown" | "gauge";

interface Definition {
  name: string;
  description: string;
  unit: string;
  kind: Kind;
  /** The attribute that tells the values apart, when the reading is a record. */
  attribute?: string;
  read(s: MetricsSnapshot): number | Record<string, number>;
}

const DEFINITIONS: readonly Definition[] = [
  {
    name: "connections",
    description: "Open Engine.IO connections, by transport",
    unit: "{connection}",
    kind: "updown",
    attribute: "transport",
    read: (s) => s.connections.byTransport,
  },
  {
    name: "sockets",
    description: "Connected Socket.IO sockets, by namespace",
    unit: "{socket}",
    kind: "updown",
    attribute: "namespace",
    read: (s) => s.sockets.byNamespace,
  },
  {
    name: "handshakes",
    description: "Engine.IO sessions opened",
    unit: "{session}",
    kind: "counter",
    read: (s) => s.handshakes.accepted,
  },
  {
    name: "refused_requests",
    description: "Engine.IO requests refused, by reason",
    unit: "{request}",
    kind: "counter",
    attribute: "reason",
    read: (s) => s.handshakes.refused,
  },
  {
    name: "disconnects",
    description: "Socket.IO disconnections, by reason",
    unit: "{disconnect}",
    kind: "counter",
    attribute: "reason",
    read: (s) => s.disconnects,
  },
  {
    name: "packets",
    description: "Engine.IO messages, by direction",
    unit: "{packet}",
    kind: "counter",
    attribute: "direction",
    read: (s) => ({ received: s.packets.in, sent: s.packets.out }),
  },
  {
    name: "io",
    description: "Bytes of the Engine.IO messages, by direction",
    unit: "By",
    kind: "counter",
    attribute: "direction",
    read: (s) => ({ received: s.bytes.in, sent: s.bytes.out }),
  },
  {
    name: "acks.pending",
    description: "Acknowledgements the server waits for",
    unit: "{ack}",
    kind: "updown",
    read: (s) => s.acks.pending,
  },
  {
    name: "acks.timeouts",
    description: "Acknowledgements that timed out",
    unit: "{ack}",
    kind: "counter",
    read: (s) => s.acks.timeouts,
  },
  {
    name: "broadcasts",
    description: "Broadcasts delivered on this node",
    unit: "{broadcast}",
    kind: "counter",
    read: (s) => s.broadcasts.total,
  },
  {
    name: "broadcasts.recipients",
    description: "Deliveries of broadcasts (one per recipient)",
    unit: "{delivery}",
    kind: "counter",
    read: (s) => s.broadcasts.recipients,
  },
  {
    name: "buffered",
    description: "Bytes waiting to be written to clients",
    unit: "By",
    kind: "updown",
    read: (s) => s.buffered.bytes,
  },
  {
    name: "buffered.max",
    description: "Bytes waiting to be written to the most behind client",
    unit: "By",
    kind: "gauge",
    read: (s) => s.buffered.maxBytes,
  },
  {
    name: "upgrades",
    description: "Transport upgrades completed",
    unit: "{upgrade}",
    kind: "counter",
    read: (s) => s.upgrades,
  },
  {
    name: "parse_errors",
    description: "Connections closed for a malformed packet",
    unit: "{error}",
    kind: "counter",
    read: (s) => s.parseErrors,
  },
  {
    name: "limit_hits",
    description: "Abuse limits hit (and handshakes refused while draining), by limit",
    unit: "{hit}",
    kind: "counter",
    attribute: "limit",
    read: (s) => ({ ...s.limits }),
  },
  {
    name: "draining",
    description: "1 while io.drain() refuses new sessions",
    unit: "1",
    kind: "gauge",
    read: (s) => (s.draining ? 1 : 0),
  },
];

/** What `instrumentMetrics` returns: the instrument names, and how to stop observing. */
export interface Instrumentation {
  readonly names: readonly string[];
  remove(): void;
}

/**
 * Creates socketkit's observable instruments on a meter. The server needs `metrics: true`.
 */
export function instrumentMetrics(
  io: MetricsProvider,
  opts: OpenTelemetryOptions = {},
): Instrumentation {
  if (!io.metrics().enabled) {
    throw createError("METRICS_DISABLED", { integration: "socketkit/opentelemetry" });
  }
  const meter = opts.meter ?? otelMetrics.getMeter("socketkit");
  const prefix = opts.prefix ?? "socketkit.";
  const base = opts.attributes ?? {};
  const instruments: { def: Definition; observable: Observable }[] = [];
  for (const def of DEFINITIONS) {
    const options = { description: def.description, unit: def.unit, valueType: ValueType.INT };
    const name = prefix + def.name;
    const observable =
      def.kind === "counter"
        ? meter.createObservableCounter(name, options)
        : def.kind === "updown"
          ? meter.createObservableUpDownCounter(name, options)
          : meter.createObservableGauge(name, options);
    instruments.push({ def, observable });
  }
  const callback = (result: BatchObservableResult): void => {
    const snapshot = io.metrics();
    for (const { def, observable } of instruments) {
      const value = def.read(snapshot);
      if (typeof value === "number") {
        result.observe(observable, value, base);
      } else {
        for (const [key, n] of Object.entries(value)) {
          result.observe(observable, n, { ...base, [def.attribute as string]: key });
        }
      }
    }
  };
  const observables = instruments.map((i) => i.observable);
  meter.addBatchObservableCallback(callback, observables);
  return {
    names: DEFINITIONS.map((d) => prefix + d.name),
    remove() {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
