/**
 * Several Socket.IO servers in one cluster, for the test/cluster suites: socketkit nodes and
 * official `socket.io` nodes (devDependency, for mixed clusters), each on 127.0.0.1 port 0,
 * with official clients; everything a test opens is closed by `closeCluster()` (afterEach).
 */
import { createServer, type Server as HttpServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Server as OfficialServer } from "socket.io";
import {
  io as ioc,
  type ManagerOptions,
  type Socket as ClientSocket,
  type SocketOptions,
} from "socket.io-client";
import { Server, type ServerOptions, type Socket } from "../../core/index";
import { startTcpProxy } from "../support/tcp-proxy";
import { sleep, waitFor } from "../support/wait";

export type NodeKind = "socketkit" | "socket.io";

export interface AdapterNode {
  kind: NodeKind;
  /** The server, typed as ours: the official one has the same public API. */
  io: Server;
  http: HttpServer;
  url: string;
}

const nodes = new Set<AdapterNode>();
const clients = new Set<ClientSocket>();
const closers: (() => Promise<unknown> | unknown)[] = [];

/** Registers something to close after the nodes (broker clients, pools), in reverse order. */
export function onCleanup(close: () => Promise<unknown> | unknown): void {
  closers.push(close);
}

/** A socketkit or official socket.io server with `opts` (an adapter), listening on port 0. */
export async function startAdapterNode(
  kind: NodeKind,
  opts: Partial<ServerOptions> = {},
): Promise<AdapterNode> {
  const http = createServer();
  const io =
    kind === "socketkit"
      ? new Server(http, opts)
      : (new OfficialServer(http, opts as never) as unknown as Server);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const node = {
    kind,
    io,
    http,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
  };
  nodes.add(node);
  return node;
}

/** An official client connected to `node`: resolves with it and its server-side socket. */
export async function connectTo(
  node: AdapterNode,
  nsp = "/",
  opts: Partial<ManagerOptions & SocketOptions> = {},
): Promise<{ client: ClientSocket; socket: Socket }> {
  const conn = waitFor<[Socket]>(node.io.of(nsp), "connection");
  const client = ioc(node.url + nsp, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    ...opts,
  });
  clients.add(client);
  const [socket] = await conn;
  if (!client.connected) await waitFor(client, "connect");
  return { client, socket };
}

/** Tracks a client opened elsewhere, so that closeCluster() closes it. */
export function trackClient(client: ClientSocket): ClientSocket {
  clients.add(client);
  return client;
}

/**
 * Waits until every node's adapter for `nsp` counts `count` servers (the nodes found each other
 * through the broker). Polls `serverCount()`, the only view the adapters give of it.
 */
export async function untilServerCount(
  list: AdapterNode[],
  count: number,
  nsp = "/",
  ms = 15000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (const node of list) {
    const adapter = node.io.of(nsp).adapter;
    for (;;) {
      const seen = await adapter.serverCount();
      if (seen === count) break;
      if (Date.now() > deadline) {
        throw new Error(`${node.kind} node ${node.url} counts ${seen} servers, not ${count}`);
      }
      await sleep(25);
    }
  }
}

/** Closes a node (its adapters publish their departure) and forgets it. */
export async function closeNode(node: AdapterNode): Promise<void> {
  if (!nodes.delete(node)) return;
  node.http.closeAllConnections();
  await node.io.close();
}

/** Closes every client, node and registered resource of the test. */
export async function closeCluster(): Promise<void> {
  for (const client of clients) client.disconnect();
  clients.clear();
  for (const node of [...nodes]) await closeNode(node);
  // what the closing servers deferred to the next tick (admin-ui reports room departures so)
  // still publishes: the broker clients close after it
  await new Promise((resolve) => setImmediate(resolve));
  for (const close of closers.splice(0).reverse()) await close();
}

/**
 * A TCP proxy standing for a load balancer: forwards every new connection to `target` (a port
 * on 127.0.0.1), which can be switched; `cut()` drops the open connections (both ends), as a
 * network failure would.
 */
export interface SwitchProxy {
  url: string;
  target: number;
  cut(): void;
}

export async function startSwitchProxy(target: number): Promise<SwitchProxy> {
  const tcp = await startTcpProxy((attempt) => (attempt === 0 ? proxy.target : undefined));
  const proxy: SwitchProxy = { url: tcp.url, target, cut: tcp.cut };
  onCleanup(tcp.close);
  return proxy;
}

/** The port of a node, for a proxy target. */
export function portOf(node: AdapterNode): number {
  return (node.http.address() as AddressInfo).port;
}

let adapterTimersEnd = 0;

/**
 * An `emitWithAck` with a timeout through an official cluster adapter: those adapters keep a
 * timer per request until its timeout, even once every answer arrived. Noted here, so that
 * `afterAll(adapterTimersDone)` lets them run out and the test process ends by itself.
 */
export function withAckTimeout(ms: number): number {
  adapterTimersEnd = Math.max(adapterTimersEnd, Date.now() + ms);
  return ms;
}

/** Resolves once the adapters' request timers noted by `withAckTimeout` have run out. */
export async function adapterTimersDone(): Promise<void> {
  const left = adapterTimersEnd - Date.now();
  if (left > 0) await sleep(left + 10);
}
