/**
 * socketkit/v2 across two nodes on the official @socket.io/redis-adapter (Redis on
 * 127.0.0.1:6379): `clients(fn)` and `in(room).clients(fn)` list the clients of both nodes,
 * `local` stays on its node, broadcasts cross, and the 2.x `rooms` object works with the
 * adapter's remote fetch. The 2.x application (test/e2e/v2/app-2x.js) runs on both nodes.
 *
 * Redis must be reachable: when it is not, the suite fails under CI=true and is skipped with a
 * loud warning otherwise (test/support/brokers.ts).
 */
import { randomBytes } from "node:crypto";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient as createRedisClient } from "redis";
import type { ServerOptions, Socket } from "../../integrations/v2/index";
import { describeWithBroker, REDIS_URL } from "../support/brokers";
import { ask, connected, CLIENTS, startApp, type App } from "../e2e/v2/helpers";
import { closeAll } from "../support/close-all";
import { sleep, waitFor } from "../support/wait";
import type { RedisClient } from "../support/brokers";

const redisClients: RedisClient[] = [];

afterEach(async () => {
  await closeAll();
  await Promise.all(redisClients.splice(0).map((c) => (c.isOpen ? c.close() : undefined)));
});

/** Two nodes of the 2.x application sharing a fresh Redis key prefix. */
async function startCluster(): Promise<[App, App]> {
  const key = "socketkit-v2-" + randomBytes(6).toString("hex");
  const nodes: App[] = [];
  for (let i = 0; i < 2; i++) {
    const pub = createRedisClient({ url: REDIS_URL });
    const sub = pub.duplicate();
    redisClients.push(pub, sub);
    pub.on("error", (err: Error) => console.error("redis pub", err.message));
    sub.on("error", (err: Error) => console.error("redis sub", err.message));
    await Promise.all([pub.connect(), sub.connect()]);
    const adapter = createAdapter(pub, sub, { key, requestsTimeout: 3000 });
    nodes.push(await startApp({ adapter: adapter as unknown as ServerOptions["adapter"] }));
  }
  // every node's adapter of "/" and "/chat" counts both nodes (subscriptions are live)
  for (const nsp of ["/", "/chat"]) {
    for (const node of nodes) {
      const adapter = node.io.of(nsp).adapter;
      for (let i = 0; (await adapter.serverCount()) !== 2; i++) {
        if (i > 300) throw new Error(`the redis subscriptions of ${nsp} did not come up`);
        await sleep(10);
      }
    }
  }
  return [nodes[0], nodes[1]];
}

function clientsOf(target: {
  clients(fn: (err: Error | null, ids: string[]) => void): unknown;
}): Promise<string[]> {
  return new Promise((resolve, reject) =>
    target.clients((err, ids) => (err ? reject(err) : resolve([...ids].sort()))),
  );
}

const describeRedis = describeWithBroker("redis", "socketkit/v2 clients(fn) across nodes");

describeRedis("socketkit/v2 on two nodes (@socket.io/redis-adapter)", () => {
  it("clients(fn), in(room).clients(fn) and of(nsp).clients(fn) list both nodes' clients", async () => {
    const [n1, n2] = await startCluster();
    const conn1 = waitFor<[Socket]>(n1.seen, "connection");
    const a = await connected(CLIENTS[0], n1.url); // a 2.x client on node 1
    const [sa] = await conn1;
    const conn2 = waitFor<[Socket]>(n2.seen, "connection");
    const b = await connected(CLIENTS[1], n2.url); // a 4.x client on node 2
    const [sb] = await conn2;
    expect(await clientsOf(n1.io)).toEqual([sa.id, sb.id].sort());
    expect(await clientsOf(n2.io.sockets)).toEqual([sa.id, sb.id].sort());
    // a room on the other node, asked through the application (a 2.x client's ack)
    await ask(b, "join", "general");
    expect(await clientsOf(n1.io.in("general"))).toEqual([sb.id]);
    expect(await ask(a, "clients", "general")).toEqual([null, [sb.id]]);
    const [error, all] = await ask<[unknown, string[]]>(a, "clients", null);
    expect([error, all.sort()]).toEqual([null, [sa.id, sb.id].sort()]);
    // of("/chat"): the app joins its chat sockets to "general" (that namespace's own room)
    const chatConn = waitFor<[Socket]>(n2.seen, "chat connection");
    await connected(CLIENTS[0], n2.url + "/chat");
    const [chatSocket] = await chatConn;
    expect(await clientsOf(n1.io.of("/chat"))).toEqual([chatSocket.id]);
    expect(await clientsOf(n1.io.of("/chat").in("general"))).toEqual([chatSocket.id]);
  });

  it("broadcasts cross nodes, local stays on its node", async () => {
    const [n1, n2] = await startCluster();
    const a = await connected(CLIENTS[0], n1.url, { transports: ["websocket"] });
    const b = await connected(CLIENTS[1], n2.url, { transports: ["websocket"] });
    let bLocal = 0;
    b.on("local", () => bLocal++);
    const both = Promise.all([waitFor(a, "everyone"), waitFor(b, "everyone")]);
    a.emit("everyone", "hi");
    expect(await both).toEqual([["hi"], ["hi"]]);
    const aLocal = waitFor(a, "local");
    a.emit("local", "here");
    expect(await aLocal).toEqual(["here"]);
    // a later broadcast from node 1 reaches b: had the local one crossed, it would be first
    const after = waitFor(b, "everyone");
    a.emit("everyone", "after");
    expect(await after).toEqual(["after"]);
    expect(bLocal).toBe(0);
  });

  it("join(room, fn) on the cluster adapter: rooms seen from the other node", async () => {
    const [n1, n2] = await startCluster();
    const conn = waitFor<[Socket]>(n1.seen, "connection");
    const a = await connected(CLIENTS[0], n1.url);
    const [sa] = await conn;
    const [err, rooms, steps] = await ask<[unknown, string[], string[]]>(a, "join", "r1");
    expect([err, rooms, steps]).toEqual([
      null,
      [sa.id, "r1"],
      ["join called", "join returned", "join callback"],
    ]);
    // the adapter's remote fetch reads the 2.x rooms object as the 4.x Set it expects
    const remote = await n2.io.in("r1").fetchSockets();
    expect(remote.map((s) => [s.id, [...s.rooms].sort()])).toEqual([[sa.id, [sa.id, "r1"].sort()]]);
  });
});
