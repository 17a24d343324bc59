/**
 * The official @socket.io/redis-adapter (built on socket.io-adapter) across TWO of our Servers,
 * with the `redis` v5 client on 127.0.0.1:6379: broadcasts, rooms, fetchSockets, remote socket
 * operations, serverSideEmit(WithAck) and disconnectSockets across nodes.
 *
 * Redis must be reachable: when it is not, the suite fails under CI=true and is skipped with a
 * loud warning otherwise.
 */
import { randomBytes } from "node:crypto";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient as createRedisClient } from "redis";
import type { Socket as ClientSocket } from "socket.io-client";
import {
  connect as connectClient,
  createClient as createTrackedClient,
  startServer,
  type ServerHarness,
} from "../support/server";
import { REDIS_URL, describeWithBroker } from "../support/brokers";
import type { AdapterConstructor, RemoteSocket, Socket } from "../../core/index";
import { closeAll } from "../support/close-all";
import { sleep, waitFor } from "../support/wait";
import type { RedisClient } from "../support/brokers";

interface Node {
  h: ServerHarness;
  pub: RedisClient;
  sub: RedisClient;
}

const redisClients: RedisClient[] = [];
const ioClients: ClientSocket[] = [];

function createClient(...args: Parameters<typeof createTrackedClient>): ClientSocket {
  const client = createTrackedClient(...args);
  ioClients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of ioClients.splice(0)) client.disconnect();
  await closeAll();
  await Promise.all(redisClients.splice(0).map((c) => (c.isOpen ? c.close() : undefined)));
});

type AdapterFactory = (pub: RedisClient, sub: RedisClient, key: string) => unknown;

const ADAPTERS: { name: string; make: AdapterFactory }[] = [
  {
    name: "createAdapter (pub/sub)",
    make: (pub, sub, key) => createAdapter(pub, sub, { key, requestsTimeout: 3000 }),
  },
  {
    // static subscriptions: the dynamic mode subscribes to room channels asynchronously
    name: "createShardedAdapter (sharded pub/sub, Redis 7)",
    make: (pub, sub, key) =>
      createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: "static" }),
  },
];

/** `count` servers sharing a fresh key prefix, each with its own pub/sub pair. */
async function startCluster(
  make: AdapterFactory,
  count: number,
  namespaces: string[] = ["/"],
): Promise<Node[]> {
  const key = "socketkit-test-" + randomBytes(6).toString("hex");
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const pub = createRedisClient({ url: REDIS_URL });
    const sub = pub.duplicate();
    redisClients.push(pub, sub);
    pub.on("error", (err: Error) => console.error("redis pub", err.message));
    sub.on("error", (err: Error) => console.error("redis sub", err.message));
    await Promise.all([pub.connect(), sub.connect()]);
    const adapter = make(pub, sub, key);
    const h = await startServer({ adapter: adapter as unknown as AdapterConstructor });
    nodes.push({ h, pub, sub });
  }
  for (const nsp of namespaces) await allSubscribed(nodes, nsp);
  return nodes;
}

/** Waits until every node's adapter for `nsp` counts all nodes (their subscriptions are live). */
async function allSubscribed(nodes: Node[], nsp: string): Promise<void> {
  for (const { h } of nodes) h.io.of(nsp);
  for (const { h } of nodes) {
    const adapter = h.io.of(nsp).adapter;
    for (let i = 0; (await adapter.serverCount()) !== nodes.length; i++) {
      if (i > 300) throw new Error(`the redis subscriptions of ${nsp} did not come up`);
      await sleep(10);
    }
  }
}

async function connect(node: Node, nsp = "/"): Promise<{ client: ClientSocket; socket: Socket }> {
  const [client, socket] = await connectClient(node.h, { transports: ["websocket"] }, nsp);
  return { client, socket };
}

/** Resolves when `socket` joined (or left) `room`, through its adapter's events. */
function roomEvent(socket: Socket, event: "join-room" | "leave-room", room: string): Promise<void> {
  return new Promise((resolve) => {
    const adapter = socket.nsp.adapter;
    const listener = (r: string, id: string): void => {
      if (r === room && id === socket.id) {
        adapter.off(event, listener);
        resolve();
      }
    };
    adapter.on(event, listener);
  });
}

const describeRedis = describeWithBroker("redis", "@socket.io/redis-adapter");

