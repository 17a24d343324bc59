/**
 * Sticky-free cluster tests: socketkit nodes on Redis (CI=true makes a missing Redis a failure,
 * elsewhere the suite skips loudly), and a round-robin HTTP proxy that
 * sends every request (and every upgrade) to the next node, with no stickiness at all.
 */
import {
  createServer,
  request,
  Agent,
  type IncomingHttpHeaders,
  type Server as HttpServer,
} from "node:http";
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { createClient } from "redis";
import { createAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { Server, type EngineClusterOptions, type ServerOptions } from "../../core/index";
import { RedisClusterDriver } from "../../core/engine/cluster/redis";
import { REDIS_URL, describeWithBroker, type RedisClient } from "../support/brokers";
import { listenApp, type ListeningApp } from "../support/uws";

/**
 * `describe` for a suite that needs Redis (test/support/brokers.ts: skipped loudly when Redis is
 * down, a failure under CI=true).
 */
export const describeWithRedis: jest.Describe = describeWithBroker(
  "redis",
  "sticky-free cluster (engine routing over Redis)",
);

export interface RoutedNode {
  name: string;
  io: Server;
  /** The node's http.Server, or null on µWebSockets.js. */
  http: HttpServer | null;
  /** The node's µWebSockets.js app (`io.attachApp`), or null on node:http. */
  uws: ListeningApp | null;
  port: number;
  clients: RedisClient[];
  driver: RedisClusterDriver;
  killed: boolean;
}

/**
 * A socketkit node: Redis cluster driver (engine routing) + Redis adapter (rooms, broadcasts),
 * on node:http or (`host` "uws") on a µWebSockets.js app.
 */
export async function startRoutedNode(
  name: string,
  prefix: string,
  opts: Partial<ServerOptions> = {},
  cluster: Omit<EngineClusterOptions, "driver"> = {},
  adapter: "redis" | "redis-streams" = "redis",
  host: "node" | "uws" = "node",
): Promise<RoutedNode> {
  const clients = [0, 1, 2, 3].map(() => createClient({ url: REDIS_URL }));
  await Promise.all(clients.map((c) => c.connect()));
  const [pub, sub, adapterPub, adapterSub] = clients;
  const driver = new RedisClusterDriver(pub, sub);
  const options: Partial<ServerOptions> = {
    pingInterval: 2000,
    pingTimeout: 2000,
    ...opts,
    cluster: { driver, channelPrefix: prefix, ...cluster },
    adapter:
      adapter === "redis"
        ? createAdapter(adapterPub, adapterSub, { key: prefix + "-adapter" })
        : createStreamsAdapter(adapterPub, {
            streamName: prefix + "-stream",
            channelPrefix: prefix + "-streams",
            sessionKeyPrefix: prefix + "-session:",
            blockTimeInMs: 100,
          }),
  };
  const node = { name, clients, driver, killed: false };
  if (host === "uws") {
    const io = new Server(options);
    const uws = await listenApp((app) => io.attachApp(app));
    await io.engine.cluster?.ready;
    return { ...node, io, http: null, uws, port: uws.port };
  }
  const http = createServer();
  const io = new Server(http, options);
  await io.engine.cluster?.ready;
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { ...node, io, http, uws: null, port: (http.address() as AddressInfo).port };
}

/** A graceful stop: sessions closed, adapter and driver released, connections closed. */
export async function stopNode(node: RoutedNode): Promise<void> {
  if (node.killed) return;
  node.killed = true;
  const closed = new Promise<void>((resolve) => node.io.close(() => resolve()));
  // idle keep-alive connections would hold http.close() until they time out
  node.http?.closeIdleConnections();
  node.http?.closeAllConnections();
  await closed;
  node.uws?.close();
  await node.driver.close();
  await Promise.all(node.clients.map((c) => c.quit().catch(() => undefined)));
}

/**
 * A crash, as near as one process allows: the node's broker connections and HTTP connections
 * are cut first (nothing it says afterwards reaches anyone), then its timers are stopped.
 */
export async function killNode(node: RoutedNode): Promise<void> {
  node.killed = true;
  // commands already sent (an adapter's PUBLISH, which @socket.io/redis-adapter never awaits)
  // would be rejected by destroy() inside this test process: let them land first (a PING
  // answers after them), as they would have before a real crash
  await Promise.all(node.clients.map((c) => (c.isPubSubActive ? undefined : c.ping())));
  for (const c of node.clients) c.destroy();
  node.http?.closeAllConnections();
  node.http?.close();
  node.uws?.close();
  await new Promise<void>((resolve) => node.io.close(() => resolve()));
}

/**
 * A request's headers without the hop-by-hop ones: the balancer keeps its own connections to the
 * nodes, as a real one does (a client's `Connection: close` is not the node's to obey; uWS would
 * close a pooled connection after its answer without saying so).
 */
function hopHeadersRemoved(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _connection, "keep-alive": _keepAlive, ...rest } = headers;
  return rest;
}

/** A load balancer without stickiness: each request or upgrade goes to the next live node. */
export interface RoundRobinProxy {
  url: string;
  /** Requests (HTTP and upgrades) sent to each node, by node index. */
  counts: number[];
  /** Takes a node out of the rotation (the balancer's health check saw it die). */
  remove(index: number): void;
  /** Puts a node back into the rotation, at the port it listens on now (a restarted node). */
  restore(index: number, port: number): void;
  close(): Promise<void>;
}

/**
 * Picks the node of a request (by index), or undefined for round robin; `upgrade` tells
 * WebSocket upgrades apart. Tests use it to steer one kind of request to one node.
 */
export type Steer = (url: string, upgrade: boolean) => number | undefined;

export async function startRoundRobinProxy(
  ports: number[],
  steer?: Steer,
): Promise<RoundRobinProxy> {
  const live = ports.map(() => true);
  const counts = ports.map(() => 0);
  const agents = ports.map(() => new Agent({ keepAlive: true }));
  const sockets = new Set<NetSocket>();
  let next = 0;
  const pick = (url = "", upgrade = false): number => {
    const steered = steer?.(url, upgrade);
    if (steered !== undefined && live[steered]) return steered;
    for (let i = 0; i < ports.length; i++) {
      const index = next++ % ports.length;
      if (live[index]) return index;
    }
    return 0;
  };
  const server = createServer((req, res) => {
    const index = pick(req.url, false);
    counts[index]++;
    const upstream = request(
      {
        host: "127.0.0.1",
        port: ports[index],
        method: req.method,
        path: req.url,
        headers: hopHeadersRemoved(req.headers),
        agent: agents[index],
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on("connection", (s: NetSocket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req, socket: NetSocket, head: Buffer) => {
    const index = pick(req.url, true);
    counts[index]++;
    const upstream = netConnect(ports[index], "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join("\r\n") + "\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    remove(index) {
      live[index] = false;
      agents[index].destroy();
    },
    restore(index, port) {
      ports[index] = port;
      agents[index] = new Agent({ keepAlive: true });
      live[index] = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      for (const a of agents) a.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A unique channel prefix per test, so parallel runs and leftovers never meet. */
export function uniquePrefix(name: string): string {
  return `sk-test-${name}-${process.pid}-${Date.now().toString(36)}`;
}
