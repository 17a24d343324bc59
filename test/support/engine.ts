import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EventEmitter, once } from "node:events";
import { Socket as ClientSocket, type SocketOptions } from "engine.io-client";
import { EngineServer, type EngineServerOptions, type AttachOptions } from "../../core/index";

export interface EngineHarness {
  engine: EngineServer;
  http: HttpServer;
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The engine path with its query start: http://127.0.0.1:<port>/engine.io/?EIO=4 */
  url(query?: string): string;
  close(): Promise<void>;
}

const harnesses = new Set<EngineHarness>();
const clients = new Set<ClientSocket>();

/** Starts an http.Server on 127.0.0.1, port 0, with an EngineServer attached. */
export async function startEngine(
  opts: EngineServerOptions = {},
  attach: AttachOptions = {},
): Promise<EngineHarness> {
  const http = createServer();
  const engine = new EngineServer(opts);
  engine.attach(http, attach);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const path = attach.path ?? "/engine.io";
  const harness: EngineHarness = {
    engine,
    http,
    port,
    origin,
    url: (query = "EIO=4&transport=polling") => `${origin}${path}/?${query}`,
    close: async () => {
      harnesses.delete(harness);
      engine.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  harnesses.add(harness);
  return harness;
}

/** An official engine.io-client socket to the harness, closed after each test. */
export function engineClient(h: EngineHarness, opts: Partial<SocketOptions> = {}): ClientSocket {
  const socket = new ClientSocket(h.origin, { path: "/engine.io", ...opts });
  clients.add(socket);
  socket.on("close", () => clients.delete(socket));
  return socket;
}

/** Closes whatever a test left open. Call from afterEach. */
export async function closeAll(): Promise<void> {
  for (const c of clients) c.close();
  clients.clear();
  await Promise.all([...harnesses].map((h) => h.close()));
}

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
export async function waitFor<T extends unknown[] = unknown[]>(
  emitter: EventEmitter | { once(event: string, fn: (...args: never[]) => void): unknown },
  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for "${event}"`)), ms);
    (emitter as EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Raw Engine.IO over HTTP: the handshake, returning the parsed open packet. */
export async function rawHandshake(
  h: EngineHarness,
  query = "EIO=4&transport=polling",
): Promise<{
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  raw: string;
  headers: Headers;
}> {
  const res = await fetch(h.url(query));
  const raw = await res.text();
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${raw}`);
  const first = raw.split("\x1e")[0];
  return { ...JSON.parse(first.substring(1)), raw, headers: res.headers };
}

/** Raw poll: GET, returning status and body. */
export async function rawPoll(h: EngineHarness, sid: string, query = "EIO=4&transport=polling") {
  const res = await fetch(h.url(`${query}&sid=${sid}`));
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
