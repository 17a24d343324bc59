/**
 * io.metrics(): counters and gauges as official clients connect, emit, broadcast, upgrade,
 * time out and disconnect, over each transport.
 */
import type { Socket } from "../../../core/index";
import { connect, startServer, TRANSPORTS } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe("io.metrics()", () => {
  it("reads the gauges without the metrics option, and counts nothing", async () => {
    const h = await startServer();
    await connect(h, { transports: ["websocket"] });
    const m = h.io.metrics();
    expect(m.enabled).toBe(false);
    expect(m.connections).toEqual({ total: 1, byTransport: { polling: 0, websocket: 1 } });
    expect(m.sockets).toEqual({ total: 1, byNamespace: { "/": 1 } });
    expect(m.handshakes.accepted).toBe(0);
    expect(m.packets).toEqual({ in: 0, out: 0 });
    expect(m.draining).toBe(false);
  });

  it.each(TRANSPORTS)(
    "counts packets, bytes, acks and disconnects over $name",
    async ({ opts }) => {
      const h = await startServer({ metrics: true });
      h.io.of("/chat");
      h.io.on("connection", (socket) => {
        socket.on("echo", (text: string, ack: (t: string) => void) => ack(text));
      });
      const [client, socket] = await connect(h, opts);
      const chat = client.io.socket("/chat");
      await waitFor(chat, "connect");
      const before = h.io.metrics();
      expect(before.handshakes.accepted).toBe(1);
      expect(before.sockets).toEqual({ total: 2, byNamespace: { "/": 1, "/chat": 1 } });

      // one event with an ack each way: 2 packets in (event + ack), 2 out (ack + event)
      expect(await client.emitWithAck("echo", "héllo")).toBe("héllo");
      const answer = waitFor<[string, (r: string) => void]>(client, "ask");
      const pending = socket.timeout(5000).emitWithAck("ask", "x");
      const [, reply] = await answer;
      expect(h.io.metrics().acks.pending).toBe(1);
      reply("y");
      expect(await pending).toBe("y");

      const after = h.io.metrics();
      expect(after.packets.in - before.packets.in).toBe(2);
      expect(after.packets.out - before.packets.out).toBe(2);
      // Engine.IO message payloads (without the engine's "4"), in UTF-8: é is two bytes
      expect(after.bytes.in - before.bytes.in).toBe(
        Buffer.byteLength('20["echo","héllo"]') + Buffer.byteLength('31["y"]'),
      );
      expect(after.bytes.out - before.bytes.out).toBe(
        Buffer.byteLength('30["héllo"]') + Buffer.byteLength('21["ask","x"]'),
      );
      expect(after.acks.pending).toBe(0);

      const gone = waitFor(socket, "disconnect");
      client.disconnect();
      await gone;
      expect(h.io.metrics().disconnects).toEqual({ "client namespace disconnect": 1 });
      expect(h.io.metrics().sockets.byNamespace).toEqual({ "/": 0, "/chat": 1 });
    },
  );

  it("counts broadcasts once and their fan-out per recipient", async () => {
    const h = await startServer({ metrics: true });
    const clients = await Promise.all(
      [1, 2, 3].map(() => connect(h, { transports: ["websocket"] })),
    );
    const received = clients.map(([c]) => waitFor(c, "news"));
    h.io.emit("news", 1);
    await Promise.all(received);
    const m = h.io.metrics();
    expect(m.broadcasts).toEqual({ total: 1, recipients: 3 });
  });

  it("counts ack timeouts, upgrades, refusals and parse errors", async () => {
    const h = await startServer({ metrics: true });
    const [client, socket] = await connect(h, { transports: ["polling", "websocket"] });
    if (client.io.engine.transport.name !== "websocket") await waitFor(client.io.engine, "upgrade");
    client.on("slow", () => {}); // never acknowledges
    await expect(socket.timeout(20).emitWithAck("slow")).rejects.toThrow();
    // a broadcast whose acknowledgements do not all come in time counts once
    await expect(h.io.timeout(20).emitWithAck("slow")).rejects.toThrow();
    // a request for an unknown session is refused
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling&sid=nope`);
    expect(res.status).toBe(400);
    // a malformed Socket.IO packet closes its connection
    const bad = await connect(h, { transports: ["websocket"] });
    const gone = waitFor(bad[1], "disconnect");
    (bad[0].io.engine as unknown as { write(d: string): void }).write("2[1");
    expect((await gone)[0]).toBe("parse error");
    const m = h.io.metrics();
    expect(m.acks.timeouts).toBe(2);
    expect(m.upgrades).toBe(1);
    expect(m.handshakes.refused).toEqual({ UNKNOWN_SID: 1 });
    expect(m.parseErrors).toBe(1);
    expect(m.disconnects).toEqual({ "parse error": 1 });
  });

  it("reports the bytes buffered for a client that does not read", async () => {
    const h = await startServer({ metrics: true });
    await connect(h, { transports: ["websocket"] }); // a client that reads
    // a raw polling client that connects, then never polls: what it is sent waits in its buffer
    const open = await (await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`)).text();
    const sid = JSON.parse(open.substring(1)).sid as string;
    const connected = waitFor<[Socket]>(h.io, "connection");
    await fetch(`${h.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: "POST",
      body: "40",
    });
    const [socket] = await connected;
    socket.emit("big", "x".repeat(10_000));
    const m = h.io.metrics();
    // the CONNECT answer and the event, as Engine.IO message payloads
    const expected =
      Buffer.byteLength(`0{"sid":"${socket.id}"}`) +
      Buffer.byteLength(`2["big","${"x".repeat(10_000)}"]`);
    expect(m.buffered).toEqual({ bytes: expected, maxBytes: expected });
  });
});
