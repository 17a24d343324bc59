import type { EngineRequest, EngineSocket, EngineTransport } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawRequest,
  rawWebSocket,
  startEngine,
  type EngineHarness,
  wsSession,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

async function pollingSession(h: EngineHarness) {
  const conn = waitFor<[EngineSocket]>(h.engine, "connection");
  const { sid } = await rawHandshake(h, "EIO=4&transport=polling&foo=bar", {
    headers: { "X-Custom": "yes" },
  });
  const [socket] = await conn;
  return { sid, socket };
}

describe("engine socket API", () => {
  it("calls send callbacks once the polling response is written", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const calls: string[] = [];
    socket.send("a", (transport: EngineTransport) => calls.push(`a:${transport.name}`));
    socket.write("b", { compress: false }, () => calls.push("b"));
    socket.send("c");
    expect(calls).toEqual([]);
    expect((await rawPoll(h, sid)).body).toBe("4a\x1e4b\x1e4c");
    await waitUntil(() => calls.length === 2);
    expect(calls).toEqual(["a:polling", "b"]);
  });

  it("calls send callbacks once the websocket frame is written", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const done = new Promise<EngineTransport>((resolve) => socket.send("x", resolve));
    expect((await done).name).toBe("websocket");
    expect(await ws.next()).toBe("4x");
  });

  it("runs websocket send callbacks before the transport is writable again", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const writable = await new Promise<boolean>((resolve) =>
      socket.send("x", (transport: EngineTransport) => {
        // a packet sent here waits for the "ready" that follows, as in engine.io
        socket.send("from callback");
        resolve(transport.writable);
      }),
    );
    expect(writable).toBe(false);
    expect(await ws.next()).toBe("4x");
    expect(await ws.next()).toBe("4from callback");
  });

  it("calls the callbacks of consecutive flushes in order", async () => {
    const h = await startEngine();
    const { socket } = await wsSession(h);
    const calls: number[] = [];
    for (let i = 0; i < 5; i++) socket.send(`m${i}`, () => calls.push(i));
    await waitUntil(() => calls.length === 5);
    expect(calls).toEqual([0, 1, 2, 3, 4]);
  });

  it("runs a callback with the flush that wrote its packet, not with an earlier flush", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const first = rawPoll(h, sid);
    await waitUntil(() => socket.transport.writable);
    const calls: string[] = [];
    const drained = waitFor(socket, "drain");
    socket.send("a"); // flushed at once into the pending poll, no callback
    socket.send("b", () => calls.push("b")); // waits for the next poll
    expect((await first).body).toBe("4a");
    await drained; // the first flush has drained
    expect(calls).toEqual([]);
    expect((await rawPoll(h, sid)).body).toBe("4b");
    await waitUntil(() => calls.length === 1);
    expect(calls).toEqual(["b"]);
  });

  it("holds websocket send callbacks while the client does not read", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    ws.ws.pause(); // stop reading: the kernel buffers fill, then the frames wait in the stream
    const big = "x".repeat(1 << 20);
    let called = 0;
    for (let i = 0; i < 16; i++) socket.send(big, () => called++);
    await sleep(200);
    expect(called).toBeLessThan(16);
    ws.ws.resume();
    await waitUntil(() => called === 16, 10000);
    for (let i = 0; i < 16; i++) expect((await ws.next()).length).toBe(big.length + 1);
  });

  it("emits flush with the write buffer, then drain", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const events: string[] = [];
    socket.on("flush", (buffer: { type: string; data?: unknown }[]) =>
      events.push(`flush ${buffer.map((p) => p.data).join(",")}`),
    );
    socket.on("drain", () => events.push("drain"));
    socket.send("a");
    socket.send("b");
    expect(events).toEqual([]);
    await rawPoll(h, sid);
    expect(events).toEqual(["flush a,b", "drain"]);
  });

  it("emits packetCreate for each packet sent, with its options", async () => {
    const h = await startEngine();
    const { socket } = await wsSession(h);
    const created: unknown[] = [];
    socket.on("packetCreate", (p: unknown) => created.push(p));
    socket.send("x");
    socket.send("y", { compress: false });
    expect(created).toEqual([
      { type: "message", data: "x", options: { compress: true } },
      { type: "message", data: "y", options: { compress: false } },
    ]);
  });

  it("creates an empty message packet without data, as engine.io", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const created: unknown[] = [];
    socket.on("packetCreate", (p: unknown) => created.push(p));
    socket.send("");
    expect(created).toEqual([{ type: "message", options: { compress: true } }]);
    expect(await ws.next()).toBe("4");
  });

  it("emits packet for each packet received, then data and message", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const events: unknown[] = [];
    socket.on("packet", (p: unknown) => events.push(["packet", p]));
    socket.on("data", (d: unknown) => events.push(["data", d]));
    socket.on("message", (d: unknown) => events.push(["message", d]));
    ws.send("4hi");
    await waitUntil(() => events.length === 3);
    expect(events).toEqual([
      ["packet", { type: "message", data: "hi" }],
      ["data", "hi"],
      ["message", "hi"],
    ]);
  });

  it("closes with 'forced close' on socket.close(), going through closing", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["polling"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    const states: string[] = [socket.readyState];
    socket.send("last words");
    const closed = waitFor<[string, unknown]>(socket, "close");
    const clientClosed = waitFor<[string]>(client, "close");
    socket.close();
    states.push(socket.readyState);
    const [reason, description] = await closed;
    states.push(socket.readyState);
    expect(reason).toBe("forced close");
    expect(description).toBeUndefined();
    expect(states).toEqual(["open", "closing", "closed"]);
    expect((await clientClosed)[0]).toBe("transport close");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("closes a websocket session at once on socket.close()", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor(socket, "close");
    socket.close();
    expect((await closed)[0]).toBe("forced close");
    expect(socket.readyState).toBe("closed");
    await ws.closed;
  });

  it("ignores sends after close and never calls their callbacks", async () => {
    const h = await startEngine();
    const { socket } = await wsSession(h);
    socket.close();
    const cb = jest.fn();
    const created = jest.fn();
    socket.on("packetCreate", created);
    socket.send("too late", cb);
    // a round trip of another session: a late write or callback, a tick away, would be in
    const other = await wsSession(h);
    const echoed = waitFor<[string]>(other.socket, "message");
    other.ws.send("4ping");
    expect((await echoed)[0]).toBe("ping");
    expect(cb).not.toHaveBeenCalled();
    expect(created).not.toHaveBeenCalled();
    socket.close();
    expect(socket.readyState).toBe("closed");
  });

  it("gives the close reason and description to close listeners", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor<[string, Error & { type?: string }]>(socket, "close");
    ws.send("2");
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description).toBeInstanceOf(Error);
  });

  it("keeps the write buffer readable in close listeners", async () => {
    const h = await startEngine();
    const { socket } = await pollingSession(h);
    socket.send("pending");
    let seen: unknown[] = [];
    socket.on("close", () => (seen = socket.writeBuffer.map((p) => p.data)));
    socket.close(true);
    expect(seen).toEqual(["pending"]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(socket.writeBuffer).toEqual([]);
  });

  it("the polling transport emits its response headers (no-store; X-XSS-Protection for IE)", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const seen: Record<string, string | string[]>[] = [];
    socket.transport.on("headers", (headers: Record<string, string | string[]>) => {
      seen.push({ ...headers });
    });
    const res = await rawRequest(h, `EIO=4&transport=polling&sid=${sid}`, {
      method: "POST",
      body: "4hi",
      headers: { "User-Agent": "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko" },
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]["cache-control"]).toBe("no-store");
    expect(seen[0]["X-XSS-Protection"]).toBe("0");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("leaves a plain, extensible array as the write buffer after a close (as engine.io)", async () => {
    const h = await startEngine();
    const { socket } = await pollingSession(h);
    socket.close(true);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(Object.isExtensible(socket.writeBuffer)).toBe(true);
    socket.writeBuffer.push({ type: "message", data: "late" });
    expect(socket.writeBuffer).toHaveLength(1);
  });

  it("exposes the handshake request, protocol and remote address", async () => {
    const h = await startEngine();
    const { socket } = await pollingSession(h);
    const req = socket.request as EngineRequest;
    expect(req._query).toMatchObject({ EIO: "4", transport: "polling", foo: "bar" });
    expect(req.headers["x-custom"]).toBe("yes");
    expect(req.method).toBe("GET");
    expect(socket.protocol).toBe(4);
    expect(socket.remoteAddress).toBe("127.0.0.1");
    expect(socket.id).toMatch(/^[\w-]{20}$/);
  });

  it("does not keep the polling response on the handshake request", async () => {
    const h = await startEngine();
    const { socket } = await pollingSession(h);
    expect((socket.request as EngineRequest).res).toBeNull();
  });
});
