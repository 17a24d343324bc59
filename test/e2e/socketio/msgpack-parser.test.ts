/**
 * The `parser` option with socket.io-msgpack-parser on both sides: every Socket.IO packet is one
 * MessagePack binary frame, through the official socket.io-client.
 */
import type { Socket as ClientSocket } from "socket.io-client";
import {
  connect as connectClient,
  createClient as createTrackedClient,
  startServer as startTrackedServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Parser, ServerOptions, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const msgpackParser = require("socket.io-msgpack-parser") as Parser & {
  Decoder: new () => {
    add(chunk: Buffer): void;
    on(ev: "decoded", fn: (p: unknown) => void): void;
  };
};

/** A server speaking msgpack (closed by closeAll). */
function startServer(opts: Partial<ServerOptions> = {}): Promise<ServerHarness> {
  return startTrackedServer({ parser: msgpackParser, ...opts });
}

/** An official client speaking msgpack (closed by closeAll, as every tracked client). */
function createClient(...args: Parameters<typeof createTrackedClient>): ClientSocket {
  const [h, nsp, opts] = args;
  return createTrackedClient(h, nsp, { parser: msgpackParser, ...opts });
}

afterEach(closeAll);

async function connect(
  h: ServerHarness,
  nsp: string,
  opts: Parameters<typeof createClient>[2],
): Promise<{ client: ClientSocket; socket: Socket }> {
  const [client, socket] = await connectClient(h, { parser: msgpackParser, ...opts }, nsp);
  return { client, socket };
}

describe.each(TRANSPORTS)("socket.io-msgpack-parser over $name", ({ opts }) => {
  it("uses the given parser for the server's encoder", async () => {
    const h = await startServer();
    expect(h.io.encoder).toBeInstanceOf(msgpackParser.Encoder);
    const { client, socket } = await connect(h, "/", opts);
    expect(client.id).toBe(socket.id);
  });

  it("writes each packet as one binary MessagePack frame", async () => {
    const h = await startServer();
    const { client, socket } = await connect(h, "/", opts);
    const frames: unknown[] = [];
    socket.conn.on("packetCreate", (packet: { type: string; data?: unknown }) => {
      if (packet.type === "message") frames.push(packet.data);
    });
    const got = waitFor(client, "hello");
    socket.emit("hello", "world", Buffer.from([1]));
    await got;
    expect(frames).toHaveLength(1);
    expect(Buffer.isBuffer(frames[0])).toBe(true);
    // the same packet, whatever the key order
    const decoder = new msgpackParser.Decoder();
    const decoded = new Promise((resolve) => decoder.on("decoded", resolve));
    decoder.add(frames[0] as Buffer);
    expect(await decoded).toEqual({
      type: 2,
      nsp: "/",
      data: ["hello", "world", Buffer.from([1])],
    });
  });

  it("emits and acknowledges both ways", async () => {
    const h = await startServer();
    const { client, socket } = await connect(h, "/", opts);
    socket.on("sum", (a: number, b: number, cb: (s: number) => void) => cb(a + b));
    expect(await client.emitWithAck("sum", 40, 2)).toBe(42);
    const payload = { s: "é✓", n: -1.5, big: 2 ** 40, arr: [true, null, { x: "y" }] };
    const hello = waitFor<unknown[]>(client, "hello");
    socket.emit("hello", payload, 7);
    expect(await hello).toEqual([payload, 7]);
    client.on("ask", (q: string, cb: (a: string) => void) => cb(q.toUpperCase()));
    expect(await socket.timeout(2000).emitWithAck("ask", "abc")).toBe("ABC");
  });

  it("carries binary without attachments (MessagePack bin)", async () => {
    const h = await startServer();
    const { client, socket } = await connect(h, "/", opts);
    const fromClient = waitFor<unknown[]>(socket, "bin");
    client.emit("bin", Uint8Array.from([1, 2, 3]), { nested: Buffer.from("xyz") });
    const [a, b] = await fromClient;
    expect(Buffer.from(a as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(Buffer.from((b as { nested: Uint8Array }).nested)).toEqual(Buffer.from("xyz"));

    const toClient = waitFor<unknown[]>(client, "bin");
    socket.emit("bin", Buffer.from([4, 5, 6]), [Buffer.from([7])]);
    const [c, d] = await toClient;
    expect(Buffer.from(c as Uint8Array)).toEqual(Buffer.from([4, 5, 6]));
    expect(Buffer.from((d as Uint8Array[])[0])).toEqual(Buffer.from([7]));

    socket.on("echo", (buf: Uint8Array, cb: (b: Uint8Array) => void) => cb(buf));
    const echoed = (await client.emitWithAck("echo", Buffer.from([8, 9]))) as Uint8Array;
    expect(Buffer.from(echoed)).toEqual(Buffer.from([8, 9]));
  });

  it("broadcasts to rooms and namespaces with the shared encoder", async () => {
    const h = await startServer();
    const a = await connect(h, "/", opts);
    const b = await connect(h, "/", opts);
    const chat = await connect(h, "/chat", opts);
    a.socket.join("r");
    chat.socket.join("r");
    const seenByB: unknown[] = [];
    b.client.on("room", (v: unknown) => seenByB.push(v));
    const inRoom = waitFor<unknown[]>(a.client, "room");
    h.io.to("r").emit("room", 1);
    expect(await inRoom).toEqual([1]);
    const all = [waitFor(a.client, "all"), waitFor(b.client, "all")];
    h.io.emit("all", Buffer.from([1]));
    await Promise.all(all);
    expect(seenByB).toEqual([]);
    const inChat = waitFor<unknown[]>(chat.client, "room");
    h.io.of("/chat").to("r").emit("room", "chat");
    expect(await inChat).toEqual(["chat"]);
    a.client.on("count", (cb: (n: number) => void) => cb(1));
    b.client.on("count", (cb: (n: number) => void) => cb(2));
    const counted = (await h.io.timeout(2000).emitWithAck("count")) as number[];
    expect(counted.sort()).toEqual([1, 2]);
  });

  it("sends middleware errors as CONNECT_ERROR", async () => {
    const h = await startServer();
    h.io.of("/private").use((_socket, next) => {
      next(Object.assign(new Error("denied"), { data: { reason: "token" } }));
    });
    const client = createClient(h, "/private", opts);
    const [err] = await waitFor<[Error & { data?: unknown }]>(client, "connect_error");
    expect(err.message).toBe("denied");
    expect(err.data).toEqual({ reason: "token" });
  });

  it("passes auth and disconnects both ways", async () => {
    const h = await startServer();
    const { client, socket } = await connect(h, "/", { ...opts, auth: { token: "t", n: 1 } });
    expect(socket.handshake.auth).toEqual({ token: "t", n: 1 });
    const reason = waitFor<[string]>(client, "disconnect");
    socket.disconnect();
    expect((await reason)[0]).toBe("io server disconnect");
    const second = await connect(h, "/", opts);
    const serverReason = waitFor<[string]>(second.socket, "disconnect");
    second.client.disconnect();
    expect((await serverReason)[0]).toBe("client namespace disconnect");
  });
});

describe("socket.io-msgpack-parser mismatch", () => {
  it("a client with the default parser cannot join a msgpack server", async () => {
    const h = await startServer();
    let connected = false;
    h.io.on("connection", () => (connected = true));
    const client = createTrackedClient(h, "/", { transports: ["websocket"] });
    const [reason] = await waitFor<[string]>(client.io, "close");
    expect(reason).toBe("transport close");
    expect(connected).toBe(false);
  });
});
