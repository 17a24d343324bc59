/**
 * The WebSocket transport writes everything a connection is sent during one tick in one write to
 * the kernel (cork on the first flush of the tick, uncork on the next tick), while the engine's
 * flush/drain events, send callbacks, ordering, volatile drops and back-pressure stay as they
 * were.
 *
 * Kernel writes are counted on the server's TCP stream through the Writable implementation hooks
 * `_write` / `_writev`: each call is one write (or writev) of the handle.
 */
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import { once } from "node:events";
import type { EngineSocket, EngineTransport, Socket } from "../../../core/index";
import { rawWebSocket, REFERENCE, startEngine } from "../../support/engine";
import { connect, createClient, startServer, type ServerHarness } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor, waitUntil } from "../../support/wait";
import { nodeHostOnly } from "../../support/uws";

const rawClients = new Set<NetSocket>();

afterEach(async () => {
  for (const s of rawClients) s.destroy();
  rawClients.clear();
  await closeAll();
});

/** Counts the writes the TCP stream under `socket` hands to the kernel. */
function countKernelWrites(socket: EngineSocket): { readonly count: number } {
  type Hooks = { _write: (...a: unknown[]) => unknown; _writev?: (...a: unknown[]) => unknown };
  const tcp = socket.request.socket as unknown as Hooks;
  expect(typeof tcp._write).toBe("function");
  expect(typeof tcp._writev).toBe("function");
  const counter = { count: 0 };
  const write = tcp._write;
  const writev = tcp._writev as (...a: unknown[]) => unknown;
  tcp._write = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return write.apply(this, args);
  };
  tcp._writev = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return writev.apply(this, args);
  };
  return counter;
}

/**
 * A minimal WebSocket client over a raw TCP connection, able to put several frames in one TCP
 * write (as a busy client does) and reading the server's unmasked frames.
 */
async function frameClient(port: number, path: string) {
  const tcp = netConnect(port, "127.0.0.1");
  rawClients.add(tcp);
  tcp.setNoDelay(true);
  await once(tcp, "connect");
  tcp.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  let upgraded = false;
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  tcp.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (!upgraded) {
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      expect(buf.toString("latin1", 0, 12)).toBe("HTTP/1.1 101");
      upgraded = true;
      buf = buf.subarray(end + 4);
    }
    while (buf.length >= 2) {
      let len = buf[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        offset = 4;
      }
      expect(len).toBeLessThan(65536);
      if (buf.length < offset + len) return;
      frames.push(buf.toString("utf8", offset, offset + len));
      buf = buf.subarray(offset + len);
    }
    for (const w of waiters.splice(0)) w();
  });
  return {
    frames,
    /** Writes `texts` as masked text frames (all-zero key), all in one TCP write. */
    sendAll(texts: string[]): void {
      const parts = texts.map((t) => {
        const payload = Buffer.from(t);
        expect(payload.length).toBeLessThan(126);
        return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
      });
      tcp.write(Buffer.concat(parts));
    },
    /** Resolves once `n` frames were received in all. */
    async received(n: number): Promise<string[]> {
      while (frames.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return frames.slice(0, n);
    },
  };
}

