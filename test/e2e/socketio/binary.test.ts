import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;
type Ack = (...args: unknown[]) => void;

/** The bytes of a Buffer, an ArrayBuffer or any ArrayBuffer view, as a Buffer. */
function bytes(value: unknown): Buffer {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new Error(`not binary: ${Object.prototype.toString.call(value)}`);
}

const isBinary = (v: unknown): boolean => v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/** A nested payload mixing binary of every kind with plain JSON. */
function nestedPayload(): Record<string, unknown> {
  const backing = new ArrayBuffer(16);
  new Uint8Array(backing).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  return {
    buffer: Buffer.from("hello"),
    arrayBuffer: new Uint8Array([9, 8, 7]).buffer,
    uint8: new Uint8Array([1, 2, 3, 4]),
    // a view on part of a larger buffer: only its own bytes travel
    view: new Uint8Array(backing, 4, 3),
    empty: Buffer.alloc(0),
    list: [Buffer.from([255]), "text", 42, { deep: { deeper: [null, Buffer.from([0, 0, 1])] } }],
    plain: { a: 1, b: [true, false, null], s: "str" },
  };
}

function expectNestedPayload(got: Record<string, unknown>): void {
  expect(bytes(got.buffer).toString()).toBe("hello");
  expect([...bytes(got.arrayBuffer)]).toEqual([9, 8, 7]);
  expect([...bytes(got.uint8)]).toEqual([1, 2, 3, 4]);
  expect([...bytes(got.view)]).toEqual([4, 5, 6]);
  expect(bytes(got.empty).length).toBe(0);
  const list = got.list as unknown[];
  expect([...bytes(list[0])]).toEqual([255]);
  expect(list[1]).toBe("text");
  expect(list[2]).toBe(42);
  const deep = (list[3] as { deep: { deeper: unknown[] } }).deep.deeper;
  expect(deep[0]).toBeNull();
  expect([...bytes(deep[1])]).toEqual([0, 0, 1]);
  expect(got.plain).toEqual({ a: 1, b: [true, false, null], s: "str" });
}

