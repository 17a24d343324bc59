/**
 * socket.io-client 2.x (Engine.IO v3, Socket.IO v4 protocol... as v2 speaks it) against our
 * server with `allowEIO3: true`, as socket.io 4.8 serves them.
 */
import type { Socket as ClientSocket } from "socket.io-client";
import { createClient, startServer, type ServerHarness } from "../../support/server";
import type { EngineConnectionError, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

/** The part of a socket.io-client 2.x socket these tests use. */
interface V2Socket {
  id: string;
  connected: boolean;
  io: {
    engine: { id: string; transport: { name: string }; once(ev: string, fn: () => void): void };
  };
  on(event: string, fn: (...args: never[]) => void): V2Socket;
  once(event: string, fn: (...args: never[]) => void): V2Socket;
  emit(event: string, ...args: unknown[]): V2Socket;
  disconnect(): V2Socket;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ioV2 = require("socket.io-client-v2") as (uri: string, opts?: object) => V2Socket;

const V2_TRANSPORTS = [
  { name: "polling", opts: { transports: ["polling"] } },
  { name: "websocket", opts: { transports: ["websocket"] } },
  { name: "upgrade", opts: { transports: ["polling", "websocket"] } },
];

const v2Clients: V2Socket[] = [];

function createV2Client(h: ServerHarness, nsp = "/", opts: object = {}): V2Socket {
  const socket = ioV2(h.url + nsp, { forceNew: true, reconnection: false, ...opts });
  v2Clients.push(socket);
  return socket;
}

afterEach(async () => {
  // closeAll() waits for the servers to see every session end, these clients' included
  for (const client of v2Clients.splice(0)) client.disconnect();
  await closeAll();
});

/** A v2 client connected to `nsp`, and its server socket. */
async function connectV2(
  h: ServerHarness,
  nsp: string,
  opts: object,
): Promise<{ client: V2Socket; socket: Socket }> {
  const name = nsp.split("?")[0];
  const conn = waitFor<[Socket]>(h.io.of(name), "connection");
  const client = createV2Client(h, nsp, opts);
  const connected = waitFor(client, "connect");
  const [socket] = await conn;
  await connected;
  return { client, socket };
}

describe.each(V2_TRANSPORTS)("socket.io-client v2 over $name (allowEIO3)", ({ opts }) => {
  it("connects to / with the Engine.IO id as socket id, Engine.IO v3", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/", opts);
    expect(socket.conn.protocol).toBe(3);
    expect(socket.id).toBe(socket.conn.id);
    expect(client.id).toBe(socket.id);
    expect(socket.handshake.query.EIO).toBe("3");
    expect(socket.handshake.auth).toEqual({});
    expect(h.io.sockets.sockets.get(socket.id)).toBe(socket);
  });

  it("emits and acknowledges both ways", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/", opts);
    socket.on("add", (a: number, b: number, cb: (sum: number) => void) => cb(a + b));
    const sum = await new Promise((resolve) => client.emit("add", 2, 3, resolve));
    expect(sum).toBe(5);

    const hello = waitFor<unknown[]>(client, "hello");
    socket.emit("hello", "world", { a: [1, { b: null }] });
    expect(await hello).toEqual(["world", { a: [1, { b: null }] }]);

    client.on("question", (q: string, cb: (answer: string) => void) => cb(q + "!"));
    expect(await socket.timeout(2000).emitWithAck("question", "why")).toBe("why!");
    const plain = await new Promise((resolve) => socket.emit("question", "how", resolve));
    expect(plain).toBe("how!");
  });

  it("carries binary both ways", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/", opts);
    const fromClient = waitFor<unknown[]>(socket, "bin");
    client.emit("bin", Buffer.from([1, 2, 3]), { nested: Buffer.from("abc") });
    const [buf, obj] = await fromClient;
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf).toEqual(Buffer.from([1, 2, 3]));
    expect((obj as { nested: Buffer }).nested).toEqual(Buffer.from("abc"));

    const toClient = waitFor<unknown[]>(client, "bin");
    socket.emit("bin", Buffer.from([4, 5]), "text", { deep: [Buffer.from([6])] });
    const [b1, text, deep] = await toClient;
    expect(Buffer.from(b1 as Buffer)).toEqual(Buffer.from([4, 5]));
    expect(text).toBe("text");
    expect(Buffer.from((deep as { deep: Buffer[] }).deep[0])).toEqual(Buffer.from([6]));

    // a binary acknowledgement
    socket.on("binAck", (cb: (b: Buffer) => void) => cb(Buffer.from([9, 9])));
    const ack = await new Promise<Buffer>((resolve) => client.emit("binAck", resolve));
    expect(Buffer.from(ack)).toEqual(Buffer.from([9, 9]));
  });

  it("joins a namespace with query parameters as auth (and query), as socket.io v3+ does", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/nsp?token=x&lang=fr", opts);
    expect(socket.nsp.name).toBe("/nsp");
    expect(socket.handshake.auth).toEqual({ token: "x", lang: "fr" });
    expect(socket.handshake.query.token).toBe("x");
    expect(socket.handshake.query.lang).toBe("fr");
    // v2 socket ids: "<nsp>#<engine id>"
    expect(socket.id).toBe("/nsp#" + socket.conn.id);
    expect(client.id).toBe(socket.id);
    // v2 clients are connected to the main namespace at once, too
    expect(h.io.sockets.sockets.size).toBe(1);
    expect(h.io.sockets.sockets.has(socket.conn.id)).toBe(true);

    const got = waitFor<unknown[]>(client, "nspEvent");
    h.io.of("/nsp").emit("nspEvent", 1);
    expect(await got).toEqual([1]);
  });

  it("broadcasts to rooms", async () => {
    const h = await startServer({ allowEIO3: true });
    const a = await connectV2(h, "/", opts);
    const b = await connectV2(h, "/", opts);
    const v4 = createClient(h, "/", opts as object);
    await waitFor(v4, "connect");
    a.socket.join("room");
    const seenByB: string[] = [];
    b.client.on("room", () => seenByB.push("room"));
    const inRoom = waitFor<unknown[]>(a.client, "room");
    h.io.to("room").emit("room", "only a");
    expect(await inRoom).toEqual(["only a"]);
    const all = [waitFor(a.client, "all"), waitFor(b.client, "all"), waitFor(v4, "all")];
    h.io.emit("all", Buffer.from([1]));
    const results = await Promise.all(all);
    for (const [buf] of results) expect(Buffer.from(buf as Buffer)).toEqual(Buffer.from([1]));
    // "all" came after "room" on the same connection: b was not in the room
    expect(seenByB).toEqual([]);
    const fromA = waitFor<unknown[]>(b.client, "fromA");
    a.socket.broadcast.emit("fromA", "hi");
    expect(await fromA).toEqual(["hi"]);
  });

  it("a client disconnect reaches the server", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/", opts);
    const reason = waitFor<[string]>(socket, "disconnect");
    client.disconnect();
    expect((await reason)[0]).toBe("client namespace disconnect");
  });

  it("a server disconnect reaches the client", async () => {
    const h = await startServer({ allowEIO3: true });
    const { client, socket } = await connectV2(h, "/nsp", opts);
    const reason = waitFor<[string]>(client, "disconnect");
    socket.disconnect();
    expect((await reason)[0]).toBe("io server disconnect");
    expect(h.io.of("/nsp").sockets.size).toBe(0);
  });

  it("gets a middleware refusal as an 'error' event (data, else message)", async () => {
    const h = await startServer({ allowEIO3: true });
    h.io.of("/private").use((_socket, next) => {
      next(Object.assign(new Error("not authorized"), { data: { code: 42 } }));
    });
    h.io.of("/closed").use((_socket, next) => next(new Error("closed")));
    const withData = createV2Client(h, "/private", opts);
    expect(await waitFor(withData, "error")).toEqual([{ code: 42 }]);
    const withMessage = createV2Client(h, "/closed", opts);
    expect(await waitFor(withMessage, "error")).toEqual(["closed"]);
    expect(h.io.of("/private").sockets.size).toBe(0);
  });
});

