import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { EventEmitter, once } from "node:events";
import { Socket as ClientSocket, type SocketOptions } from "engine.io-client";
import { WebSocket } from "ws";
import {
  EngineServer,
  uServer,
  type EngineServerOptions,
  type AttachOptions,
  type EngineSocket,
  type UwsAttachOptions,
} from "../../core/index";
import { registerCloser } from "./close-all";
import { waitFor } from "./wait";
import { listenApp, NO_HTTP_SERVER, UWS_HOST } from "./uws";

/**
 * `ENGINE_REFERENCE=1` runs the engine suites against the official engine.io server instead of
 * ours, to check that the expectations are engine.io's own. Tests of behaviour where we
 * deliberately differ are skipped in that mode (see `ours`).
 */
export const REFERENCE = process.env.ENGINE_REFERENCE === "1";

/** `it` for behaviour where socketkit deliberately differs from engine.io (skipped in reference mode). */
export const ours: jest.It = REFERENCE ? it.skip : it;

export interface EngineHarness {
  engine: EngineServer;
  http: HttpServer;
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The engine path with its query start: http://127.0.0.1:<port>/engine.io/?EIO=4 */
  url(query?: string): string;
  /** The same as `url`, with the ws: scheme. */
  wsUrl(query?: string): string;
  close(): Promise<void>;
}

const harnesses = new Set<EngineHarness>();
const clients = new Set<{ close(): unknown }>();
const rawSockets = new Set<WebSocket>();

function createEngine(opts: EngineServerOptions): EngineServer {
  if (!REFERENCE) return new EngineServer(opts);
  const { Server } = require("engine.io") as { Server: new (o: unknown) => EngineServer };
  return new Server(opts);
}

/**
 * engine.io closes a polling session that has no pending GET only after its `closeTimeout`
 * (30 s), which would hold the test process: in reference mode the teardown marks the transports
 * discarded first (what engine.io itself does to a transport it upgraded away from), so they
 * close at once.
 */
function discardPolling(engine: EngineServer): void {
  for (const socket of Object.values(engine.clients)) {
    (socket.transport as unknown as { discard?(): void }).discard?.();
  }
}

/**
 * Starts an http.Server on 127.0.0.1, port 0, with an EngineServer attached (in the uWS run,
 * unless the test brings its own http.Server: a uWS app with a uServer attached).
 */
export async function startEngine(
  opts: EngineServerOptions = {},
  attach: AttachOptions = {},
  http?: HttpServer,
): Promise<EngineHarness> {
  if (UWS_HOST && http === undefined) return startUwsEngine(opts, attach);
  http ??= createServer();
  const engine = createEngine(opts);
  engine.attach(http, attach);
  return listen(engine, http, attach.path ?? "/engine.io", attach.addTrailingSlash !== false);
}

