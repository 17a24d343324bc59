/**
 * Connection state recovery (`connectionStateRecovery`), through the official socket.io-client:
 * the transport is cut from the client side and the client reconnects on its own.
 *
 * To stay deterministic, new handshakes are held by an engine middleware while the client is
 * away: the server sees the disconnection, the test broadcasts what the client misses, then the
 * reconnection goes on.
 */
import type { Socket as ClientSocket } from "socket.io-client";
import { createClient, startServer, TRANSPORTS, type ServerHarness } from "../../support/server";
import type { Server, ServerOptions, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(async () => {
  jest.restoreAllMocks();
  await closeAll();
});

type ClientOpts = Parameters<typeof createClient>[2];

/** Holds new Engine.IO handshakes (requests without `sid`) until released. */
function handshakeGate(io: Server): { hold(): void; release(): void } {
  let held = false;
  let waiting: (() => void)[] = [];
  io.engine.use((req, _res, next) => {
    const hasSid = new URL(req.url ?? "/", "http://x").searchParams.has("sid");
    if (!held || hasSid) {
      next();
      return;
    }
    waiting.push(() => next());
  });
  return {
    hold() {
      held = true;
    },
    release() {
      held = false;
      const fns = waiting;
      waiting = [];
      for (const fn of fns) fn();
    },
  };
}

/** Client options: automatic reconnection with a short, fixed delay. */
function reconnecting(opts: ClientOpts): ClientOpts {
  return {
    ...opts,
    reconnection: true,
    reconnectionDelay: 20,
    reconnectionDelayMax: 20,
    randomizationFactor: 0,
  };
}

interface Connected {
  h: ServerHarness;
  client: ClientSocket;
  socket: Socket;
  gate: { hold(): void; release(): void };
}

/** A server with recovery, a connected client (upgraded when it may) and its server socket. */
async function connect(
  opts: ClientOpts,
  serverOpts: Partial<ServerOptions> = {},
  nsp = "/",
): Promise<Connected> {
  const h = await startServer({
    connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
    ...serverOpts,
  });
  const gate = handshakeGate(h.io);
  const conn = waitFor<[Socket]>(h.io.of(nsp), "connection");
  const client = createClient(h, nsp, reconnecting(opts));
  const upgraded =
    opts?.transports?.length === 2 ? waitFor(client.io.engine, "upgrade") : Promise.resolve();
  const connected = waitFor(client, "connect");
  const [socket] = await conn;
  await connected;
  await upgraded;
  return { h, client, socket, gate };
}

/** Collects the arguments of every `event` the client receives. */
function collect(client: ClientSocket, event: string): unknown[][] {
  const received: unknown[][] = [];
  client.on(event, (...args: unknown[]) => received.push(args));
  return received;
}

/**
 * Cuts the client's transport (reconnection stays on) and waits until the server saw the
 * disconnection. Handshakes are held: call `gate.release()` to let the client back in.
 */
async function cut(c: Connected): Promise<{ serverReason: string; clientReason: string }> {
  c.gate.hold();
  const serverDisconnect = waitFor<[string]>(c.socket, "disconnect");
  const clientDisconnect = waitFor<[string]>(c.client, "disconnect");
  c.client.io.engine.close();
  const [[serverReason], [clientReason]] = await Promise.all([serverDisconnect, clientDisconnect]);
  return { serverReason, clientReason };
}

/** Lets the client reconnect; resolves with the new server socket once the client is connected. */
async function reconnect(c: Connected, nsp = "/"): Promise<Socket> {
  const conn = waitFor<[Socket]>(c.h.io.of(nsp), "connection");
  const connected = waitFor(c.client, "connect");
  c.gate.release();
  const [socket] = await conn;
  await connected;
  return socket;
}

/** Makes the client hold an offset (it only gets one with a broadcast packet). */
async function primeOffset(c: Connected): Promise<string> {
  const got = waitFor<unknown[]>(c.client, "prime");
  c.socket.emit("prime");
  const args = await got;
  return args[args.length - 1] as string;
}

describe.each(TRANSPORTS)("connection state recovery over $name", ({ opts }) => {
  it("restores the id, rooms and data, and replays the missed packets in order", async () => {
    const c = await connect(opts);
    const { h, client, socket } = c;
    socket.join(["r1", "r2"]);
    socket.data = { user: "alice", n: 1 };
    const firstId = socket.id;
    expect(client.id).toBe(firstId);
    await primeOffset(c);
    const received = collect(client, "m");

    const { serverReason, clientReason } = await cut(c);
    expect(serverReason).toBe("transport close");
    expect(clientReason).toBe("forced close");
    h.io.emit("m", 1);
    h.io.to("r1").emit("m", 2);
    h.io.to("other").emit("m", "not for me");
    h.io.except("r2").emit("m", "excluded");
    h.io.to(firstId).emit("m", 3, { nested: [true] });
    socket.emit("m", 4); // the old socket: stored for its own id room
    h.io.volatile.emit("m", "volatile: not stored");
    const socket2 = await reconnect(c);

    expect(socket2.id).toBe(firstId);
    expect(socket2.recovered).toBe(true);
    expect(socket2).not.toBe(socket);
    expect([...socket2.rooms].sort()).toEqual([firstId, "r1", "r2"].sort());
    expect(socket2.data).toEqual({ user: "alice", n: 1 });
    expect(client.id).toBe(firstId);
    expect(client.recovered).toBe(true);
    // each replayed packet carries its offset last, as it did when first broadcast
    expect(received.map((args) => args.slice(0, -1))).toEqual([
      [1],
      [2],
      [3, { nested: [true] }],
      [4],
    ]);
    for (const args of received) expect(typeof args[args.length - 1]).toBe("string");
    // the live socket works: emits, acks, rooms
    socket2.on("echo", (v: unknown, cb: (v: unknown) => void) => cb(v));
    expect(await client.emitWithAck("echo", "ok")).toBe("ok");
    const inRoom = waitFor<unknown[]>(client, "room");
    h.io.to("r1").emit("room", "after");
    expect((await inRoom)[0]).toBe("after");
  });

  it("keeps the client's _pid and _lastOffset as socket.io-client uses them", async () => {
    const c = await connect(opts);
    const { client, socket } = c;
    const internals = client as unknown as { _pid?: string; _lastOffset?: string };
    expect(typeof socket.pid).toBe("string");
    expect(internals._pid).toBe(socket.pid);
    expect(internals._lastOffset).toBeUndefined();
    const offset = await primeOffset(c);
    expect(internals._lastOffset).toBe(offset);

    await cut(c);
    const missed = collect(client, "missed");
    c.h.io.emit("missed", "a");
    c.h.io.emit("missed", "b");
    const socket2 = await reconnect(c);
    expect(socket2.pid).toBe(socket.pid);
    expect(internals._pid).toBe(socket.pid);
    // the client moved on to the offset of the last replayed packet
    expect(missed.map((args) => args[0])).toEqual(["a", "b"]);
    expect(internals._lastOffset).toBe(missed[1][1]);
    expect(internals._lastOffset).not.toBe(offset);
    // the client sent them back in its CONNECT packet, merged into the auth
    expect(socket2.handshake.auth).toEqual({ pid: socket.pid, offset });
  });
});

describe("connection state recovery: middlewares", () => {
  it("skips the middlewares of a recovered socket by default (skipMiddlewares: true)", async () => {
    const h = await startServer({ connectionStateRecovery: {} });
    expect(h.io.opts.connectionStateRecovery).toEqual({
      maxDisconnectionDuration: 120_000,
      skipMiddlewares: true,
    });
    const seen: { id: string; recovered: boolean }[] = [];
    h.io.use((socket, next) => {
      seen.push({ id: socket.id, recovered: socket.recovered });
      next();
    });
    const gate = handshakeGate(h.io);
    const conn = waitFor<[Socket]>(h.io, "connection");
    const client = createClient(h, "/", reconnecting({ transports: ["websocket"] }));
    const [socket] = await conn;
    await waitFor(client, "connect");
    const c = { h, client, socket, gate } as Connected;
    await primeOffset(c);
    await cut(c);
    const socket2 = await reconnect(c);
    expect(socket2.recovered).toBe(true);
    expect(seen).toEqual([{ id: socket.id, recovered: false }]);
  });

  it("runs them again with skipMiddlewares: false, the socket already recovered", async () => {
    const seen: { id: string; recovered: boolean; data: unknown }[] = [];
    const c = await connect(
      { transports: ["websocket"] },
      { connectionStateRecovery: { skipMiddlewares: false } },
    );
    c.h.io.use((socket, next) => {
      seen.push({ id: socket.id, recovered: socket.recovered, data: socket.data });
      next();
    });
    c.socket.data = { kept: true };
    await primeOffset(c);
    await cut(c);
    const socket2 = await reconnect(c);
    expect(socket2.recovered).toBe(true);
    expect(seen).toEqual([{ id: c.socket.id, recovered: true, data: { kept: true } }]);
  });

  it("a middleware may still refuse a recovered socket (skipMiddlewares: false)", async () => {
    const c = await connect(
      { transports: ["websocket"] },
      { connectionStateRecovery: { skipMiddlewares: false } },
    );
    c.h.io.use((socket, next) => next(socket.recovered ? new Error("no way back") : undefined));
    await primeOffset(c);
    await cut(c);
    const refused = waitFor<[Error]>(c.client, "connect_error");
    c.gate.release();
    const [err] = await refused;
    expect(err.message).toBe("no way back");
    expect(c.h.io.sockets.sockets.size).toBe(0);
  });
});

describe("connection state recovery: when the state is not restored", () => {
  it("gives a new id once maxDisconnectionDuration has passed", async () => {
    const c = await connect(
      { transports: ["websocket"] },
      {
        connectionStateRecovery: { maxDisconnectionDuration: 1000 },
      },
    );
    c.socket.join("r1");
    c.socket.data = { lost: true };
    await primeOffset(c);
    await cut(c);
    // expiry follows the monotonic clock (performance.now), not Date.now
    const realNow = performance.now.bind(performance);
    jest.spyOn(performance, "now").mockImplementation(() => realNow() + 10_000);
    const socket2 = await reconnect(c);
    expect(socket2.id).not.toBe(c.socket.id);
    expect(socket2.recovered).toBe(false);
    expect(socket2.pid).not.toBe(c.socket.pid);
    expect([...socket2.rooms]).toEqual([socket2.id]);
    expect(socket2.data).toEqual({});
    expect(c.client.recovered).toBe(false);
    expect(c.client.id).toBe(socket2.id);
  });

  it("does not restore a client that never received an offset (as socket.io)", async () => {
    const c = await connect({ transports: ["websocket"] });
    await cut(c);
    const socket2 = await reconnect(c);
    expect(socket2.recovered).toBe(false);
    expect(socket2.id).not.toBe(c.socket.id);
    expect(socket2.handshake.auth).toEqual({ pid: c.socket.pid });
  });

  it("does not keep the session of a socket the server disconnected", async () => {
    const c = await connect({ transports: ["websocket"] });
    await primeOffset(c);
    const gone = waitFor<[string]>(c.client, "disconnect");
    c.socket.disconnect();
    expect((await gone)[0]).toBe("io server disconnect");
    const conn = waitFor<[Socket]>(c.h.io, "connection");
    c.client.connect();
    const [socket2] = await conn;
    expect(socket2.recovered).toBe(false);
    expect(socket2.id).not.toBe(c.socket.id);
  });

  it("does not keep the session of a client that disconnected on purpose", async () => {
    const c = await connect({ transports: ["websocket"] });
    await primeOffset(c);
    const reason = waitFor<[string]>(c.socket, "disconnect");
    c.client.disconnect();
    expect((await reason)[0]).toBe("client namespace disconnect");
    const conn = waitFor<[Socket]>(c.h.io, "connection");
    c.client.connect();
    const [socket2] = await conn;
    expect(socket2.recovered).toBe(false);
  });

  it("does not restore a session unknown to this server", async () => {
    const c = await connect({ transports: ["websocket"] });
    await primeOffset(c);
    const other = await startServer({ connectionStateRecovery: {} });
    const conn = waitFor<[Socket]>(other.io, "connection");
    const client = createClient(other, "/", {
      transports: ["websocket"],
      auth: { pid: c.socket.pid, offset: "unknown" },
    });
    const [socket] = await conn;
    await waitFor(client, "connect");
    expect(socket.recovered).toBe(false);
    expect(client.recovered).toBeFalsy();
  });

  it("replays nothing and recovers nothing without the option", async () => {
    const h = await startServer();
    const conn = waitFor<[Socket]>(h.io, "connection");
    const client = createClient(h, "/", { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(client, "connect");
    expect(socket.pid).toBeUndefined();
    expect(socket.recovered).toBe(false);
    expect((client as unknown as { _pid?: string })._pid).toBeUndefined();
    const got = waitFor<unknown[]>(client, "plain");
    h.io.emit("plain", 1);
    // no offset appended when recovery is off
    expect(await got).toEqual([1]);
  });
});

describe("connection state recovery on a custom namespace", () => {
  it("restores a socket of /chat with its rooms and missed packets", async () => {
    const c = await connect({ transports: ["polling"] }, {}, "/chat");
    const chat = c.h.io.of("/chat");
    c.socket.join("lobby");
    const got = waitFor<unknown[]>(c.client, "prime");
    chat.emit("prime");
    await got;
    const received = collect(c.client, "msg");
    await cut(c);
    chat.to("lobby").emit("msg", "while away");
    c.h.io.emit("msg", "main namespace: not for /chat");
    const socket2 = await reconnect(c, "/chat");
    expect(socket2.id).toBe(c.socket.id);
    expect(socket2.recovered).toBe(true);
    expect(socket2.rooms.has("lobby")).toBe(true);
    expect(received.map((args) => args[0])).toEqual(["while away"]);
  });
});