describe("socket.io-client v2 without allowEIO3", () => {
  it.each(V2_TRANSPORTS)(
    "is refused over $name (unsupported protocol version)",
    async ({ opts }) => {
      const h = await startServer();
      const engineErrors: EngineConnectionError[] = [];
      h.io.engine.on("connection_error", (err: EngineConnectionError) => engineErrors.push(err));
      let connected = false;
      h.io.on("connection", () => (connected = true));
      const client = createV2Client(h, "/", opts);
      await waitFor(client, "connect_error");
      expect(connected).toBe(false);
      expect(client.connected).toBe(false);
      expect(engineErrors.length).toBeGreaterThanOrEqual(1);
      expect(engineErrors[0].code).toBe(5);
      expect(engineErrors[0].message).toBe("Unsupported protocol version");
      expect(engineErrors[0].context).toEqual({ protocol: 3 });
    },
  );

  it("keeps serving v4 clients", async () => {
    const h = await startServer();
    const client: ClientSocket = createClient(h, "/", { transports: ["websocket"] });
    await waitFor(client, "connect");
    expect(h.io.sockets.sockets.size).toBe(1);
  });
});

describe("v2 and v4 clients on the same server", () => {
  it("share rooms and namespaces", async () => {
    const h = await startServer({ allowEIO3: true });
    const v2 = await connectV2(h, "/chat?token=abc", { transports: ["websocket"] });
    const conn = waitFor<[Socket]>(h.io.of("/chat"), "connection");
    const v4 = createClient(h, "/chat", { auth: { token: "def" } });
    const [v4Socket] = await conn;
    await waitFor(v4, "connect");
    expect(v4Socket.handshake.auth).toEqual({ token: "def" });
    expect(v2.socket.handshake.auth).toEqual({ token: "abc" });
    v2.socket.join("r");
    v4Socket.join("r");
    const both = [waitFor(v2.client, "msg"), waitFor(v4, "msg")];
    h.io.of("/chat").to("r").emit("msg", { from: "server" });
    for (const [msg] of await Promise.all(both)) expect(msg).toEqual({ from: "server" });
    v2.socket.on("relay", (m: string) => v2.socket.to("r").emit("relayed", m));
    const relayed = waitFor<unknown[]>(v4, "relayed");
    v2.client.emit("relay", "hello v4");
    expect(await relayed).toEqual(["hello v4"]);
  });
});
