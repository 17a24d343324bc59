/**
 * socketkit/opentelemetry through @opentelemetry/api: the observable instruments and one batch
 * callback over the snapshot. No OpenTelemetry SDK is installed here, so the meter is a small
 * recording implementation of the API's Meter interface (what an SDK's meter does on collect:
 * run the batch callbacks and keep the observations).
 */
import type { BatchObservableCallback, Meter, MetricOptions, Observable } from "@opentelemetry/api";
import { createNoopMeter } from "@opentelemetry/api";
import { instrumentMetrics } from "../../integrations/opentelemetry/index";
import { connect, startServer } from "../support/server";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

afterEach(closeAll);

interface Instrument extends Observable {
  kind: string;
  name: string;
  options?: MetricOptions;
}

class RecordingMeter {
  readonly instruments: Instrument[] = [];
  readonly callbacks: BatchObservableCallback[] = [];
  readonly #noop = createNoopMeter();

  #instrument(kind: string, name: string, options?: MetricOptions): Instrument {
    const base = this.#noop.createObservableGauge(name, options);
    const instrument = Object.assign(Object.create(base) as Instrument, { kind, name, options });
    this.instruments.push(instrument);
    return instrument;
  }
  createObservableCounter(name: string, options?: MetricOptions) {
    return this.#instrument("counter", name, options);
  }
  createObservableUpDownCounter(name: string, options?: MetricOptions) {
    return this.#instrument("updown", name, options);
  }
  createObservableGauge(name: string, options?: MetricOptions) {
    return this.#instrument("gauge", name, options);
  }
  addBatchObservableCallback(cb: BatchObservableCallback) {
    this.callbacks.push(cb);
  }
  removeBatchObservableCallback(cb: BatchObservableCallback) {
    this.callbacks.splice(this.callbacks.indexOf(cb), 1);
  }
  /** What an SDK does on collection: every batch callback, observations by name + attributes. */
  async collect(): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    for (const cb of this.callbacks) {
      await cb({
        observe: (observable, value, attributes = {}) => {
          const name = (observable as Instrument).name;
          seen.set(`${name} ${JSON.stringify(attributes)}`, value);
        },
      });
    }
    return seen;
  }
}

describe("socketkit/opentelemetry", () => {
  it("observes the snapshot through one batch callback", async () => {
    const h = await startServer({ metrics: true });
    const meter = new RecordingMeter();
    const inst = instrumentMetrics(h.io, {
      meter: meter as unknown as Meter,
      attributes: { node: "a" },
    });
    const byName = new Map(meter.instruments.map((i) => [i.name, i]));
    expect(byName.get("socketkit.connections")?.kind).toBe("updown");
    expect(byName.get("socketkit.handshakes")?.kind).toBe("counter");
    expect(byName.get("socketkit.io")?.options?.unit).toBe("By");
    expect(byName.get("socketkit.draining")?.kind).toBe("gauge");
    expect(inst.names).toEqual(meter.instruments.map((i) => i.name));

    const [client, socket] = await connect(h, { transports: ["websocket"] });
    const got = waitFor(socket, "x");
    client.emit("x");
    await got;
    const spy = jest.spyOn(h.io, "metrics");
    const seen = await meter.collect();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(seen.get('socketkit.connections {"node":"a","transport":"websocket"}')).toBe(1);
    expect(seen.get('socketkit.sockets {"node":"a","namespace":"/"}')).toBe(1);
    expect(seen.get('socketkit.handshakes {"node":"a"}')).toBe(1);
    // the client's CONNECT ("0") and its event
    expect(seen.get('socketkit.packets {"node":"a","direction":"received"}')).toBe(2);
    expect(seen.get('socketkit.io {"node":"a","direction":"received"}')).toBe(
      Buffer.byteLength("0") + Buffer.byteLength('2["x"]'),
    );
    expect(seen.get('socketkit.limit_hits {"node":"a","limit":"eventRate"}')).toBe(0);

    inst.remove();
    expect(meter.callbacks).toHaveLength(0);
  });

  it("turns the counters on for a server created without the metrics option", async () => {
    const h = await startServer();
    expect(h.io.metrics().enabled).toBe(false);
    const inst = instrumentMetrics(h.io);
    expect(h.io.metrics().enabled).toBe(true);
    await connect(h, { transports: ["websocket"] });
    expect(h.io.metrics().handshakes.accepted).toBe(1);
    inst.remove();
  });

  it("throws only for a provider whose counters are off and cannot be turned on", async () => {
    const h = await startServer();
    expect(() => instrumentMetrics({ metrics: () => h.io.metrics() })).toThrow(
      "socketkit/opentelemetry: the counters are off and this provider cannot turn them on",
    );
  });
});
