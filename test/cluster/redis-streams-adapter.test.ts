/**
 * @socket.io/redis-streams-adapter across two socketkit servers on the real Redis, with
 * connection state recovery ACROSS nodes: a client on A loses its transport, reconnects through
 * the same address to B (a proxy standing for the load balancer), and gets its id, its rooms,
 * its data and every packet broadcast meanwhile, by either node, in order.
 */
import { randomBytes } from "node:crypto";
import { createClient as createRedisClient } from "redis";
import { io as ioc } from "socket.io-client";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { REDIS_URL, describeWithBroker } from "../support/brokers";
import {
  closeCluster,
  onCleanup,
  portOf,
  startAdapterNode,
  startSwitchProxy,
  trackClient,
  untilServerCount,
  type AdapterNode,
  type NodeKind,
} from "./helpers";
import type { AdapterConstructor, Socket } from "../../core/index";
import { waitFor, waitUntil } from "../support/wait";
import type { RedisClient } from "../support/brokers";

afterEach(closeCluster);

interface StreamsCluster {
  nodes: AdapterNode[];
  redis: RedisClient;
  streamName: string;
  sessionKeyPrefix: string;
}

async function streamsCluster(kinds: NodeKind[]): Promise<StreamsCluster> {
  const id = randomBytes(6).toString("hex");
  const streamName = `socketkit-test-${id}`;
  const sessionKeyPrefix = `socketkit-test-session-${id}:`;
  const nodes: AdapterNode[] = [];
  const control = createRedisClient({ url: REDIS_URL });
  await control.connect();
  onCleanup(async () => {
    await control.del(streamName);
    await control.close();
  });
  for (const kind of kinds) {
    const redis = createRedisClient({ url: REDIS_URL });
    redis.on("error", (err: Error) => console.error("redis", err.message));
    await redis.connect();
    // after the node (whose adapter stops the adapter's own clients), in reverse order
    onCleanup(() => (redis.isOpen ? redis.close() : undefined));
    const adapter = createAdapter(redis, {
      streamName,
      channelPrefix: streamName,
      sessionKeyPrefix,
      blockTimeInMs: 100,
      heartbeatInterval: 500,
      heartbeatTimeout: 3000,
    });
    const node = await startAdapterNode(kind, {
      adapter: adapter as unknown as AdapterConstructor,
      connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
    });
    // socket.io 4.8.1 does not call init() (4.8.2+ does, as socketkit does)
    if (kind === "socket.io") void node.io.of("/").adapter.init();
    nodes.push(node);
  }
  await untilServerCount(nodes, kinds.length);
  return { nodes, redis: control, streamName, sessionKeyPrefix };
}

/** Polls Redis until `check` holds (the adapters write to it without telling anyone). */
function untilRedis(check: () => Promise<boolean>, what: string): Promise<void> {
  return waitUntil(check, 10_000, `Redis to show ${what}`);
}

describeWithBroker("redis", "@socket.io/redis-streams-adapter")(
  "@socket.io/redis-streams-adapter across socketkit servers",
  () => {
    it("broadcasts, fetchSockets and serverSideEmitWithAck span the nodes", async () => {
      const { nodes } = await streamsCluster(["socketkit", "socketkit"]);
      const [a, b] = nodes;
      const conn = waitFor<[Socket]>(b.io, "connection");
      const client = trackClient(ioc(b.url, { forceNew: true, transports: ["websocket"] }));
      const [socket] = await conn;
      const got = waitFor<[string]>(client, "hello");
      a.io.emit("hello", "from a");
      expect((await got)[0]).toBe("from a");
      expect((await a.io.fetchSockets()).map((s) => s.id)).toEqual([socket.id]);
      b.io.on("who", (ack: (name: string) => void) => ack("b"));
      expect(await a.io.serverSideEmitWithAck("who")).toEqual(["b"]);
    });

    it.each<[string, NodeKind[]]>([
      ["socketkit A to socketkit B", ["socketkit", "socketkit"]],
      ["socket.io A to socketkit B (mixed cluster)", ["socket.io", "socketkit"]],
      ["socketkit A to socket.io B (mixed cluster)", ["socketkit", "socket.io"]],
    ])(
      "recovers a client across nodes, %s: same id, rooms, data, every missed packet in order",
      async (_name, kinds) => {
        const { nodes, redis, streamName, sessionKeyPrefix } = await streamsCluster(kinds);
        const [a, b] = nodes;
        const proxy = await startSwitchProxy(portOf(a));
        const onA = waitFor<[Socket]>(a.io, "connection");
        const client = trackClient(
          ioc(proxy.url, { forceNew: true, reconnection: false, transports: ["websocket"] }),
        );
        const received: unknown[][] = [];
        client.onAny((...args: unknown[]) => received.push(args));
        const [first] = await onA;
        await waitFor(client, "connect");
        first.join("room1");
        first.data = { user: "ann" };
        // a first broadcast gives the client an offset to resume from
        const seen = waitFor(client, "m0");
        a.io.emit("m0");
        await seen;

        // the transport is cut: A keeps the session in Redis
        const gone = waitFor<[string]>(first, "disconnect");
        proxy.cut();
        expect((await gone)[0]).toBe("transport close");
        await waitFor(client, "disconnect");
        await untilRedis(
          async () => (await redis.exists(sessionKeyPrefix + first.pid)) === 1,
          "the persisted session",
        );

        // missed: from both nodes, to its room and to everyone; each one in the stream before
        // the next is sent, so that the stream's order (the order of recovery) is the test's
        const missed: [AdapterNode, string | null, string, unknown][] = [
          [a, "room1", "m1", 1],
          [b, null, "m2", 2],
          [a, null, "m3", Buffer.from([3])],
          [b, "room1", "m4", 4],
          [b, "other", "not-for-me", 0],
        ];
        for (const [node, room, event, arg] of missed) {
          const before = await redis.xLen(streamName);
          (room === null ? node.io : node.io.to(room)).emit(event, arg);
          await untilRedis(async () => (await redis.xLen(streamName)) > before, event);
        }

        // the load balancer now sends the client to B
        proxy.target = portOf(b);
        const onB = waitFor<[Socket]>(b.io, "connection");
        client.connect();
        const [again] = await onB;
        await waitFor(client, "connect");
        expect(again.recovered).toBe(true);
        expect(client.recovered).toBe(true);
        expect(again.id).toBe(first.id);
        expect(client.id).toBe(first.id);
        expect([...again.rooms].sort()).toEqual([first.id, "room1"].sort());
        expect(again.data).toEqual({ user: "ann" });

        // the room works across nodes after the move
        const after = waitFor<[string]>(client, "m5");
        a.io.to("room1").emit("m5", "after");
        expect((await after)[0]).toBe("after");
        const names = received.map((args) => args[0]);
        expect(names).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
        // (a recovery-enabled client's listeners get the packet's offset last, as with socket.io)
        expect(received[1].slice(0, 2)).toEqual(["m1", 1]);
        expect(Buffer.from(received[3][1] as ArrayBuffer)).toEqual(Buffer.from([3]));
      },
    );
  },
);
