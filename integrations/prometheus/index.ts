/**
 * socketkit/prometheus: io.metrics() as Prometheus metrics, through prom-client (an optional
 * peer dependency). Conventional names and units (`socketkit_*`, `_total` counters, `_bytes`),
 * low-cardinality labels only: transport, namespace, reason, limit. Never socket ids or rooms.
 *
 * @example
 * import { Registry } from "prom-client";
 * import { registerMetrics } from "socketkit/prometheus";
 *
 * const io = new Server(httpServer);
 * const registry = new Registry();
 * registerMetrics(io, registry); // or (io, { registry, prefix, labels })
 * // GET /metrics: res.setHeader("Content-Type", registry.contentType); res.end(await registry.metrics());
 */
import { Counter, Gauge, register as defaultRegistry, type Registry } from "prom-client";
import {
  METRIC_CATALOGUE,
  countingSnapshot,
  createError,
  type MetricDefinition,
  type MetricsProvider,
  type MetricsSnapshot,
} from "../../core/index";

export type { MetricsProvider };

export interface PrometheusOptions {
  /** The registry to register on (prom-client's global `register`). */
  registry?: Registry;
  /** The prefix of every metric name ("socketkit_"). */
  prefix?: string;
  /** Labels added to every metric (say, `{ node: "a" }`), as prom-client's default labels. */
  labels?: Record<string, string>;
}

/** What `registerMetrics` returns: the metrics, and how to take them off the registry. */
export interface RegisteredMetrics {
  readonly names: readonly string[];
  unregister(): void;
}

/**
 * Registers socketkit's metrics on a prom-client registry (the second argument: the options, or
 * the registry itself). Each scrape takes one snapshot (`io.metrics()`) for all of them. It
 * turns the server's counters on when they are off (as the `metrics: true` option does); they
 * count from that moment.
 */
export function registerMetrics(
  io: MetricsProvider,
  optsOrRegistry: PrometheusOptions | Registry = {},
): RegisteredMetrics {
  const opts: PrometheusOptions = isRegistry(optsOrRegistry)
    ? { registry: optsOrRegistry }
    : optsOrRegistry;
  const first = countingSnapshot(io);
  if (first === null) {
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
  const register = (
    def: MetricDefinition,
    name: string,
    help: string,
    labelNames: string[],
    read: (s: MetricsSnapshot) => number | Readonly<Record<string, number>>,
  ): void => {
    const collect = function (this: Counter<string> | Gauge<string>): void {
      const value = read(snapshot());
      this.reset();
      if (typeof value === "number") {
        set(this, constant, value);
      } else {
        for (const key of Object.keys(value)) {
          set(this, { ...constant, [def.label as string]: key }, value[key]);
        }
      }
    };
    const config = { name, help, labelNames, registers: [registry], collect };
    if (def.kind === "counter") new Counter(config);
    else new Gauge(config);
    names.push(name);
  };
  for (const def of METRIC_CATALOGUE) {
    const placeholder = def.label === undefined ? -1 : def.prometheus.indexOf(`{${def.label}}`);
    if (placeholder === -1) {
      const labelNames = def.label ? [...constantNames, def.label] : constantNames;
      register(def, prefix + def.prometheus, def.description, labelNames, def.read);
      continue;
    }
    // one metric per label value, named after it (e.g. received_bytes_total, sent_bytes_total)
    const label = def.label as string;
    const values = def.read(first) as Readonly<Record<string, number>>;
    for (const key of Object.keys(values)) {
      const name = prefix + def.prometheus.replace(`{${label}}`, key);
      const help = def.description.replace(`, by ${label}`, " " + key);
      register(def, name, help, constantNames, (s) => (def.read(s) as Record<string, number>)[key]);
    }
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

/** A prom-client registry (by shape: an application's prom-client may be another copy). */
function isRegistry(value: PrometheusOptions | Registry): value is Registry {
  const candidate = value as Partial<Registry>;
  return typeof candidate.registerMetric === "function" && typeof candidate.metrics === "function";
}
