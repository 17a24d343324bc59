/**
 * The traffic of the sticky-free tests: server handlers on every node, client-side counters of
 * acks, broadcasts and room messages, and the checks (nothing lost, nothing duplicated).
 */
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import type { ServerOptions } from "../../core/index";
import { sleep, waitUntil } from "../support/wait";
import {
  startRoutedNode,
  startRoundRobinProxy,
  stopNode,
  uniquePrefix,
  type RoutedNode,
  type RoundRobinProxy,
} from "./support";

/** The handlers every node runs: join a room, echo with an ack. */
export function serve(node: RoutedNode): void {
  node.io.on("connection", (socket) => {
    socket.on("join", (room: string, ack: (node: string) => void) => {
      void socket.join(room);
      ack(node.name);
    });
    socket.on("echo", (n: number, ack: (n: number) => void) => ack(n));
  });
}

export interface Tally {
  client: ClientSocket;
  room: string;
  sent: number;
  acks: number[];
  ticks: number[];
  rooms: number[];
}

/** A client through the proxy that counts what it receives. */
export function tallyClient(
  url: string,
  room: string,
  opts: Parameters<typeof ioc>[1] = {},
): Tally {
  const client = ioc(url, { forceNew: true, reconnection: false, ...opts });
  const tally: Tally = { client, room, sent: 0, acks: [], ticks: [], rooms: [] };
  client.on("tick", (n: number) => tally.ticks.push(n));
  client.on("room", (n: number) => tally.rooms.push(n));
  return tally;
}

/** Emits `echo` with the next number and records the ack. */
export function echo(tally: Tally): void {
  const n = ++tally.sent;
  tally.client.emit("echo", n, (back: number) => tally.acks.push(back));
}

/** 1..n */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Numbers missing from `got` (expected 1..n) and numbers seen twice. */
export function lossAndDuplicates(
  got: number[],
  expected: number[],
): { lost: number; dup: number } {
  const seen = new Set<number>();
  let dup = 0;
  for (const n of got) {
    if (seen.has(n)) dup++;
    seen.add(n);
  }
  return { lost: expected.filter((n) => !seen.has(n)).length, dup };
}

/** The numbers among 1..last that went to `room` (the broadcasts of {@link sustainTraffic}). */
export function roomSeqs(room: string, last: number): number[] {
  return range(last).filter((n) => `r${n % 2}` === room);
}

/**
 * Sustained traffic for `ms`: every `emitMs` a node (in turn) broadcasts the next number as a
 * tick to all and as a message to room r0 or r1; every `echoMs` every client echoes. Resolves
 * with the last number broadcast.
 */
export async function sustainTraffic(
  run: ClusterRun,
  { emitMs, echoMs, ms }: { emitMs: number; echoMs: number; ms: number },
): Promise<number> {
  let seq = 0;
  const emitter = setInterval(() => {
    seq++;
    const node = run.nodes[seq % run.nodes.length];
    node.io.emit("tick", seq);
    node.io.to(`r${seq % 2}`).emit("room", seq);
  }, emitMs);
  const echoer = setInterval(() => run.tallies.forEach(echo), echoMs);
  await sleep(ms);
  clearInterval(emitter);
  clearInterval(echoer);
  return seq;
}

/**
 * Waits until every client has its acks and the ticks and room messages up to `last`, then
 * counts what is missing and what came twice, over all clients.
 */
export async function deliveredAll(
  run: ClusterRun,
  last: number,
): Promise<{ lost: number; dup: number }> {
  await waitUntil(
    () =>
      run.tallies.every(
        (t) =>
          t.acks.length >= t.sent &&
          t.ticks.length >= last &&
          t.rooms.length >= roomSeqs(t.room, last).length,
      ),
    10000,
    "the last messages",
  );
  let lost = 0;
  let dup = 0;
  for (const t of run.tallies) {
    for (const [got, expected] of [
      [t.acks, range(t.sent)],
      [t.ticks, range(last)],
      [t.rooms, roomSeqs(t.room, last)],
    ]) {
      const r = lossAndDuplicates(got, expected);
      lost += r.lost;
      dup += r.dup;
    }
  }
  return { lost, dup };
}

/** Resolves on the client's next `connect`. */
export function connected(tally: Tally): Promise<void> {
  return new Promise((resolve, reject) => {
    tally.client.once("connect", () => resolve());
    tally.client.once("connect_error", reject);
  });
}

/** What one sticky-free test started; `useCluster()` closes it after each test. */
export interface ClusterRun {
  nodes: RoutedNode[];
  proxy: RoundRobinProxy | undefined;
  tallies: Tally[];
}

/** The run of the tests of a describe block, with the afterEach that ends clients, proxy, nodes. */
export function useCluster(): ClusterRun {
  const run: ClusterRun = { nodes: [], proxy: undefined, tallies: [] };
  afterEach(async () => {
    for (const t of run.tallies) t.client.disconnect();
    run.tallies = [];
    await run.proxy?.close();
    run.proxy = undefined;
    await Promise.all(run.nodes.map(stopNode));
    run.nodes = [];
  });
  return run;
}

/**
 * Every tally's client joins its room, then every node (or `nodes`) sees every socket through
 * the adapter: its subscriptions are live.
 */
export async function joinAndSeeAll(run: ClusterRun, nodes = run.nodes): Promise<void> {
  for (const t of run.tallies) await t.client.emitWithAck("join", t.room);
  for (const node of nodes) {
    await waitUntil(
      async () => (await node.io.fetchSockets()).length === run.tallies.length,
      5000,
      "sockets",
    );
  }
}

/**
 * Three nodes (a, b, c) running `serve`, behind a round-robin proxy, kept in `run`; `hosts`
 * puts each on node:http or µWebSockets.js.
 */
export async function startServedCluster(
  run: ClusterRun,
  name: string,
  opts: Partial<ServerOptions> = {},
  adapter: "redis" | "redis-streams" = "redis",
  hosts: readonly ("node" | "uws")[] = ["node", "node", "node"],
): Promise<RoundRobinProxy> {
  const prefix = uniquePrefix(name);
  run.nodes = await Promise.all(
    ["a", "b", "c"].map((n, i) => startRoutedNode(n, prefix, opts, {}, adapter, hosts[i])),
  );
  run.nodes.forEach(serve);
  run.proxy = await startRoundRobinProxy(run.nodes.map((n) => n.port));
  return run.proxy;
}
