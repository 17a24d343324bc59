/**
 * Helpers shared by the framework integration tests (fastify, express, koa): listen on
 * 127.0.0.1:0, plain HTTP requests with a cookie jar of one cookie string, a client that resolves
 * once connected.
 */
import { request, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { once } from "node:events";
import type { ManagerOptions, Socket as ClientSocket, SocketOptions } from "socket.io-client";
import { createClient } from "../support/server";
import { waitFor } from "../support/wait";

/** Listens on 127.0.0.1, port 0; resolves with the base URL. */
export async function listen(server: HttpServer): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The cookies the answer sets, as a `Cookie` header value ("a=1; b=2"), or "". */
  cookie: string;
}

/** One HTTP request on its own connection (no keep-alive, so nothing stays open). */
export function http(
  url: string,
  opts: { method?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: "close", ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    const req = request(url, { method: opts.method ?? "GET", headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"] ?? [];
        const cookie = setCookie.map((c) => c.split(";")[0]).join("; ");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cookie });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** A socket.io-client socket (closed by the support's closeAll), once connected. */
export function connect(
  url: string,
  opts: Partial<ManagerOptions & SocketOptions> = {},
  nsp = "/",
): Promise<ClientSocket> {
  const socket = createClient({ url }, nsp, opts);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/**
 * Resolves once `socket` is on its last transport: a client allowed to upgrade has upgraded. A
 * server that closes in the middle of an upgrade can leave engine.io-client's paused polling
 * transport without a request in flight, so it notices only at the next heartbeat: tests of an
 * open connection wait for this first.
 */
export async function settled(socket: ClientSocket): Promise<void> {
  const engine = socket.io.engine;
  const allowed = (socket.io.opts.transports ?? []).map((t) =>
    typeof t === "string" ? t : t.name,
  );
  if (!allowed.includes("websocket") || engine.transport.name === "websocket") return;
  await waitFor(engine, "upgrade");
}

/** The connect_error a handshake ends with (rejects if it connects instead). */
export function connectError(
  url: string,
  opts: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Error & { description?: unknown; data?: unknown }> {
  const socket = createClient({ url }, "/", opts);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => reject(new Error("connected")));
    socket.once("connect_error", resolve);
  });
}

/** Whether nothing listens on `port` any more (a new server can bind it). */
export async function portIsFree(port: number): Promise<boolean> {
  const probe = createNetServer();
  try {
    probe.listen(port, "127.0.0.1");
    await once(probe, "listening");
    return true;
  } catch {
    return false;
  } finally {
    if (probe.listening) await new Promise((r) => probe.close(r));
  }
}

/** The client transports every behaviour is checked with. */
export const CLIENT_TRANSPORTS: [string, Partial<ManagerOptions & SocketOptions>][] = [
  ["polling", { transports: ["polling"] }],
  ["websocket", { transports: ["websocket"] }],
  ["polling then websocket", { transports: ["polling", "websocket"] }],
];

export type { ClientSocket };
