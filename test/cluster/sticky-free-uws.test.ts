/**
 * The sticky-free routing with a µWebSockets.js node: nodes a and c on node:http, b on a uWS
 * app (`io.attachApp`), behind the round-robin proxy. Polling clients and clients that upgrade
 * to WebSocket are served through whichever node a request reaches: the uWS node forwards the
 * requests of sessions it does not own and serves those forwarded to it; nothing is lost or
 * duplicated.
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

const CLIENTS = 6;

describeWithRedis("sticky-free cluster with a µWebSockets.js node (Redis)", () => {
  const run = useCluster();

  it("serves polling and upgraded clients through any node, none lost or duplicated", async () => {
    const proxy = await startServedCluster(run, "uws", {}, "redis", ["node", "uws", "node"]);
    const upgrading = (i: number): boolean => i % 2 === 1;
    run.tallies = range(CLIENTS).map((i) =>
      tallyClient(proxy.url, `r${i % 2}`, {
        transports: upgrading(i) ? ["polling", "websocket"] : ["polling"],
      }),
    );
    await Promise.all(run.tallies.map(connected));
    await joinAndSeeAll(run);
    const last = await sustainTraffic(run, { emitMs: 60, echoMs: 40, ms: 4000 });
    const { lost, dup } = await deliveredAll(run, last);
    const stats = run.nodes.map((n) => ({ ...n.io.engine.cluster!.stats }));
    console.log(
      `sticky-free with a uWS node: ${CLIENTS} clients, ${last} broadcasts, requests per node ` +
        `${JSON.stringify(proxy.counts)}, routing ${JSON.stringify(stats)}, lost ${lost}, ` +
        `duplicated ${dup}`,
    );
    expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
    expect(last).toBeGreaterThan(30);
    // the uWS node (b) both forwarded requests and served forwarded ones, and none failed
    expect(stats[1].forwarded).toBeGreaterThan(0);
    expect(stats[1].served).toBeGreaterThan(0);
    expect(stats.map((s) => s.failed)).toEqual([0, 0, 0]);
    // the clients allowed to upgrade ended on WebSocket, the others on polling
    expect(run.tallies.map((t) => t.client.io.engine.transport.name)).toEqual(
      range(CLIENTS).map((i) => (upgrading(i) ? "websocket" : "polling")),
    );
  }, 40000);
});
