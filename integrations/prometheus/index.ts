/**
 * socketkit/prometheus: io.metrics() as Prometheus metrics, through prom-client (an optional
 * peer dependency). Conventional names and units (`socketkit_*`, `_total` counters, `_bytes`),
 * low-cardinality labels only: transport, namespace, reason, limit. Never socket ids or rooms.
 *
 * @example
 * import { Registry } from "prom-client";
 * import { registerMetrics } from "socketkit/prometheus";
 *
 * const io = new Server(httpServer, { metrics: true });
 * const registry = new Registry();
 * registerMetrics(io, { registry });
 * // GET /metrics: res.setHeader("Content-Type", registry.contentType); res.end(await registry.metrics());
 */
import { Counter, Gauge, register as defaultRegistry, type Registry } from "prom-client";
import { createError, type MetricsSnapshot } from "../../core/index";

/** What the collector needs of a server: its metrics snapshot. */
export interface MetricsProvider {
  metrics(): MetricsSnapshot;
}

export interface PrometheusOptions {
  /** The registry to register on (prom-client's global `register`). */
  registry?: Registry;
  /** The prefix of every metric name ("socketkit_"). */
  prefix?: string;
  /** Labels added to every metric (say, `{ node: "a" }`), as prom-client's default labels. */
  labels?: Record<string, string>;
}

/** One metric: its name (without prefix), help, type, label and how it reads a snapshot. */
interface Definition {
  name: string;
  help: string;
  type: "counter" | "gauge";
  label?: string;
  read(s: MetricsSnapshot): number | Record<string, number>;
}

const DEFINITIONS: readonly Definition[] = [
  {
    name: "connections",
    help: "Open Engine.IO connections, by transport",
    type: "gauge",
    label: "transport",
    read: (s) => s.connections.byTransport,
  },
  {
    name: "sockets",
    help: "Connected Socket.IO sockets, by namespace",
    type: "gauge",
    label: "namespace",
    read: (s) => s.sockets.byNamespace,
  },
  {
    name: "handshakes_total",
    help: "Engine.IO sessions opened",
    type: "counter",
    read: (s) => s.handshakes.accepted,
  },
  {
    name: "refused_requests_total",
    help: "Engine.IO requests refused, by reason (wire error names and limits)",
    type: "counter",
    label: "reason",
    read: (s) => s.handshakes.refused,
  },
  {
    name: "disconnects_total",
    help: "Socket.IO disconnections, by reason",
    type: "counter",
    label: "reason",
    read: (s) => s.disconnects,
  },
  {
    name: "received_packets_total",
    help: "Engine.IO messages received",
    type: "counter",
    read: (s) => s.packets.in,
  },
  {
    name: "sent_packets_total",
    help: "Engine.IO messages sent",
    type: "counter",
    read: (s) => s.packets.out,
  },
  {
    name: "received_bytes_total",
    help: "Bytes of the Engine.IO messages received",
    type: "counter",
    read: (s) => s.bytes.in,
  },
  {
    name: "sent_bytes_total",
    help: "Bytes of the Engine.IO messages sent",
    type: "counter",
    read: (s) => s.bytes.out,
  },
  {
    name: "pending_acks",
    help: "Acknowledgements the server waits for",
    type: "gauge",
    read: (s) => s.acks.pending,
  },
  {
    name: "ack_timeouts_total",
    help: "Acknowledgements that timed out",
    type: "counter",
    read: (s) => s.acks.timeouts,
  },
  {
    name: "broadcasts_total",
    help: "Broadcasts delivered on this node",
    type: "counter",
    read: (s) => s.broadcasts.total,
  },
  {
    name: "broadcast_recipients_total",
    help: "Deliveries of broadcasts (one per recipient)",
    type: "counter",
    read: (s) => s.broadcasts.recipients,
  },
  {
    name: "buffered_bytes",
    help: "Bytes waiting to be written to clients",
    type: "gauge",
    read: (s) => s.buffered.bytes,
  },
  {
    name: "buffered_max_bytes",
    help: "Bytes waiting to be written to the most behind client",
    type: "gauge",
    read: (s) => s.buffered.maxBytes,
  },
  {
    name: "upgrades_total",
    help: "Transport upgrades completed",
    type: "counter",
    read: (s) => s.upgrades,
  },
  {
    name: "parse_errors_total",
    help: "Connections closed for a malformed packet",
    type: "counter",
    read: (s) => s.parseErrors,
  },
  {
    name: "limit_hits_total",
    help: "Abuse limits hit (and handshakes refused while draining), by limit",
    type: "counter",
    label: "limit",
    read: (s) => ({ ...s.limits }),
  },
  {
    name: "draining",
    help: "1 while io.drain() refuses new sessions",
    type: "gauge",
    read: (s) => (s.draining ? 1 : 0),
  },
];

/** What `registerMetrics` returns: the metrics, and how to take them off the registry. */
export interface RegisteredMetrics {
  readonly names: readonly string[];
  unregister(): void;
}

/**
 * Registers socketkit's metrics on a prom-client registry. Each scrape takes one snapshot
 * (`io.metrics()`) for all of them. The server needs the `metrics: true` option.
 */
export function registerMetrics(
  io: MetricsProvider,
  opts: PrometheusOptions = {},
): RegisteredMetrics {
  if (!io.metrics().enabled) {
    throw createError("METRICS_DISABLED", { integration: "socketkit/prometheus" });
  }
  const registry = opts.registry ?? defaultRegistry;
  const prefix = opts.prefix ?? "socketkit_";
  const constant = opts.labels ?? {};
  const constantNames = Object.keys(constant);
  // one snapshot per scrape: a registry collects all its metrics in the same tick
  let cached: MetricsSnapshot | null = null;
  const snapshot = (): MetricsSnapshot => {
    if (cached === null) {
      cached = io.metrics();
      setImmediate(() => (cached = null));
    }
    return cached;
  };
  const names: string[] = [];
  for (const def of DEFINITIONS) {
    const name = prefix + def.name;
    const labelNames = def.label ? [...constantNames, def.label] : constantNames;
    const collect = function (this: Counter<string> | Gauge<string>): void {
      const value = def.read(snapshot());
      this.reset();
      if (typeof value === "number") {
        set(this, constant, value);
      } else {
        for (const [key, n] of Object.entries(value)) {
          set(this, { ...constant, [def.label as string]: key }, n);
        }
      }
    };
    const config = { name, help: def.help, labelNames, registers: [registry], collect };
    if (def.type === "counter") new Counter(config);
    else new Gauge(config);
    names.push(name);
  }
  return {
    names,
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}

function set(
  metric: Counter<string> | Gauge<string>,
  labels: Record<string, string>,
  n: number,
): void {
  if (metric instanceof Gauge) metric.set(labels, n);
  else metric.inc(labels, n);
}