/** Listens on 127.0.0.1:0 and registers the harness (an engine not attached: handleRequest). */
export async function listen(
  engine: EngineServer,
  http: HttpServer,
  path = "/engine.io",
  trailingSlash = true,
): Promise<EngineHarness> {
  // upgraded connections leave the http server's bookkeeping: track them all to end them
  const sockets = new Set<Duplex>();
  http.on("connection", (socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  return register(engine, http, port, path, trailingSlash, async () => {
    if (REFERENCE) discardPolling(engine);
    engine.close();
    http.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
}

/** Builds the harness of an engine listening on `port` and registers it for closeAll(). */
function register(
  engine: EngineServer,
  http: HttpServer,
  port: number,
  path: string,
  trailingSlash: boolean,
  close: () => Promise<void> | void,
): EngineHarness {
  const origin = `http://127.0.0.1:${port}`;
  const base = path.replace(/\/$/, "") + (trailingSlash ? "/" : "");
  const harness: EngineHarness = {
    engine,
    http,
    port,
    origin,
    url: (query = "EIO=4&transport=polling") => `${origin}${base}?${query}`,
    wsUrl: (query = "EIO=4&transport=websocket") => `ws://127.0.0.1:${port}${base}?${query}`,
    close: async () => {
      harnesses.delete(harness);
      await close();
    },
  };
  harnesses.add(harness);
  return harness;
}

/** Starts a uWS app on 127.0.0.1, port 0, with a uServer attached (whatever the run's host). */
export async function startUwsEngine(
  opts: EngineServerOptions = {},
  attach: UwsAttachOptions = {},
): Promise<EngineHarness> {
  const engine = new uServer(opts);
  const uws = await listenApp((app) => engine.attach(app, attach));
  const path = attach.path ?? "/engine.io";
  const trailingSlash = attach.addTrailingSlash !== false;
  return register(
    engine as unknown as EngineServer,
    NO_HTTP_SERVER,
    uws.port,
    path,
    trailingSlash,
    () => {
      engine.close();
      uws.close();
    },
  );
}

/** Builds an engine server without attaching it (for handleRequest/handleUpgrade tests). */
export function newEngine(opts: EngineServerOptions = {}): EngineServer {
  return createEngine(opts);
}

/** An official engine.io-client socket to the harness, closed after each test. */
export function engineClient(h: EngineHarness, opts: Partial<SocketOptions> = {}): ClientSocket {
  const socket = new ClientSocket(h.origin, { path: "/engine.io", ...opts });
  clients.add(socket);
  socket.on("close", () => clients.delete(socket));
  return socket;
}

/** The parts of engine.io-client 3.5.6 (socket.io-client v2's engine) the tests use. */
export interface ClientSocketV3 extends EventEmitter {
  readyState: string;
  id: string;
  transport: { name: string; query: Record<string, unknown> };
  send(data: string | Buffer | ArrayBuffer, opts?: unknown, fn?: () => void): void;
  close(): void;
}

/** An engine.io-client 3.5.6 socket (Engine.IO protocol v3), closed after each test. */
export function engineClientV3(
  h: EngineHarness,
  opts: Record<string, unknown> = {},
): ClientSocketV3 {
  const Socket =
    require("../../node_modules/socket.io-client-v2/node_modules/engine.io-client") as new (
      uri: string,
      opts: Record<string, unknown>,
    ) => ClientSocketV3;
  const socket = new Socket(h.origin, { path: "/engine.io", ...opts });
  clients.add(socket);
  socket.on("close", () => clients.delete(socket));
  return socket;
}

/** Closes whatever a test left open, and checks that closing the engine left no session behind. */
async function closeEngines(): Promise<void> {
  for (const c of clients) c.close();
  clients.clear();
  for (const ws of rawSockets) ws.terminate();
  rawSockets.clear();
  const open = [...harnesses];
  await Promise.all(open.map((h) => h.close()));
  for (const h of open) {
    if (h.engine.clientsCount !== 0 || Object.keys(h.engine.clients).length !== 0) {
      throw new Error(`sessions left after close: ${h.engine.clientsCount}`);
    }
  }
}
registerCloser(closeEngines);

/** Raw Engine.IO over HTTP: the handshake, returning the parsed open packet. */
export async function rawHandshake(
  h: EngineHarness,
  query = "EIO=4&transport=polling",
  init: RequestInit = {},
): Promise<{
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  raw: string;
  headers: Headers;
}> {
  const res = await fetch(h.url(query), init);
  const raw = await res.text();
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${raw}`);
  const first = raw.split("\x1e")[0];
  const open = first.startsWith("0{") ? first : first.substring(first.indexOf(":") + 1);
  return { ...JSON.parse(open.substring(1)), raw, headers: res.headers };
}

/** A raw polling session: the handshake, and the server-side socket. */
export async function pollingSession(
  h: EngineHarness,
): Promise<{ sid: string; socket: EngineSocket }> {
  const conn = waitFor<[EngineSocket]>(h.engine, "connection");
  const { sid } = await rawHandshake(h);
  const [socket] = await conn;
  return { sid, socket };
}

/** A raw WebSocket session, its open packet read, and the server-side socket. */
export async function wsSession(
  h: EngineHarness,
): Promise<{ ws: RawWebSocket; socket: EngineSocket }> {
  const conn = waitFor<[EngineSocket]>(h.engine, "connection");
  const ws = await rawWebSocket(h);
  await ws.next();
  const [socket] = await conn;
  return { ws, socket };
}

/** Raw poll: GET, returning status and body. */
export async function rawPoll(
  h: EngineHarness,
  sid: string,
  query = "EIO=4&transport=polling",
  init: RequestInit = {},
) {
  const res = await fetch(h.url(`${query}&sid=${sid}`), init);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Raw push: POST a body, returning status and body. */
export async function rawPush(
  h: EngineHarness,
  sid: string,
  body: string | Buffer,
  query = "EIO=4&transport=polling",
  headers: Record<string, string> = {},
) {
  const res = await fetch(h.url(`${query}&sid=${sid}`), { method: "POST", body, headers });
  return { status: res.status, body: await res.text() };
}

/** Any HTTP request to the harness, returning status, headers and body. */
export async function rawRequest(h: EngineHarness, query: string, init: RequestInit = {}) {
  const res = await fetch(h.url(query), init);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A raw `ws` WebSocket with a queue of received frames. */
export interface RawWebSocket {
  ws: WebSocket;
  /** The next frame (text as string, binary as Buffer). */
  next(ms?: number): Promise<string | Buffer>;
  /** Resolves with the close code once the connection is closed. */
  closed: Promise<number>;
  send(data: string | Buffer): void;
  /** The headers of the server's 101 answer. */
  upgradeHeaders: Record<string, string | string[] | undefined>;
}

/** Opens a raw WebSocket to the engine; resolves once it is open. */
export async function rawWebSocket(
  h: EngineHarness,
  query = "EIO=4&transport=websocket",
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<RawWebSocket> {
  const ws = new WebSocket(h.wsUrl(query), options);
  rawSockets.add(ws);
  const queue: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const m = isBinary ? data : data.toString();
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  ws.on("error", () => {});
  let upgradeHeaders: RawWebSocket["upgradeHeaders"] = {};
  ws.once("upgrade", (res) => (upgradeHeaders = res.headers));
  const closed = new Promise<number>((resolve) =>
    ws.on("close", (code) => {
      rawSockets.delete(ws);
      resolve(code);
    }),
  );
  await once(ws, "open");
  return {
    ws,
    closed,
    send: (data) => ws.send(data),
    upgradeHeaders,
    next: (ms = 5000) => {
      const m = queue.shift();
      if (m !== undefined) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("timeout waiting for a frame")), ms);
        waiters.push((msg) => {
          clearTimeout(timer);
          resolve(msg);
        });
      });
    },
  };
}

/**
 * Sends a raw HTTP upgrade request over TCP and returns everything the server wrote before it
 * closed the connection (or after `ms`, with `closed: false`).
 */
export async function rawUpgrade(
  h: EngineHarness,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  ms = 3000,
): Promise<{ response: string; closed: boolean }> {
  const socket = connect(h.port, "127.0.0.1");
  await once(socket, "connect");
  const lines = [
    `GET ${pathAndQuery} HTTP/1.1`,
    `Host: 127.0.0.1:${h.port}`,
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(lines.join("\r\n") + "\r\n\r\n");
  let response = "";
  socket.on("data", (chunk: Buffer) => (response += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { response: hostAnswer(response), closed };
}

/**
 * A raw HTTP answer as the tests compare it. On the Node host, byte for byte. On the uWS host
 * uWS writes its own `Date` and `uWebSockets` headers and its own header order: those two are
 * dropped and the header lines compared by lower-cased name, in sorted order (the status line,
 * every other header and the body stay exact).
 */
export function hostAnswer(answer: string): string {
  if (!UWS_HOST) return answer;
  const end = answer.indexOf("\r\n\r\n");
  if (end === -1) return answer;
  const [status, ...headers] = answer.slice(0, end).split("\r\n");
  const kept = headers
    .map((line) => {
      const colon = line.indexOf(":");
      return `${line.slice(0, colon).toLowerCase()}:${line.slice(colon + 1)}`;
    })
    .filter((line) => !line.startsWith("date:") && !line.startsWith("uwebsockets:"))
    .sort();
  return [status, ...kept].join("\r\n") + answer.slice(end);
}

/**
 * Sends a raw HTTP/1.1 request over TCP (for headers fetch refuses to send) and resolves with
 * the status code and the response text once the server closed the connection.
 */
export async function rawHttp(
  h: EngineHarness,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; response: string }> {
  const socket = connect(h.port, "127.0.0.1");
  await once(socket, "connect");
  const lines = [
    `${method} ${pathAndQuery} HTTP/1.1`,
    `Host: 127.0.0.1:${h.port}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(lines.join("\r\n") + "\r\n\r\n");
  let response = "";
  socket.on("data", (chunk: Buffer) => (response += chunk.toString("latin1")));
  socket.on("error", () => {});
  await once(socket, "close");
  return { status: Number(response.split(" ")[1]), response };
}

/** Resolves with the close reason of the next session and how long it lived. */
export function nextSessionClose(h: EngineHarness): Promise<{ reason: string; lifetime: number }> {
  return new Promise((resolve) =>
    h.engine.once("connection", (socket: EventEmitter) => {
      const opened = Date.now();
      socket.once("close", (reason: string) => resolve({ reason, lifetime: Date.now() - opened }));
    }),
  );
}