describe.each(TRANSPORTS)("binary over $name", ({ opts }) => {
  it("sends a Buffer from the server", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<unknown[]>(client, "bin");
    // a small Buffer.from() lives in a shared pool, at an offset
    socket.emit("bin", Buffer.from([1, 2, 3]));
    const [data] = await got;
    expect(isBinary(data)).toBe(true);
    expect([...bytes(data)]).toEqual([1, 2, 3]);
  });

  it("sends an ArrayBuffer and typed arrays from the server", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<unknown[]>(client, "bin");
    const int16 = new Int16Array([1, -1]);
    socket.emit("bin", new Uint8Array([5, 6]).buffer, new Uint8Array([7]), int16);
    const [ab, u8, i16] = await got;
    expect([...bytes(ab)]).toEqual([5, 6]);
    expect([...bytes(u8)]).toEqual([7]);
    expect(bytes(i16)).toEqual(Buffer.from(int16.buffer));
  });

  it("sends nested binary from the server", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<[Record<string, unknown>, string]>(client, "nested");
    socket.emit("nested", nestedPayload(), "after");
    const [payload, after] = await got;
    expectNestedPayload(payload);
    expect(after).toBe("after");
  });

  it("receives Buffers for the client's binary, nested", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<[Record<string, unknown>, unknown, unknown]>(socket, "nested");
    client.emit("nested", nestedPayload(), Buffer.from("top"), new Uint8Array([1]).buffer);
    const [payload, top, ab] = await got;
    expectNestedPayload(payload);
    expect(Buffer.isBuffer(payload.buffer)).toBe(true);
    expect(Buffer.isBuffer(payload.uint8)).toBe(true);
    expect(Buffer.isBuffer(payload.arrayBuffer)).toBe(true);
    expect(Buffer.isBuffer(top)).toBe(true);
    expect(bytes(top).toString()).toBe("top");
    expect(Buffer.isBuffer(ab)).toBe(true);
  });

  it("sends up to 10 binary attachments in one packet, both ways", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    // 10: socket.io-parser's default maxAttachments, on both sides
    const many = Array.from({ length: 10 }, (_, i) => Buffer.from([i]));
    const toServer = waitFor<unknown[]>(socket, "many");
    client.emit("many", ...many);
    expect((await toServer).map((b) => bytes(b)[0])).toEqual(many.map((b) => b[0]));
    const toClient = waitFor<unknown[]>(client, "many");
    socket.emit("many", many);
    const [list] = (await toClient) as [unknown[]];
    expect(list.map((b) => bytes(b)[0])).toEqual(many.map((b) => b[0]));
  });

  it("closes the connection of a client sending more than 10 attachments", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    let delivered = false;
    socket.on("many", () => {
      delivered = true;
    });
    const errored = waitFor<[Error]>(socket, "error");
    const closed = waitFor<[string]>(socket, "disconnect");
    const clientClosed = waitFor<[string]>(client, "disconnect");
    client.emit("many", ...Array.from({ length: 11 }, (_, i) => Buffer.from([i])));
    expect((await errored)[0].message).toBe("too many attachments");
    // socketkit: "parse error", as the issue asks (socket.io 4.8 reports "forced close")
    expect((await closed)[0]).toBe("parse error");
    expect((await clientClosed)[0]).toBe("transport close");
    expect(delivered).toBe(false);
  });

  it("carries large binary payloads both ways", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const big = Buffer.alloc(500_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const toClient = waitFor<unknown[]>(client, "big");
    socket.emit("big", big);
    expect(bytes((await toClient)[0]).equals(big)).toBe(true);
    const toServer = waitFor<unknown[]>(socket, "big");
    client.emit("big", big);
    expect(bytes((await toServer)[0]).equals(big)).toBe(true);
  });

  it("keeps the order of binary and text events", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      client.on("mixed", (v: unknown) => {
        seen.push(isBinary(v) ? `b${bytes(v)[0]}` : String(v));
        if (seen.length === 6) resolve();
      });
    });
    socket.emit("mixed", Buffer.from([1]));
    socket.emit("mixed", "t2");
    socket.emit("mixed", Buffer.from([3]));
    socket.emit("mixed", Buffer.from([4]));
    socket.emit("mixed", "t5");
    socket.emit("mixed", Buffer.from([6]));
    await done;
    expect(seen).toEqual(["b1", "t2", "b3", "b4", "t5", "b6"]);
  });

  it("acknowledges the client with binary", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.on("get", (name: string, cb: Ack) => cb({ name, file: Buffer.from([1, 2]) }, "x"));
    const [res, extra] = await new Promise<unknown[]>((resolve) => {
      client.emit("get", "file.bin", (...args: unknown[]) => resolve(args));
    });
    expect((res as { name: string }).name).toBe("file.bin");
    expect([...bytes((res as { file: unknown }).file)]).toEqual([1, 2]);
    expect(extra).toBe("x");
  });

  it("receives the client's binary acknowledgement", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    client.on("get", (cb: Ack) => cb([new Uint8Array([4, 5]), { b: Buffer.from("z") }]));
    const [list] = (await new Promise<unknown[]>((resolve) => {
      socket.emit("get", (...args: unknown[]) => resolve(args));
    })) as [[unknown, { b: unknown }]];
    expect(Buffer.isBuffer(list[0])).toBe(true);
    expect([...bytes(list[0])]).toEqual([4, 5]);
    expect(bytes(list[1].b).toString()).toBe("z");
    // with a timeout, and through emitWithAck
    const res = await socket.timeout(5000).emitWithAck("get");
    expect([...bytes((res as unknown[])[0])]).toEqual([4, 5]);
  });

  it("sends binary in a binary event with an acknowledgement, both ways", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.on("echo", (b: Buffer, cb: Ack) => cb(Buffer.concat([b, Buffer.from([0])])));
    const fromServer = await client.emitWithAck("echo", Buffer.from([7]));
    expect([...bytes(fromServer)]).toEqual([7, 0]);
    client.on("echo", (b: unknown, cb: Ack) => cb(bytes(b).length));
    expect(await socket.emitWithAck("echo", Buffer.alloc(10))).toBe(10);
  });

  it("broadcasts binary to every client, and with acknowledgements", async () => {
    const h = await startServer();
    const clients: ClientSocket[] = [];
    for (let i = 0; i < 3; i++) clients.push((await connect(h, opts))[0]);
    const got = clients.map((c) => waitFor<unknown[]>(c, "bin"));
    h.io.emit("bin", { payload: Buffer.from([1, 2, 3]) }, Buffer.from([4]));
    for (const [obj, b] of await Promise.all(got)) {
      expect([...bytes((obj as { payload: unknown }).payload)]).toEqual([1, 2, 3]);
      expect([...bytes(b)]).toEqual([4]);
    }
    clients.forEach((c, i) =>
      c.on("q", (buf: unknown, cb: Ack) => cb(Buffer.from([bytes(buf)[0] + i]))),
    );
    const responses = (await h.io.timeout(5000).emitWithAck("q", Buffer.from([10]))) as unknown[];
    expect(responses.map((r) => bytes(r)[0]).sort()).toEqual([10, 11, 12]);
  });

  it("sends binary in a namespace", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts, "/files");
    const got = waitFor<unknown[]>(socket, "up");
    client.emit("up", Buffer.from("in a namespace"));
    expect(bytes((await got)[0]).toString()).toBe("in a namespace");
    const down = waitFor<unknown[]>(client, "down");
    h.io.of("/files").emit("down", Buffer.from("back"));
    expect(bytes((await down)[0]).toString()).toBe("back");
  });
});
