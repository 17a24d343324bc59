/**
 * @socket.io/postgres-adapter (LISTEN/NOTIFY, heartbeats) across three socketkit servers on the
 * real PostgreSQL: the nodes find each other through `init()` alone (no traffic needed), the
 * FIRST `fetchSockets()`, `serverSideEmitWithAck()` and `emitWithAck()` answer for the whole
 * cluster, a node that never publishes is counted, and a node leaving is forgotten at once.
 */
import { randomBytes } from "node:crypto";
import { Pool } from "pg";
import { createAdapter } from "@socket.io/postgres-adapter";
import { POSTGRES, describeWithBroker } from "../support/brokers";
import {
  adapterTimersDone,
  closeCluster,
  closeNode,
  connectTo,
  onCleanup,
  startAdapterNode,
  untilServerCount,
  type AdapterNode,
  type NodeKind,
  withAckTimeout,
} from "./helpers";
import type { AdapterConstructor } from "../../core/index";
import { waitFor } from "../support/wait";

const describePostgres = describeWithBroker("postgres", "@socket.io/postgres-adapter");

afterEach(closeCluster);
afterAll(adapterTimersDone);

/** The table the adapter stores large and binary payloads in (its documented schema). */
async function createAttachmentsTable(): Promise<void> {
  const pool = new Pool(POSTGRES);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
      id bigserial UNIQUE,
      created_at timestamptz DEFAULT NOW(),
      payload bytea
    )`);
  } finally {
    await pool.end();
  }
}

/** A fresh channel prefix: each test is its own cluster. */
function newChannel(): string {
  return "socketkit-test-" + randomBytes(6).toString("hex");
}

/** A node on the Postgres adapter, with its own pool (as a separate process would have). */
async function postgresNode(kind: NodeKind, channelPrefix: string): Promise<AdapterNode> {
  const pool = new Pool({ ...POSTGRES, max: 4 });
  onCleanup(() => pool.end());
  const adapter = createAdapter(pool, {
    channelPrefix,
    heartbeatInterval: 500,
    heartbeatTimeout: 3000,
  }) as unknown as AdapterConstructor;
  const node = await startAdapterNode(kind, { adapter });
  if (kind === "socket.io") {
    // socket.io 4.8.1 (the devDependency) does not call init(); 4.8.2+ does, as socketkit
    void node.io.of("/").adapter.init();
  }
  return node;
}

/** Three socketkit nodes on a fresh channel, started one after the other, counting each other. */
async function threeNodes(): Promise<AdapterNode[]> {
  const channel = newChannel();
  const nodes: AdapterNode[] = [];
  for (let i = 0; i < 3; i++) nodes.push(await postgresNode("socketkit", channel));
  await untilServerCount(nodes, 3);
  return nodes;
}

describePostgres("@socket.io/postgres-adapter across socketkit servers", () => {
  beforeAll(createAttachmentsTable);

  it("three nodes discover each other without any traffic (init)", async () => {
    const nodes = await threeNodes();
  });

  it("the first fetchSockets, serverSideEmitWithAck and emitWithAck span the 3 nodes", async () => {
    const nodes = await threeNodes();
    const conns = await Promise.all(nodes.map((n) => connectTo(n)));
    conns.forEach(({ client }, i) => client.on("ask", (ack: (n: number) => void) => ack(i)));
    nodes.forEach((n, i) => n.io.on("who", (ack: (name: string) => void) => ack(`node-${i}`)));

    const sockets = await nodes[0].io.fetchSockets();
    expect(sockets.map((s) => s.id).sort()).toEqual(conns.map((c) => c.socket.id).sort());

    const names = await nodes[0].io.serverSideEmitWithAck("who");
    expect((names as string[]).sort()).toEqual(["node-1", "node-2"]);

    const answers = await nodes[1].io.timeout(withAckTimeout(2000)).emitWithAck("ask");
    expect((answers as number[]).sort()).toEqual([0, 1, 2]);
  });

  it("counts a node that never publishes anything", async () => {
    const channel = newChannel();
    const a = await postgresNode("socketkit", channel);
    const b = await postgresNode("socketkit", channel);
    await untilServerCount([a, b], 2);
    // the quiet node: no socket, no emit, nothing but what init() starts
    const quiet = await postgresNode("socketkit", channel);
    await untilServerCount([a, b, quiet], 3);
    const { socket } = await connectTo(quiet);
    const found = await a.io.fetchSockets();
    expect(found.map((s) => s.id)).toEqual([socket.id]);
  });

  it("forgets a node that leaves: counts and requests go on without it", async () => {
    const nodes = await threeNodes();
    const { socket } = await connectTo(nodes[1]);
    await closeNode(nodes[2]); // its adapter publishes its departure
    await untilServerCount(nodes.slice(0, 2), 2);
    const found = await nodes[0].io.fetchSockets();
    expect(found.map((s) => s.id)).toEqual([socket.id]);
    nodes[1].io.on("who", (ack: (name: string) => void) => ack("still here"));
    expect(await nodes[0].io.serverSideEmitWithAck("who")).toEqual(["still here"]);
  });

  it("dynamic child namespaces join the cluster when a client creates them", async () => {
    const channel = newChannel();
    const a = await postgresNode("socketkit", channel);
    const b = await postgresNode("socketkit", channel);
    for (const node of [a, b]) node.io.of(/^\/dyn-\d+$/);
    await untilServerCount([a, b], 2);
    // the child exists on B once a client asks for it, on A once the application names it
    const onB = await connectTo(b, "/dyn-7");
    a.io.of("/dyn-7");
    await untilServerCount([a, b], 2, "/dyn-7");
    const got = waitFor<[string]>(onB.client, "news");
    a.io.of("/dyn-7").emit("news", "from a");
    expect((await got)[0]).toBe("from a");
    const found = await a.io.of("/dyn-7").fetchSockets();
    expect(found.map((s) => s.id)).toEqual([onB.socket.id]);
  });

  it("broadcasts, rooms and binary payloads (stored in the attachments table) cross the nodes", async () => {
    const channel = newChannel();
    const a = await postgresNode("socketkit", channel);
    const b = await postgresNode("socketkit", channel);
    await untilServerCount([a, b], 2);
    const onA = await connectTo(a);
    const onB = await connectTo(b);
    onB.socket.join("room");
    const inRoom = waitFor<[string]>(onB.client, "room");
    const all = [waitFor<[string]>(onA.client, "all"), waitFor<[string]>(onB.client, "all")];
    const bin = waitFor<[ArrayBuffer]>(onB.client, "bin");
    a.io.to("room").emit("room", "only b");
    a.io.emit("all", "both");
    a.io.emit("bin", Buffer.from([1, 2, 3]));
    expect((await inRoom)[0]).toBe("only b");
    for (const got of await Promise.all(all)) expect(got[0]).toBe("both");
    expect(Buffer.from((await bin)[0])).toEqual(Buffer.from([1, 2, 3]));
  });
});
