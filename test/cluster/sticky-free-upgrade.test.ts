/**
 * Issue 15: clients that start on polling upgrade to WebSocket through a round-robin proxy; an
 * upgrade that reaches a node other than the session's owner is relayed to the owner.
 */
import { describeWithRedis } from "./support";
import {
  connected,
  deliveredAll,
  range,
  sustainTraffic,
  tallyClient,
  useCluster,
  startServedCluster,
  joinAndSeeAll,
} from "./traffic";
import { waitUntil } from "../support/wait";

const CLIENTS = 9;

describeWithRedis("sticky-free cluster: polling then upgrade (Redis)", () => {
  const run = useCluster();

  it("upgrades every client, relays upgrades that land on a non-owner, loses nothing", async () => {
    const proxy = await startServedCluster(run, "upgrade");
    const serverUpgrades: string[] = [];
    for (const node of run.nodes) {
      node.io.engine.on(
        "connection",
        (conn: { on(e: string, f: (t: { name: string }) => void): void }) =>
          conn.on("upgrade", (t) => serverUpgrades.push(t.name)),
      );
    }

    run.tallies = range(CLIENTS).map((i) => tallyClient(proxy.url, `r${i % 2}`));
    const upgraded = run.tallies.map(
      (t) =>
        new Promise<string>((resolve) =>
          t.client.io.engine.once("upgrade", (tr) => resolve(tr.name)),
        ),
    );
    await Promise.all(run.tallies.map(connected));
    expect(await Promise.all(upgraded)).toEqual(run.tallies.map(() => "websocket"));
    await waitUntil(() => serverUpgrades.length === CLIENTS, 5000, "server-side upgrades");
    await joinAndSeeAll(run);

    const last = await sustainTraffic(run, { emitMs: 30, echoMs: 20, ms: 3000 });
    const { lost, dup } = await deliveredAll(run, last);
    for (const t of run.tallies) expect(t.client.io.engine.transport.name).toBe("websocket");
    const stats = run.nodes.map((n) => ({ ...n.io.engine.cluster!.stats }));
    const relayed = stats.reduce((s, x) => s + x.relayed, 0);
    console.log(
      `sticky-free upgrade: ${CLIENTS} clients, ${relayed} upgrades relayed, ${last} broadcasts, ` +
        `requests per node ${JSON.stringify(proxy.counts)}, lost ${lost}, duplicated ${dup}`,
    );
    expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
    // about two upgrades in three reach a node that does not own the session
    expect(relayed).toBeGreaterThan(0);
    expect(stats.map((s) => s.failed)).toEqual([0, 0, 0]);
  }, 40000);
});
