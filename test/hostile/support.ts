/**
 * Hostile clients for test/hostile: raw Socket.IO sessions over WebSocket and polling, raw
 * WebSocket frames over TCP, a health check through the official client, and memory readings
 * after a forced GC.
 */
import { once } from "node:events";
import { connect as tcpConnect, type Socket as TcpSocket } from "node:net";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import WebSocket from "ws";
import type { Socket } from "../../core/index";
import type { ServerOptions } from "../../core/index";
import { connect, startServer, type ServerHarness } from "../support/server";
import { waitFor } from "../support/wait";
import { closeAll } from "../support/close-all";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** heap + external bytes after a full GC. */
export function liveBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export const MiB = 1024 * 1024;

/** Every raw connection a test opened (paused ones included), ended by closeHostile(). */
const rawClients = new Set<{ destroy(): void }>();

/**
 * The hostile suites' teardown (`afterEach(closeHostile)`): ends the raw clients left open
 * (paused ones included), then closes every harness through closeAll.
 */
export async function closeHostile(): Promise<void> {
  for (const client of rawClients) client.destroy();
  rawClients.clear();
  await closeAll();
}

/** A server whose "echo" handler acks back what it got, as an ordinary application would. */
export async function startTarget(opts: Partial<ServerOptions> = {}): Promise<ServerHarness> {
  const h = await startServer(opts);
  h.io.on("connection", (socket) => {
    socket.on("echo", (...args: unknown[]) => (args.pop() as (...a: unknown[]) => void)(...args));
  });
  return h;
}

/** A fresh official client echoes over websocket and over polling (then disconnects). */
export async function expectHealthy(h: ServerHarness): Promise<void> {
  for (const transports of [["websocket"], ["polling"]]) {
    const [client] = await connect(h, { transports });
    const answer: unknown = await client.timeout(5000).emitWithAck("echo", "still here");
    expect(answer).toBe("still here");
    client.disconnect();
  }
}

/** Resolves with the disconnect reason of the next socket that connects to `/`. */
export function nextDisconnect(h: ServerHarness): Promise<string> {
  return new Promise((resolve) =>
    h.io.once("connection", (socket: Socket) => socket.once("disconnect", (r) => resolve(r))),
  );
}

/** A raw Socket.IO session over WebSocket, connected to "/". */
export interface RawSio {
  ws: WebSocket;
  send(data: string | Buffer): void;
  /** Resolves with the close code. */
  closed: Promise<number>;
  messages: (string | Buffer)[];
}

export async function rawSioWebSocket(h: ServerHarness, eio = 4): Promise<RawSio> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/socket.io/?EIO=${eio}&transport=websocket`);
  rawClients.add({ destroy: () => ws.terminate() });
  const messages: (string | Buffer)[] = [];
  ws.on("error", () => {});
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const m = isBinary ? data : data.toString();
    messages.push(m);
    if (typeof m === "string" && m.startsWith("0{")) {
      if (eio === 4) ws.send("40");
      else connected(); // v3 joins "/" by itself
    }
    if (typeof m === "string" && m.startsWith("40")) connected();
  });
  await ready;
  return { ws, send: (d) => ws.send(d), closed, messages };
}

/** A raw Socket.IO session over HTTP long-polling, connected to "/". */
export interface RawPolling {
  sid: string;
  post(body: string): Promise<number>;
  poll(): Promise<{ status: number; body: string }>;
  url: string;
}

export async function rawSioPolling(h: ServerHarness, eio = 4): Promise<RawPolling> {
  const base = `${h.url}/socket.io/?EIO=${eio}&transport=polling`;
  const open = await (await fetch(base)).text();
  const json = open.slice(open.indexOf("{"), open.lastIndexOf("}") + 1);
  const sid = (JSON.parse(json) as { sid: string }).sid;
  const url = `${base}&sid=${sid}`;
  const v3 = (s: string): string => (eio === 3 ? `${s.length}:${s}` : s);
  const post = async (body: string): Promise<number> =>
    (await fetch(url, { method: "POST", body: v3(body) })).status;
  const poll = async (): Promise<{ status: number; body: string }> => {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  };
  if (eio === 4) await post("40");
  const first = await poll();
  if (!first.body.includes("40")) throw new Error("no CONNECT answer: " + first.body);
  return { sid, post, poll, url };
}

/** A WebSocket client written by hand over TCP: frames exactly as the test builds them. */
export interface RawFrames {
  socket: TcpSocket;
  /** Bytes the server sent after the 101 answer. */
  received: Buffer[];
  closed: Promise<void>;
}

/** Opens an Engine.IO WebSocket over raw TCP (the 101 answer is read, nothing more). */
export async function rawFrames(
  h: ServerHarness,
  query = "EIO=4&transport=websocket",
): Promise<RawFrames> {
  const socket = tcpConnect(h.port, "127.0.0.1");
  rawClients.add(socket);
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write(
    [
      `GET /socket.io/?${query} HTTP/1.1`,
      `Host: 127.0.0.1:${h.port}`,
      "Connection: Upgrade",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    ].join("\r\n") + "\r\n\r\n",
  );
  const received: Buffer[] = [];
  let head = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      if (!head.toString("latin1").startsWith("HTTP/1.1 101")) {
        reject(new Error("upgrade refused: " + head.toString("latin1")));
        return;
      }
      if (head.length > end + 4) received.push(head.subarray(end + 4));
      socket.on("data", (c: Buffer) => received.push(c));
      resolve();
    };
    socket.on("data", onData);
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received, closed };
}

/** One masked client frame. */
export function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const size = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(size + 4 + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len % 2 ** 32, 6);
  }
  // a zero mask: the payload goes as it is
  payload.copy(out, size + 4);
  return out;
}

/** The close code of the first close frame the server sent, if any. */
export function closeCodeOf(received: Buffer[]): number | undefined {
  const all = Buffer.concat(received);
  let pos = 0;
  while (pos + 2 <= all.length) {
    const opcode = all[pos] & 0x0f;
    let len = all[pos + 1] & 0x7f;
    let start = pos + 2;
    if (len === 126) {
      len = all.readUInt16BE(pos + 2);
      start += 2;
    } else if (len === 127) {
      len = all.readUInt32BE(pos + 6);
      start += 8;
    }
    if (opcode === 0x8) return len >= 2 ? all.readUInt16BE(start) : 1005;
    pos = start + len;
  }
  return undefined;
}

export { waitFor };

/** `[[[...]]]` nested `depth` levels (the outermost array included). */
export function nestedArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** `{"a":{"a":...}}` nested `depth` levels. */
export function nestedObject(depth: number, inner = "1"): string {
  return '{"a":'.repeat(depth) + inner + "}".repeat(depth);
}
