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
type Ack = (...args: unknown[]) => void;

/** Connects and waits until the connection is settled (upgraded if asked, writable). */
async function connectMany(
  h: ServerHarness,
  n: number,
  opts: ClientOpts,
): Promise<{ clients: ClientSocket[]; sockets: Socket[] }> {
  const clients: ClientSocket[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const [c, s] = await connect(h, opts);
    clients.push(c);
    sockets.push(s);
  }
  return { clients, sockets };
}

/** Which clients get `event` from `send` (a marker to everyone closes the window). */
async function recipients(
  h: ServerHarness,
  clients: ClientSocket[],
  event: string,
  send: () => void,
): Promise<number[]> {
  const got: number[] = [];
  const handlers = clients.map((c, i) => {
    const fn = (): void => void got.push(i);
    c.on(event, fn);
    return fn;
  });
  const markers = clients.map((c) => waitFor(c, "__marker"));
  send();
  h.io.emit("__marker");
  await Promise.all(markers);
  clients.forEach((c, i) => c.off(event, handlers[i]));
  return got.sort();
}

/** The compress option of each message the engine socket sends. */
function compressFlags(socket: Socket): (boolean | undefined)[] {
  const flags: (boolean | undefined)[] = [];
  socket.conn.on("packetCreate", (packet: { type: string; options?: { compress?: boolean } }) => {
    if (packet.type === "message") flags.push(packet.options?.compress);
  });
  return flags;
}

describe.each(TRANSPORTS)("socket modifiers over $name", ({ opts }) => {
  it("timeout() applies to its own emit only", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    client.on("silent", () => {});
    client.on("q", (cb: Ack) => cb("answer"));
    const timedOut = new Promise<unknown[]>((resolve) => {
      socket.timeout(50).emit("silent", (...args: unknown[]) => resolve(args));
    });
    // the next emit has no timeout: its callback is not err-first
    const plain = new Promise<unknown[]>((resolve) => {
      socket.emit("q", (...args: unknown[]) => resolve(args));
    });
    expect(await plain).toEqual(["answer"]);
    expect(((await timedOut)[0] as Error).message).toBe("operation has timed out");
    expect(await socket.emitWithAck("q")).toBe("answer");
  });

  it("compress() applies to its own emit only", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const flags = compressFlags(socket);
    const done = waitFor(client, "marker");
    socket.compress(false).emit("ev", 1);
    socket.emit("ev", 2);
    socket.compress(false).send("three");
    socket.write("four");
    socket.emit("marker");
    await done;
    expect(flags).toEqual([false, true, false, true, true]);
  });

  it("volatile applies to its own emit only", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got: unknown[] = [];
    client.on("ev", (v: unknown) => got.push(v));
    const done = waitFor(client, "marker");
    socket.emit("ev", "busy now");
    socket.volatile.emit("ev", "dropped");
    socket.emit("ev", "kept");
    socket.emit("marker");
    await done;
    expect(got).toEqual(["busy now", "kept"]);
  });

  it("chains modifiers, in any order", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    client.on("q", (v: number, cb: Ack) => cb(v + 1));
    expect(await socket.timeout(5000).compress(false).emitWithAck("q", 1)).toBe(2);
    expect(await socket.compress(false).timeout(5000).emitWithAck("q", 2)).toBe(3);
    expect(await socket.volatile.timeout(5000).emitWithAck("q", 3)).toBe(4);
    const args = await new Promise<unknown[]>((resolve) => {
      socket
        .compress(true)
        .timeout(5000)
        .emit("q", 4, (...a: unknown[]) => resolve(a));
    });
    expect(args).toEqual([null, 5]);
  });

  it("carries the socket's modifiers to a broadcast from it", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    clients.forEach((c, i) => c.on("q", (cb: Ack) => cb(i)));
    sockets[1].join("r");
    sockets[2].join("r");
    const res = (await sockets[0].timeout(5000).to("r").emitWithAck("q")) as number[];
    expect(res.sort()).toEqual([1, 2]);
    const all = (await sockets[0].timeout(5000).broadcast.emitWithAck("q")) as number[];
    expect(all.sort()).toEqual([1, 2]);
    expect(await sockets[0].timeout(5000).except("r").emitWithAck("q")).toEqual([]);
    // compress(false) reaches the engine of each recipient
    const flags = compressFlags(sockets[1]);
    await recipients(h, clients, "ev", () => sockets[0].compress(false).to("r").emit("ev"));
    expect(flags[0]).toBe(false);
  });
});

describe("socket modifiers are values (socketkit)", () => {
  it("a timeout operator can be kept and reused", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, TRANSPORTS[1].opts);
    client.on("silent", () => {});
    const withTimeout = socket.timeout(30);
    await expect(withTimeout.emitWithAck("silent")).rejects.toThrow("operation has timed out");
    await expect(withTimeout.emitWithAck("silent")).rejects.toThrow("operation has timed out");
  });

  it("a compress operator can be kept and reused, and the socket stays unchanged", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, TRANSPORTS[1].opts);
    const flags = compressFlags(socket);
    const done = waitFor(client, "marker");
    const uncompressed = socket.compress(false);
    socket.emit("ev", 1);
    uncompressed.emit("ev", 2);
    uncompressed.emit("ev", 3);
    socket.emit("marker");
    await done;
    expect(flags).toEqual([true, false, false, true]);
  });
});

