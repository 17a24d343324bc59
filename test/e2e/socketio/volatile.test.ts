import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connectSettled as connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;

/**
 * Connects, then waits until the connection is settled: over "upgrade", on websocket; over
 * polling, with a poll pending (the transport is writable).
 */
/** Collects the `ev` events a client receives, until `marker` arrives. */
function collect(client: ClientSocket, ev: string, marker = "marker"): Promise<unknown[]> {
  const got: unknown[] = [];
  const fn = (v: unknown): void => void got.push(v);
  client.on(ev, fn);
  return waitFor(client, marker).then(() => {
    client.off(ev, fn);
    return got;
  });
}

describe.each(TRANSPORTS)("volatile over $name", ({ opts }) => {
  it("delivers a volatile event when the transport is writable", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor(client, "vol");
    socket.volatile.emit("vol", 1);
    expect(await got).toEqual([1]);
  });

  it("drops a volatile event when the transport is busy, but not a normal one", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = collect(client, "ev");
    socket.emit("ev", "normal 1");
    // the first write took the pending poll (polling) / is being sent (websocket)
    expect(socket.conn.transport.writable).toBe(false);
    socket.volatile.emit("ev", "volatile");
    socket.emit("ev", "normal 2");
    socket.emit("marker");
    expect(await got).toEqual(["normal 1", "normal 2"]);
    // once writable again, volatile events go through
    await waitUntil(() => socket.conn.transport.writable);
    const later = waitFor(client, "ev");
    socket.volatile.emit("ev", "volatile later");
    expect(await later).toEqual(["volatile later"]);
  });

  it("drops a volatile broadcast only for the clients that are busy", async () => {
    const h = await startServer();
    const [busy, busySocket] = await connect(h, opts);
    const [idle, idleSocket] = await connect(h, opts);
    await waitUntil(() => busySocket.conn.transport.writable && idleSocket.conn.transport.writable);
    const busyGot = collect(busy, "ev");
    const idleGot = collect(idle, "ev");
    busySocket.emit("ev", "direct");
    h.io.volatile.emit("ev", "volatile broadcast");
    h.io.to(busySocket.id).emit("ev", "normal broadcast");
    h.io.emit("marker");
    expect(await busyGot).toEqual(["direct", "normal broadcast"]);
    expect(await idleGot).toEqual(["volatile broadcast"]);
  });

  it("drops volatile events sent through rooms and namespaces the same way", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.join("room");
    const got = collect(client, "ev");
    socket.emit("ev", 0);
    h.io.to("room").volatile.emit("ev", 1);
    h.io.of("/").volatile.emit("ev", 2);
    h.io.volatile.to("room").emit("ev", 3);
    socket.volatile.compress(false).emit("ev", 4);
    socket.compress(false).volatile.emit("ev", 5);
    socket.emit("marker");
    expect(await got).toEqual([0]);
  });

  it("keeps the volatile flag to its own emit", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = collect(client, "ev");
    const volatile = socket.volatile;
    socket.emit("ev", "first");
    volatile.emit("ev", "dropped");
    // the socket itself is not volatile: these are queued while the transport is busy
    socket.emit("ev", "second");
    h.io.emit("ev", "third");
    socket.emit("marker");
    expect(await got).toEqual(["first", "second", "third"]);
  });
});

describe.each(TRANSPORTS)("compress over $name", ({ opts }) => {
  /** The compress option of each message the engine socket sends. */
  function compressFlags(socket: Socket): (boolean | undefined)[] {
    const flags: (boolean | undefined)[] = [];
    socket.conn.on("packetCreate", (packet: { type: string; options?: { compress?: boolean } }) => {
      if (packet.type === "message") flags.push(packet.options?.compress);
    });
    return flags;
  }

  it("delivers events sent with compress(false) or compress(true)", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = collect(client, "ev");
    socket.compress(false).emit("ev", "no");
    socket.compress(true).emit("ev", "yes");
    h.io.compress(false).emit("ev", "broadcast no");
    h.io.to(socket.id).compress(false).emit("ev", "room no");
    socket.emit("marker");
    expect(await got).toEqual(["no", "yes", "broadcast no", "room no"]);
  });

  it("passes the compress flag to the engine, true by default", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const flags = compressFlags(socket);
    const done = waitFor(client, "marker");
    socket.emit("ev", 1);
    socket.compress(false).emit("ev", 2);
    socket.compress(true).emit("ev", 3);
    socket.emit("ev", 4);
    h.io.compress(false).emit("ev", 5);
    socket.emit("marker");
    await done;
    expect(flags).toEqual([true, false, true, true, false, true]);
  });

  it("compresses large messages with perMessageDeflate and still delivers them", async () => {
    const h = await startServer({ perMessageDeflate: { threshold: 0 } });
    const [client, socket] = await connect(h, opts);
    const big = "abc".repeat(10_000);
    const got = collect(client, "ev");
    socket.emit("ev", big);
    socket.compress(false).emit("ev", big);
    socket.emit("marker");
    expect(await got).toEqual([big, big]);
  });
});