// socketkit's own write path: engine.io writes each flush on its own (skipped in reference mode)
(REFERENCE ? describe.skip : describe)("websocket write coalescing (engine)", () => {
  nodeHostOnly("writes the packets of one tick in one kernel write, in order", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next(); // open packet
    const [socket] = await conn;
    const writes = countKernelWrites(socket);
    for (let i = 0; i < 10; i++) socket.send(`m${i}`);
    socket.send(Buffer.from([1, 2, 3]));
    expect(writes.count).toBe(0); // corked until the next tick
    for (let i = 0; i < 10; i++) expect(await ws.next()).toBe(`4m${i}`);
    expect(await ws.next()).toEqual(Buffer.from([1, 2, 3]));
    expect(writes.count).toBe(1);
  });

  nodeHostOnly(
    "keeps flush/drain events and send callbacks exact: one drain per flush, callbacks in order after their write, before the transport is writable",
    async () => {
      const h = await startEngine();
      const conn = waitFor<[EngineSocket]>(h.engine, "connection");
      const ws = await rawWebSocket(h);
      await ws.next();
      const [socket] = await conn;
      const writes = countKernelWrites(socket);
      const transport = socket.transport;
      const events: string[] = [];
      socket.on("flush", (buffer: { data?: unknown }[]) =>
        events.push(`flush ${buffer.map((p) => p.data).join(",")}`),
      );
      socket.on("drain", () => events.push("drain"));
      transport.on("drain", () => events.push("transport drain"));
      const cb = (name: string) => (t: EngineTransport) => {
        // the callback runs once its frame reached the kernel, before the transport is writable
        events.push(`cb ${name} writes=${writes.count} writable=${t.writable}`);
      };
      socket.send("a", cb("a"));
      socket.send("b");
      socket.send("c", cb("c"));
      socket.send("d", cb("d"));
      await waitUntil(() => events.filter((e) => e.startsWith("cb")).length === 3);
      expect(events).toEqual([
        // the first flush of the tick goes at once (into the corked connection)
        "flush a",
        "drain",
        // the rest of the tick waited in the write buffer, as in engine.io, and joins it
        "flush b,c,d",
        "drain",
        // one write for both; then each flush ends: its callbacks, then the transport's drain
        "cb a writes=1 writable=false",
        "transport drain",
        "cb c writes=1 writable=false",
        "cb d writes=1 writable=false",
        "transport drain",
      ]);
      expect(transport.writable).toBe(true);
      expect([await ws.next(), await ws.next(), await ws.next(), await ws.next()]).toEqual([
        "4a",
        "4b",
        "4c",
        "4d",
      ]);
      // the next tick corks again: a new flush, a new write
      socket.send("e", cb("e"));
      await waitUntil(() => events.includes("cb e writes=2 writable=false"));
      expect(await ws.next()).toBe("4e");
    },
  );

  it("sends what a send callback queues in a later write, after the tick's packets", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next();
    const [socket] = await conn;
    socket.send("x", () => socket.send("from callback"));
    socket.send("y");
    expect(await ws.next()).toBe("4x");
    expect(await ws.next()).toBe("4y");
    expect(await ws.next()).toBe("4from callback");
  });

  it("holds callbacks under back-pressure and ends each flush once, after the client reads", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next();
    const [socket] = await conn;
    const transport = socket.transport;
    let drains = 0;
    transport.on("drain", () => drains++);
    let flushes = 0;
    socket.on("flush", () => flushes++);
    ws.ws.pause();
    const big = "z".repeat(1 << 20);
    const called: number[] = [];
    for (let tick = 0; tick < 6; tick++) {
      for (let i = 0; i < 2; i++) socket.send(big, () => called.push(tick * 2 + i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sleep(100);
    expect(called.length).toBeLessThan(12);
    // waiting bytes are counted: the session's buffer plus what the connection holds
    expect(socket.bufferedAmount).toBeGreaterThan(1 << 20);
    ws.ws.resume();
    await waitUntil(() => called.length === 12, 10000);
    expect(called).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(drains).toBe(flushes);
    for (let i = 0; i < 12; i++) expect((await ws.next()).length).toBe(big.length + 1);
    expect(socket.readyState).toBe("open");
  });

  it("closes a session whose tick queues more than maxBufferedBytes for a client that does not read", async () => {
    const h = await startEngine({ maxBufferedBytes: 4 << 20 });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next();
    const [socket] = await conn;
    ws.ws.pause();
    const closed = waitFor<[string]>(socket, "close");
    const big = "q".repeat(1 << 20);
    for (let i = 0; i < 20 && socket.readyState === "open"; i++) {
      socket.send(big);
      if (i % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await closed)[0]).toBe("transport error");
  });
});

