/**
 * Mixed clusters: one socketkit node and one official `socket.io` node (4.8.1, devDependency) in
 * the same cluster, e.g. during a gradual migration, on the real brokers: the Redis adapter
 * (pub/sub) and the Postgres adapter. Broadcasts (rooms, binary), acknowledgements from clients
 * of both nodes, fetchSockets, remote socket operations and serverSideEmit(WithAck), in both
 * directions, and the official node started first still counts ours.
 */
import { randomBytes } from "node:crypto";
import { Pool } from "pg";
import { createClient as createRedisClient } from "redis";
import { createAdapter as createRedisAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createPostgresAdapter } from "@socket.io/postgres-adapter";
import { POSTGRES, REDIS_URL, describeWithBroker, type Broker } from "../support/brokers";
import {
  adapterTimersDone,
  closeCluster,
  connectTo,
  onCleanup,
  startAdapterNode,
  untilServerCount,
  type AdapterNode,
  type NodeKind,
  withAckTimeout,
} from "./helpers";
import type { AdapterConstructor } from "../../core/index";
import { waitFor, waitUntil } from "../support/wait";

afterEach(closeCluster);
afterAll(adapterTimersDone);

/** Starts the nodes of one cluster, in the given order, and waits until they count each other. */
type ClusterFactory = (kinds: NodeKind[]) => Promise<AdapterNode[]>;

async function redisCluster(kinds: NodeKind[]): Promise<AdapterNode[]> {
  const key = "socketkit-mixed-" + randomBytes(6).toString("hex");
  const nodes: AdapterNode[] = [];
  for (const kind of kinds) {
    const pub = createRedisClient({ url: REDIS_URL });
    const sub = pub.duplicate();
    onCleanup(() => Promise.all([pub, sub].map((c) => (c.isOpen ? c.close() : undefined))));
    pub.on("error", (err: Error) => console.error("redis", err.message));
    sub.on("error", (err: Error) => console.error("redis", err.message));
    await Promise.all([pub.connect(), sub.connect()]);
    const adapter = createRedisAdapter(pub, sub, { key, requestsTimeout: 3000 });
    nodes.push(await startAdapterNode(kind, { adapter: adapter as unknown as AdapterConstructor }));
  }
  await untilServerCount(nodes, nodes.length);
  return nodes;
}

async function postgresCluster(kinds: NodeKind[]): Promise<AdapterNode[]> {
  const channelPrefix = "socketkit-mixed-" + randomBytes(6).toString("hex");
  const nodes: AdapterNode[] = [];
  for (const kind of kinds) {
    const pool = new Pool({ ...POSTGRES, max: 4 });
    onCleanup(() => pool.end());
    const adapter = createPostgresAdapter(pool, {
      channelPrefix,
      heartbeatInterval: 500,
      heartbeatTimeout: 3000,
    });
    const node = await startAdapterNode(kind, {
      adapter: adapter as unknown as AdapterConstructor,
    });
    // socket.io 4.8.1 does not call init() (4.8.2+ does, as socketkit does)
    if (kind === "socket.io") void node.io.of("/").adapter.init();
    nodes.push(node);
  }
  await untilServerCount(nodes, nodes.length);
  return nodes;
}

const CLUSTERS: { broker: Broker; name: string; start: ClusterFactory }[] = [
  { broker: "redis", name: "@socket.io/redis-adapter", start: redisCluster },
  { broker: "postgres", name: "@socket.io/postgres-adapter", start: postgresCluster },
];

const DIRECTIONS: [string, number, number][] = [
  ["socketkit -> socket.io", 0, 1],
  ["socket.io -> socketkit", 1, 0],
];

