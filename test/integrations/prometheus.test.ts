/**
 * socketkit/prometheus on a real prom-client Registry: names, types, labels and values of a
 * scrape, one snapshot per scrape, and registration turning the counters on by itself.
 */
import { Registry } from "prom-client";
import { registerMetrics } from "../../integrations/prometheus/index";
import { connect, startServer } from "../support/server";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

afterEach(closeAll);

/** The value of one sample line of the exposition text (`name{labels} value`). */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(series + " ")) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe("socketkit/prometheus", () => {
  it("exposes the snapshot with conventional names, types and low-cardinality labels", async () => {
    const h = await startServer({ metrics: true, maxConnectionsPerAddress: 1 });
    h.io.on("connection", (socket) => socket.on("hi", (ack: (s: string) => void) => ack("ok")));
    const registry = new Registry();
    const registered = registerMetrics(h.io, { registry, labels: { node: "a" } });
    const [client] = await connect(h, { transports: ["websocket"] });
    expect(await client.emitWithAck("hi")).toBe("ok");
    expect((await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(429);

    const text = await registry.metrics();
    expect(text).toContain("# TYPE socketkit_connections gauge");
    expect(text).toContain("# TYPE socketkit_handshakes_total counter");
    expect(text).toContain("# TYPE socketkit_received_bytes_total counter");
    expect(sample(text, 'socketkit_connections{node="a",transport="websocket"}')).toBe(1);
    expect(sample(text, 'socketkit_connections{node="a",transport="polling"}')).toBe(0);
    expect(sample(text, 'socketkit_sockets{node="a",namespace="/"}')).toBe(1);
    expect(sample(text, 'socketkit_handshakes_total{node="a"}')).toBe(1);
    // the client's CONNECT ("0") and its event
    expect(sample(text, 'socketkit_received_packets_total{node="a"}')).toBe(2);
    expect(sample(text, 'socketkit_sent_packets_total{node="a"}')).toBe(2); // CONNECT + ack
    expect(sample(text, 'socketkit_received_bytes_total{node="a"}')).toBe(
      Buffer.byteLength("0") + Buffer.byteLength('20["hi"]'),
    );
    expect(
      sample(text, 'socketkit_refused_requests_total{node="a",reason="TOO_MANY_CONNECTIONS"}'),
    ).toBe(1);
    expect(sample(text, 'socketkit_limit_hits_total{node="a",limit="connectionsPerAddress"}')).toBe(
      1,
    );
    expect(sample(text, 'socketkit_draining{node="a"}')).toBe(0);
    // no socket ids, rooms or addresses anywhere
    expect(text).not.toContain(client.id as string);

    // counters go on between scrapes
    const gone = waitFor(h.io.of("/").sockets.values().next().value!, "disconnect");
    client.disconnect();
    await gone;
    const later = await registry.metrics();
    expect(
      sample(later, 'socketkit_disconnects_total{node="a",reason="client namespace disconnect"}'),
    ).toBe(1);
    expect(sample(later, 'socketkit_sockets{node="a",namespace="/"}')).toBe(0);

    registered.unregister();
    expect(await registry.metrics()).not.toContain("socketkit_");
  });

  it("takes one snapshot per scrape", async () => {
    const h = await startServer({ metrics: true });
    const registry = new Registry();
    registerMetrics(h.io, { registry });
    const spy = jest.spyOn(h.io, "metrics");
    await registry.metrics();
    expect(spy).toHaveBeenCalledTimes(1);
    await new Promise((r) => setImmediate(r));
    await registry.metrics();
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it("turns the counters on for a server created without the metrics option", async () => {
    const h = await startServer();
    h.io.on("connection", (socket) => socket.on("hi", (ack: (s: string) => void) => ack("ok")));
    // a connection from before the registration: its later traffic is counted
    const [early] = await connect(h, { transports: ["websocket"] });
    expect(h.io.metrics().enabled).toBe(false);
    const registry = new Registry();
    registerMetrics(h.io, registry); // the registry itself as the second argument
    expect(h.io.metrics().enabled).toBe(true);
    expect(await early.emitWithAck("hi")).toBe("ok");
    const [late] = await connect(h, { transports: ["websocket"] });
    expect(await late.emitWithAck("hi")).toBe("ok");
    const text = await registry.metrics();
    // counted from the registration on: the later handshake, both sockets' packets
    expect(sample(text, "socketkit_handshakes_total")).toBe(1);
    expect(sample(text, "socketkit_received_packets_total")).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'socketkit_connections{transport="websocket"}')).toBe(2);
  });

  it("throws only for a provider whose counters are off and cannot be turned on", async () => {
    const h = await startServer();
    const readOnly = { metrics: () => h.io.metrics() };
    expect(() => registerMetrics(readOnly, new Registry())).toThrow(
      "socketkit/prometheus: the counters are off and this provider cannot turn them on",
    );
    expect(h.io.metrics().enabled).toBe(false);
  });
});