describeRedis.each(ADAPTERS)("@socket.io/redis-adapter $name across our servers", ({ make }) => {
  it("a broadcast from one server reaches the clients of both", async () => {
    const [a, b] = await startCluster(make, 2);
    const onA = await connect(a);
    const onB = await connect(b);
    const got = [waitFor<unknown[]>(onA.client, "hello"), waitFor<unknown[]>(onB.client, "hello")];
    a.h.io.emit("hello", "world", { n: 1 });
    for (const args of await Promise.all(got)) expect(args).toEqual(["world", { n: 1 }]);
    const bin = waitFor<unknown[]>(onA.client, "bin");
    b.h.io.emit("bin", Buffer.from([1, 2, 3]));
    expect(Buffer.from((await bin)[0] as ArrayBuffer)).toEqual(Buffer.from([1, 2, 3]));
  });

  it("rooms, except and socket.broadcast span the servers", async () => {
    const [a, b] = await startCluster(make, 2);
    const a1 = await connect(a);
    const b1 = await connect(b);
    const b2 = await connect(b);
    b1.socket.join("room");
    const seen: string[] = [];
    for (const [name, c] of [
      ["a1", a1],
      ["b1", b1],
      ["b2", b2],
    ] as const) {
      c.client.on("room", () => seen.push(name));
      c.client.on("notRoom", () => seen.push("!" + name));
      c.client.on("fromA1", () => seen.push("<" + name));
    }
    a.h.io.to("room").emit("room");
    a.h.io.except("room").emit("notRoom");
    a1.socket.broadcast.emit("fromA1");
    // a last broadcast to all: when each client has it, the earlier ones were delivered
    const last = [a1, b1, b2].map((c) => waitFor(c.client, "last"));
    a.h.io.emit("last");
    await Promise.all(last);
    expect(seen.sort()).toEqual(["!a1", "!b2", "<b1", "<b2", "b1"].sort());
  });

  it("namespaces stay apart, and local broadcasts stay on their server", async () => {
    const [a, b] = await startCluster(make, 2, ["/", "/chat"]);
    const main = await connect(b);
    const chat = await connect(b, "/chat");
    const seen: string[] = [];
    main.client.on("msg", (m: string) => seen.push("main:" + m));
    chat.client.on("msg", (m: string) => seen.push("chat:" + m));
    a.h.io.of("/chat").emit("msg", "1");
    a.h.io.local.emit("msg", "local");
    const last = [waitFor(main.client, "last"), waitFor(chat.client, "last")];
    a.h.io.emit("last");
    a.h.io.of("/chat").emit("last");
    await Promise.all(last);
    expect(seen).toEqual(["chat:1"]);
  });

  it("fetchSockets returns the remote sockets with id, handshake, rooms and data", async () => {
    const [a, b] = await startCluster(make, 2);
    const local = await connect(a);
    const remote = await connect(b);
    remote.socket.data = { user: "bob", roles: ["x"] };
    remote.socket.join("r1");
    const sockets = await a.h.io.fetchSockets();
    expect(sockets.map((s) => s.id).sort()).toEqual([local.socket.id, remote.socket.id].sort());
    const fetched = sockets.find((s) => s.id === remote.socket.id) as RemoteSocket<
      Record<string, never>
    >;
    expect(fetched.data).toEqual({ user: "bob", roles: ["x"] });
    expect(fetched.rooms).toEqual(new Set([remote.socket.id, "r1"]));
    expect(fetched.handshake.auth).toEqual({});
    expect(fetched.handshake.headers.host).toBe(remote.socket.handshake.headers.host);
    expect(fetched.handshake.address).toBe(remote.socket.handshake.address);
    // the local one is the Socket instance itself
    expect(sockets.find((s) => s.id === local.socket.id)).toBe(local.socket);
    // filtered by room, on the other node
    const inR1 = await a.h.io.in("r1").fetchSockets();
    expect(inR1.map((s) => s.id)).toEqual([remote.socket.id]);
  });

  it("operates on remote sockets: emit, join, leave, disconnect", async () => {
    const [a, b] = await startCluster(make, 2);
    const remote = await connect(b);
    const [fetched] = (await a.h.io.fetchSockets()) as RemoteSocket<Record<string, never>>[];
    expect(fetched.id).toBe(remote.socket.id);

    const got = waitFor<unknown[]>(remote.client, "direct");
    (fetched.emit as (ev: string, ...a: unknown[]) => boolean)("direct", 42);
    expect(await got).toEqual([42]);

    const joined = roomEvent(remote.socket, "join-room", "vip");
    fetched.join("vip");
    await joined;
    expect(remote.socket.rooms.has("vip")).toBe(true);
    const left = roomEvent(remote.socket, "leave-room", "vip");
    fetched.leave("vip");
    await left;
    expect(remote.socket.rooms.has("vip")).toBe(false);

    const gone = waitFor<[string]>(remote.client, "disconnect");
    fetched.disconnect();
    expect((await gone)[0]).toBe("io server disconnect");
  });

  it("a broadcast with acknowledgements collects the answers of both servers", async () => {
    const [a, b] = await startCluster(make, 2);
    const onA = await connect(a);
    const onB = await connect(b);
    onA.client.on("question", (cb: (v: string) => void) => cb("from A"));
    onB.client.on("question", (cb: (v: string) => void) => cb("from B"));
    // (the redis adapter keeps a timer of that length after the answers: keep it short)
    const answers = (await a.h.io.timeout(1000).emitWithAck("question")) as string[];
    expect(answers.sort()).toEqual(["from A", "from B"]);
  });

  it("serverSideEmit reaches the other servers, not the sender", async () => {
    const [a, b, c] = await startCluster(make, 3);
    const onA = jest.fn();
    a.h.io.on("hello", onA);
    const onB = waitFor<unknown[]>(b.h.io, "hello");
    const onC = waitFor<unknown[]>(c.h.io, "hello");
    expect(a.h.io.serverSideEmit("hello", "world", { x: 1 })).toBe(true);
    expect(await onB).toEqual(["world", { x: 1 }]);
    expect(await onC).toEqual(["world", { x: 1 }]);
    expect(onA).not.toHaveBeenCalled();
  });

  it("serverSideEmitWithAck gathers one answer per other server", async () => {
    const [a, b, c] = await startCluster(make, 3);
    b.h.io.on("ping", (cb: (v: string) => void) => cb("pong B"));
    c.h.io.on("ping", (cb: (v: string) => void) => cb("pong C"));
    const responses = (await a.h.io.serverSideEmitWithAck("ping")) as string[];
    expect(responses.sort()).toEqual(["pong B", "pong C"]);
    // the callback form of serverSideEmit (the adapter turns it into a request)
    const viaCallback = await new Promise<unknown[]>((resolve, reject) => {
      (a.h.io.serverSideEmit as (ev: string, ...args: unknown[]) => boolean)(
        "ping",
        (err: Error | null, res: unknown[]) => (err ? reject(err) : resolve(res)),
      );
    });
    expect((viaCallback as string[]).sort()).toEqual(["pong B", "pong C"]);
    // on a namespace too
    b.h.io.of("/ns").on("n", (x: number, cb: (v: number) => void) => cb(x * 2));
    c.h.io.of("/ns").on("n", (x: number, cb: (v: number) => void) => cb(x * 3));
    await allSubscribed([a, b, c], "/ns");
    expect(((await a.h.io.of("/ns").serverSideEmitWithAck("n", 2)) as number[]).sort()).toEqual([
      4, 6,
    ]);
  });

  it("socketsJoin / socketsLeave / disconnectSockets apply on every server", async () => {
    const [a, b] = await startCluster(make, 2);
    const onA = await connect(a);
    const onB = await connect(b);
    const bothJoined = [
      roomEvent(onA.socket, "join-room", "all"),
      roomEvent(onB.socket, "join-room", "all"),
    ];
    a.h.io.socketsJoin("all");
    await Promise.all(bothJoined);
    const bLeft = roomEvent(onB.socket, "leave-room", "all");
    a.h.io.in(onB.socket.id).socketsLeave("all");
    await bLeft;
    expect(onA.socket.rooms.has("all")).toBe(true);
    expect(onB.socket.rooms.has("all")).toBe(false);

    onB.socket.join("doomed");
    const bGone = waitFor<[string]>(onB.client, "disconnect");
    const aReasons: string[] = [];
    onA.client.on("disconnect", (r: string) => aReasons.push(r));
    a.h.io.in("doomed").disconnectSockets();
    expect((await bGone)[0]).toBe("io server disconnect");
    expect(aReasons).toEqual([]);

    const again = await connect(b);
    const closed = waitFor(again.client.io, "close");
    const aGone = waitFor<[string]>(onA.client, "disconnect");
    b.h.io.disconnectSockets(true);
    expect((await aGone)[0]).toBe("io server disconnect");
    await closed;
  });

  it("closing a server unsubscribes its adapters (the others count one server less)", async () => {
    const [a, b] = await startCluster(make, 2);
    await b.h.io.close();
    for (let i = 0; (await a.h.io.sockets.adapter.serverCount()) !== 1; i++) {
      if (i > 300) throw new Error("the closed server is still subscribed");
      await sleep(10);
    }
    expect(await a.h.io.sockets.adapter.serverCount()).toBe(1);
  });
});