for (const { broker, name, start } of CLUSTERS) {
  describeWithBroker(broker, `mixed cluster on ${name}`)(
    `mixed cluster (socketkit + socket.io 4.8.1) on ${name}`,
    () => {
      beforeAll(async () => {
        if (broker !== "postgres") return;
        const pool = new Pool(POSTGRES);
        await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
          id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);
        await pool.end();
      });

      it("counts both nodes, whichever started first", async () => {
        await start(["socket.io", "socketkit"]);
        await closeCluster();
        await start(["socketkit", "socket.io"]);
      });

      describe.each(DIRECTIONS)("%s", (_dir, from, to) => {
        it("broadcasts (all, rooms, except, binary) reach the clients of both nodes", async () => {
          const nodes = await start(["socketkit", "socket.io"]);
          const here = await connectTo(nodes[from]);
          const there = await connectTo(nodes[to]);
          there.socket.join("room");
          const seen: string[] = [];
          here.client.on("msg", (m: string) => seen.push("here:" + m));
          there.client.on("msg", (m: string) => seen.push("there:" + m));
          const expected = ["here:all", "here:except", "there:all", "there:room"];
          const delivered = new Promise<void>((resolve) => {
            const check = (): void => {
              if (expected.every((e) => seen.includes(e))) resolve();
            };
            here.client.on("msg", check);
            there.client.on("msg", check);
          });
          const bin = waitFor<[ArrayBuffer]>(there.client, "bin");
          // the official Postgres adapter publishes over a pool: the broadcasts of one node may
          // be delivered in any order, so each expected one is awaited
          nodes[from].io.emit("msg", "all");
          nodes[from].io.to("room").emit("msg", "room");
          nodes[from].io.except("room").emit("msg", "except");
          nodes[from].io.emit("bin", Buffer.from([1, 2, 3]));
          await delivered;
          expect(Buffer.from((await bin)[0])).toEqual(Buffer.from([1, 2, 3]));
          // a last broadcast after those: none of the earlier ones is still on its way
          const last = [waitFor(here.client, "last"), waitFor(there.client, "last")];
          nodes[from].io.emit("last");
          await Promise.all(last);
          expect(seen.sort()).toEqual(expected);
        });

        it("emitWithAck collects the acknowledgements of the clients of both nodes", async () => {
          const nodes = await start(["socketkit", "socket.io"]);
          const here = await connectTo(nodes[from]);
          const there = await connectTo(nodes[to]);
          here.client.on("ask", (ack: (a: string) => void) => ack("here"));
          there.client.on("ask", (ack: (a: string) => void) => ack("there"));
          const answers = await nodes[from].io.timeout(withAckTimeout(2000)).emitWithAck("ask");
          expect((answers as string[]).sort()).toEqual(["here", "there"]);
        });

        it("fetchSockets returns the sockets of both nodes, and acts on the remote ones", async () => {
          const nodes = await start(["socketkit", "socket.io"]);
          const here = await connectTo(nodes[from]);
          const there = await connectTo(nodes[to]);
          there.socket.data = { user: "remote" };
          there.socket.join("r1");
          const sockets = await nodes[from].io.fetchSockets();
          expect(sockets.map((s) => s.id).sort()).toEqual([here.socket.id, there.socket.id].sort());
          const remote = sockets.find((s) => s.id === there.socket.id)!;
          expect(remote.data).toEqual({ user: "remote" });
          expect([...remote.rooms].sort()).toEqual([there.socket.id, "r1"].sort());
          const direct = waitFor<[string]>(there.client, "direct");
          remote.emit("direct", "to you");
          expect((await direct)[0]).toBe("to you");
          // remote room operations go through the other node
          nodes[from].io.in(there.socket.id).socketsJoin("joined");
          const viaRoom = waitFor<[string]>(there.client, "viaRoom");
          // the Postgres adapter publishes over a pool, so a later request may overtake the
          // join: fetch until the remote node answers with the socket in its new room
          await waitUntil(
            async () => (await nodes[from].io.in("joined").fetchSockets()).length === 1,
            5000,
            "the remote join",
          );
          nodes[from].io.to("joined").emit("viaRoom", "ok");
          expect((await viaRoom)[0]).toBe("ok");
          const gone = waitFor<[string]>(there.client, "disconnect");
          nodes[from].io.in(there.socket.id).disconnectSockets();
          expect((await gone)[0]).toBe("io server disconnect");
        });

        it("serverSideEmit and serverSideEmitWithAck reach the other node", async () => {
          const nodes = await start(["socketkit", "socket.io"]);
          const heard = waitFor<[string, number]>(nodes[to].io, "hello");
          nodes[from].io.serverSideEmit("hello", "world", 42);
          expect(await heard).toEqual(["world", 42]);
          nodes[to].io.on("who", (ack: (name: string) => void) => ack(nodes[to].kind));
          expect(await nodes[from].io.serverSideEmitWithAck("who")).toEqual([nodes[to].kind]);
        });
      });
    },
  );
}
