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
import {
  METRIC_CATALOGUE,
  countingSnapshot,
  createError,
  type MetricDefinition,
  type MetricsProvider,
} from "../../core/index";

export type { MetricsProvider };

export interface OpenTelemetryOptions {
  /** The meter (the global meter provider's meter "socketkit"). */
  meter?: Meter;
  /** The prefix of every instrument name ("socketkit."). */
  prefix?: string;
  /** Attributes added to every observation (say, `{ "service.instance.id": "a" }`). */
  attributes?: Record<string, string>;
}

/** What `instrumentMetrics` returns: the instrument names, and how to stop observing. */
export interface Instrumentation {
  readonly names: readonly string[];
  remove(): void;
}

/**
 * Creates socketkit's observable instruments on a meter. It turns the server's counters on when
 * they are off (as the `metrics: true` option does); they count from that moment.
 */
export function instrumentMetrics(
  io: MetricsProvider,
  opts: OpenTelemetryOptions = {},
): Instrumentation {
  if (countingSnapshot(io) === null) {
    throw createError("METRICS_DISABLED", { integration: "socketkit/opentelemetry" });
  }
  const meter = opts.meter ?? otelMetrics.getMeter("socketkit");
  const prefix = opts.prefix ?? "socketkit.";
  const base = opts.attributes ?? {};
  const instruments: { def: MetricDefinition; observable: Observable }[] = [];
  for (const def of METRIC_CATALOGUE) {
    const options = { description: def.description, unit: def.unit, valueType: ValueType.INT };
    const name = prefix + def.otel;
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
        for (const key of Object.keys(value)) {
          result.observe(observable, value[key], { ...base, [def.label as string]: key });
        }
      }
    }
  };
  const observables = instruments.map((i) => i.observable);
  meter.addBatchObservableCallback(callback, observables);
  return {
    names: METRIC_CATALOGUE.map((d) => prefix + d.otel),
    remove() {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