describe("websocket write coalescing (Socket.IO)", () => {
  async function rawSioClient(h: ServerHarness) {
    const conn = waitFor<[Socket]>(h.io, "connection");
    const client = await frameClient(h.port, "/socket.io/?EIO=4&transport=websocket");
    await client.received(1); // open packet
    client.sendAll(["40"]);
    await client.received(2); // CONNECT answer
    const [socket] = await conn;
    return { client, socket };
  }

  nodeHostOnly(
    "answers the acked requests of one TCP chunk with one kernel write, in order",
    async () => {
      const h = await startServer();
      h.io.on("connection", (s) => s.on("echo", (n: number, ack: (n: number) => void) => ack(n)));
      const { client, socket } = await rawSioClient(h);
      const writes = countKernelWrites(socket.conn);
      const requests = Array.from({ length: 20 }, (_, i) => `42${i}["echo",${i * 7}]`);
      client.sendAll(requests);
      const frames = await client.received(22);
      expect(frames.slice(2)).toEqual(Array.from({ length: 20 }, (_, i) => `43${i}[${i * 7}]`));
      expect(writes.count).toBe(1);
    },
  );

  nodeHostOnly(
    "writes the broadcasts and emits of one tick to each recipient in one kernel write",
    async () => {
      const h = await startServer();
      const a = await rawSioClient(h);
      const b = await rawSioClient(h);
      a.socket.join("room");
      b.socket.join("room");
      const writesA = countKernelWrites(a.socket.conn);
      const writesB = countKernelWrites(b.socket.conn);
      h.io.emit("all", 1);
      h.io.to("room").emit("room", 2);
      a.socket.emit("direct", 3);
      h.io.except(a.socket.id).emit("others", 4);
      h.io.emit("all", 5);
      expect(await a.client.received(5)).toEqual([
        expect.any(String),
        expect.any(String),
        '42["all",1]',
        '42["room",2]',
        '42["direct",3]',
      ]);
      expect(await a.client.received(6)).toEqual(expect.arrayContaining(['42["all",5]']));
      expect((await b.client.received(6)).slice(2)).toEqual([
        '42["all",1]',
        '42["room",2]',
        '42["others",4]',
        '42["all",5]',
      ]);
      expect(writesA.count).toBe(1);
      expect(writesB.count).toBe(1);
    },
  );

  it("drops a volatile emit behind a non-volatile one of the same tick, as socket.io", async () => {
    const h = await startServer();
    const { client, socket } = await rawSioClient(h);
    socket.volatile.emit("v", 1); // the transport is writable: sent
    socket.emit("n", 2);
    socket.volatile.emit("v", 3); // busy until the tick's write ends: dropped
    await new Promise((resolve) => setImmediate(resolve));
    socket.volatile.emit("v", 4); // writable again
    socket.emit("marker");
    expect((await client.received(6)).slice(2)).toEqual([
      '42["v",1]',
      '42["n",2]',
      '42["v",4]',
      '42["marker"]',
    ]);
  });

  it("keeps every client's acks and broadcasts in order under load (official clients)", async () => {
    const h = await startServer();
    h.io.on("connection", (s) => {
      s.join("r");
      s.on("req", (n: number, ack: (n: number) => void) => {
        h.io.to("r").emit("tick", s.id, n);
        ack(n);
      });
    });
    const CLIENTS = 8;
    const REQUESTS = 150;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(h)));
    const seen = clients.map(() => new Map<string, number>());
    const broadcastErrors: string[] = [];
    clients.forEach(([client], c) =>
      client.on("tick", (from: string, n: number) => {
        const last = seen[c].get(from) ?? -1;
        if (n !== last + 1) broadcastErrors.push(`client ${c}: ${from} sent ${n} after ${last}`);
        seen[c].set(from, n);
      }),
    );
    await Promise.all(
      clients.map(async ([client]) => {
        const acks: number[] = [];
        const pending: Promise<void>[] = [];
        for (let n = 0; n < REQUESTS; n++) {
          pending.push(
            new Promise<void>((resolve) =>
              client.emit("req", n, (m: number) => {
                acks.push(m);
                resolve();
              }),
            ),
          );
          if (n % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(pending);
        expect(acks).toEqual(Array.from({ length: REQUESTS }, (_, i) => i));
      }),
    );
    // every client saw every other client's broadcasts, each sender's in order
    await waitUntil(() =>
      seen.every((m) => m.size === CLIENTS && [...m.values()].every((v) => v === REQUESTS - 1)),
    );
    expect(broadcastErrors).toEqual([]);
    const probe = createClient(h);
    await waitFor(probe, "connect");
  });
});
