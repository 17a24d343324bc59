/**
 * Issue 15: three socketkit nodes behind a round-robin proxy (every request to the next node, no
 * stickiness) serve polling-only clients as one server: acks, broadcasts and room messages for a
 * sustained period, nothing lost, nothing duplicated, and requests really forwarded.
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
import { TAG_LENGTH } from "../../core/engine/cluster/router";

const CLIENTS = 6;
const SUSTAIN_MS = 6000;

describeWithRedis("sticky-free cluster: polling-only clients (Redis)", () => {
  const run = useCluster();

  it("connects, acks, broadcasts and room messages through any node, none lost or duplicated", async () => {
    const proxy = await startServedCluster(run, "polling");

    run.tallies = range(CLIENTS).map((i) =>
      tallyClient(proxy.url, `r${i % 2}`, { transports: ["polling"] }),
    );
    await Promise.all(run.tallies.map(connected));
    await joinAndSeeAll(run);

    // session ids: a node's random tag + a random id, nothing about the node's address
    const tags = new Set(run.nodes.map((n) => n.io.engine.cluster!.tag));
    expect(tags.size).toBe(3);
    for (const t of run.tallies) {
      const sid = t.client.io.engine.id as string;
      expect(sid).toMatch(/^[A-Za-z0-9_-]{28}$/);
      expect(tags.has(sid.substring(0, TAG_LENGTH))).toBe(true);
      for (const node of run.nodes) expect(sid).not.toContain(String(node.port));
    }
    const owners = new Set(run.tallies.map((t) => t.client.io.engine.id!.substring(0, TAG_LENGTH)));
    expect(owners.size).toBeGreaterThan(1);

    // sustained traffic: every client echoes every 40 ms; every 60 ms a node (in turn) broadcasts
    // a tick to all and a message to one of the two rooms
    const last = await sustainTraffic(run, { emitMs: 60, echoMs: 40, ms: SUSTAIN_MS });
    const { lost, dup } = await deliveredAll(run, last);
    const stats = run.nodes.map((n) => ({ ...n.io.engine.cluster!.stats }));
    const acks = run.tallies.reduce((s, t) => s + t.acks.length, 0);
    console.log(
      `sticky-free polling: ${CLIENTS} clients, ${acks} acks, ${last} broadcasts, ` +
        `requests per node ${JSON.stringify(proxy.counts)}, routing ${JSON.stringify(stats)}, ` +
        `lost ${lost}, duplicated ${dup}`,
    );
    expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
    expect(last).toBeGreaterThan(50);
    for (const count of proxy.counts) expect(count).toBeGreaterThan(50);
    const forwarded = stats.reduce((s, x) => s + x.forwarded, 0);
    const served = stats.reduce((s, x) => s + x.served, 0);
    // with three run.nodes, about two requests in three land on a node that does not own the session
    expect(forwarded).toBeGreaterThan(proxy.counts.reduce((s, c) => s + c, 0) / 3);
    // a forwarded request still on its way (each client has a poll pending) is not served yet
    expect(served).toBeLessThanOrEqual(forwarded);
    expect(served).toBeGreaterThanOrEqual(forwarded - 2 * CLIENTS);
    expect(stats.map((s) => s.failed)).toEqual([0, 0, 0]);
  }, 40000);
});