describe.each(TRANSPORTS)("io.local over $name", ({ opts }) => {
  it("emits to every local socket, rooms and exclusions included", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    sockets[1].join("r");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    expect(await r(() => h.io.local.emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => h.io.local.to("r").emit("ev"))).toEqual([1]);
    expect(await r(() => h.io.to("r").local.emit("ev"))).toEqual([1]);
    expect(await r(() => h.io.local.except("r").emit("ev"))).toEqual([0, 2]);
    expect(await r(() => h.io.of("/").local.emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => sockets[0].local.emit("ev"))).toEqual([1, 2]);
    expect(await r(() => sockets[0].broadcast.local.emit("ev"))).toEqual([1, 2]);
  });

  it("lists, fetches and acknowledges locally", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 2, opts);
    clients.forEach((c, i) => c.on("q", (cb: Ack) => cb(i)));
    expect(await h.io.local.allSockets()).toEqual(new Set(sockets.map((s) => s.id)));
    expect((await h.io.local.fetchSockets()).map((s) => s.id).sort()).toEqual(
      sockets.map((s) => s.id).sort(),
    );
    const res = (await h.io.local.timeout(5000).emitWithAck("q")) as number[];
    expect(res.sort()).toEqual([0, 1]);
  });
});

describe.each(TRANSPORTS)("BroadcastOperator immutability over $name", ({ opts }) => {
  it("to(), in() and except() return new operators", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    sockets[0].join("a");
    sockets[1].join("b");
    sockets[2].join(["a", "c"]);
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    const toA = h.io.to("a");
    const toAB = toA.to("b");
    const toAnotC = toA.except("c");
    const inB = toA.in("b");
    expect(toAB).not.toBe(toA);
    expect(await r(() => toA.emit("ev"))).toEqual([0, 2]);
    expect(await r(() => toAB.emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => toAnotC.emit("ev"))).toEqual([0]);
    expect(await r(() => inB.emit("ev"))).toEqual([0, 1, 2]);
    // the original is still "a" only, and can be reused
    expect(await r(() => toA.emit("ev"))).toEqual([0, 2]);
    expect(await r(() => toA.emit("ev"))).toEqual([0, 2]);
    // the server and namespace keep no state from to()
    expect(await r(() => h.io.emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => h.io.of("/").emit("ev"))).toEqual([0, 1, 2]);
  });

  it("except() on a derived operator does not touch its parent", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    sockets[1].join("x");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    const all = h.io.except([]);
    const notX = all.except("x");
    void notX.except(sockets[0].id);
    expect(await r(() => all.emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => notX.emit("ev"))).toEqual([0, 2]);
  });

  it("socket.broadcast is a fresh operator on each access", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    sockets[1].join("r");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    const b = sockets[0].broadcast;
    void b.to("r");
    expect(await r(() => b.emit("ev"))).toEqual([1, 2]);
    expect(await r(() => sockets[0].broadcast.to("r").emit("ev"))).toEqual([1]);
    expect(await r(() => sockets[0].broadcast.emit("ev"))).toEqual([1, 2]);
    const toR = sockets[0].to("r");
    void toR.except("r");
    expect(await r(() => toR.emit("ev"))).toEqual([1]);
  });

  it("compress(), volatile and timeout() do not change the operator they come from", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 2, opts);
    const op = h.io.to(sockets.map((s) => s.id));
    const flags = compressFlags(sockets[0]);
    void op.compress(false);
    void op.volatile;
    void op.timeout(1);
    await recipients(h, clients, "ev", () => op.emit("ev"));
    expect(flags[0]).toBe(true);
    // still not volatile: an emit while the transport is busy is kept
    const got: unknown[] = [];
    clients[0].on("kept", (v: unknown) => got.push(v));
    const done = waitFor(clients[0], "marker");
    sockets[0].emit("kept", 1);
    op.emit("kept", 2);
    sockets[0].emit("marker");
    await done;
    expect(got).toEqual([1, 2]);
    // and a timeout operator is reusable
    clients.forEach((c) => c.on("q", (cb: Ack) => cb("ok")));
    const withTimeout = op.timeout(5000);
    expect(await withTimeout.emitWithAck("q")).toEqual(["ok", "ok"]);
    expect(await withTimeout.emitWithAck("q")).toEqual(["ok", "ok"]);
  });

  it("room operations honour the operator's targets", async () => {
    const h = await startServer();
    const { sockets } = await connectMany(h, 3, opts);
    sockets[0].join("a");
    sockets[1].join("a");
    const inA = h.io.in("a");
    const inANot0 = inA.except(sockets[0].id);
    inANot0.socketsJoin("joined");
    expect(await h.io.in("joined").allSockets()).toEqual(new Set([sockets[1].id]));
    inA.socketsJoin("all-a");
    expect(await h.io.in("all-a").allSockets()).toEqual(new Set([sockets[0].id, sockets[1].id]));
    expect((await inANot0.fetchSockets()).map((s) => s.id)).toEqual([sockets[1].id]);
    expect(await inA.allSockets()).toEqual(new Set([sockets[0].id, sockets[1].id]));
  });
});
