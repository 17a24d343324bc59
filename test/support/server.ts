import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import {
  io as ioc,
  type Socket as ClientSocket,
  type ManagerOptions,
  type SocketOptions,
} from "socket.io-client";
import {
  Server,
  type Namespace,
  type ServerOptions,
  type Socket,
  type UwsAttachOptions,
} from "../../core/index";
import type { EventsMap, DefaultEventsMap } from "../../core/index";
import { registerCloser } from "./close-all";
import { untilSessionsEnd, waitFor, waitUntil } from "./wait";
import { listenApp, NO_HTTP_SERVER, UWS_HOST, type ListeningApp } from "./uws";

export interface ServerHarness<L extends EventsMap = DefaultEventsMap, E extends EventsMap = L> {
  io: Server<L, E>;
  /** The http.Server (Node host); on the uWS host, a stand-in whose use fails the test. */
  http: HttpServer;
  /** The uWS app (uWS host only). */
  uws?: ListeningApp;
  port: number;
  url: string;
}

const servers = new Set<ServerHarness<EventsMap, EventsMap>>();
const clients = new Set<ClientSocket>();

/**
 * A Server attached to an http.Server on 127.0.0.1, port 0 (in the uWS run: to a uWS app, with
 * `io.attachApp`); closed by closeAll() (close-all.ts).
 */
export async function startServer<L extends EventsMap = DefaultEventsMap, E extends EventsMap = L>(
  opts: Partial<ServerOptions> = {},
): Promise<ServerHarness<L, E>> {
  if (UWS_HOST) return startUwsServer<L, E>(opts);
  const http = createServer();
  const io = new Server<L, E>(http, opts);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const h = { io, http, port, url: `http://127.0.0.1:${port}` };
  servers.add(h as unknown as ServerHarness<EventsMap, EventsMap>);
  return h;
}

/** A Server on a uWS app (`io.attachApp`) on 127.0.0.1, port 0, whatever the run's host. */
export async function startUwsServer<
  L extends EventsMap = DefaultEventsMap,
  E extends EventsMap = L,
>(opts: Partial<ServerOptions> = {}, attach: UwsAttachOptions = {}): Promise<ServerHarness<L, E>> {
  const io = new Server<L, E>(opts);
  const uws = await listenApp((app) => io.attachApp(app, attach));
  const url = `http://127.0.0.1:${uws.port}`;
  const h = { io, http: NO_HTTP_SERVER, uws, port: uws.port, url };
  servers.add(h as unknown as ServerHarness<EventsMap, EventsMap>);
  return h;
}

/** An official socket.io-client 4.x socket, closed by closeAll(). */
export function createClient(
  h: { url: string },
  nsp = "/",
  opts: Partial<ManagerOptions & SocketOptions> = {},
): ClientSocket {
  const socket = ioc(h.url + nsp, { forceNew: true, reconnection: false, ...opts });
  clients.add(socket);
  return socket;
}

/**
 * Connects an official client to `nsp` and resolves with it and its server-side socket;
 * `target` is the namespace whose "connection" to wait for when it is not `nsp`'s (the parent of
 * a dynamic namespace that does not exist yet).
 */
export async function connect(
  h: ServerHarness,
  opts: Partial<ManagerOptions & SocketOptions> = {},
  nsp = "/",
  target: Namespace = h.io.of(nsp),
): Promise<[ClientSocket, Socket]> {
  const conn = waitFor<[Socket]>(target, "connection");
  const client = createClient(h, nsp, opts);
  const connected = waitFor(client, "connect");
  const [socket] = await conn;
  await connected;
  return [client, socket];
}

/**
 * {@link connect}, then waits until the server side is on its last transport (a client allowed
 * to upgrade has upgraded) and can write at once: what a test of emit modifiers needs.
 */
export async function connectSettled(
  h: ServerHarness,
  opts: Partial<ManagerOptions & SocketOptions> = {},
): Promise<[ClientSocket, Socket]> {
  const [client, socket] = await connect(h, opts);
  if (opts.transports?.some((t) => t === "websocket")) {
    await waitUntil(() => socket.conn.transport.name === "websocket");
  }
  await waitUntil(() => socket.conn.transport.writable);
  return [client, socket];
}

/** Disconnects the clients, lets the servers see their sessions end, then closes the servers. */
async function closeServers(): Promise<void> {
  for (const c of clients) c.disconnect();
  clients.clear();
  // let the clients' close requests land, so none is in flight when the test environment ends
  await untilSessionsEnd([...servers].map((h) => h.io));
  await Promise.all(
    [...servers].map(async (h) => {
      servers.delete(h);
      if (h.uws) {
        await h.io.close();
        h.uws.close();
        return;
      }
      h.http.closeAllConnections();
      await h.io.close();
    }),
  );
}
registerCloser(closeServers);

export const TRANSPORTS: { name: string; opts: Partial<ManagerOptions & SocketOptions> }[] = [
  { name: "polling", opts: { transports: ["polling"] } },
  { name: "websocket", opts: { transports: ["websocket"] } },
  { name: "upgrade", opts: { transports: ["polling", "websocket"] } },
];
