/**
 * Issue 15, relayed WebSockets and failures: the upgrade reaches a node that does not own the
 * session (steered there by the proxy), which relays it. When the owner dies, the client
 * reconnects elsewhere; when the relaying node dies, the owner ends the session at its next
 * frame instead of waiting for the ping timeout.
 */
import {
  describeWithRedis,
  killNode,
  startRoutedNode,
  startRoundRobinProxy,
  uniquePrefix,
} from "./support";
import { connected, serve, tallyClient, type Tally, useCluster } from "./traffic";
import type { EngineSocket } from "../../core/index";

describeWithRedis("sticky-free cluster: relayed WebSockets (Redis)", () => {
  const run = useCluster();

  /** Three run.nodes; polling to node 0 (the owner), upgrades to node 1 (the relay). */
  async function relayedClient(): Promise<{ tally: Tally; session: EngineSocket }> {
    const prefix = uniquePrefix("ws");
    run.nodes = await Promise.all(
      ["a", "b", "c"].map((n) =>
        startRoutedNode(n, prefix, { pingInterval: 1000, pingTimeout: 1000 }),
      ),
    );
    run.nodes.forEach(serve);
    run.proxy = await startRoundRobinProxy(
      run.nodes.map((n) => n.port),
      (_url, upgrade) => (upgrade ? 1 : 0),
    );
    const sessions: EngineSocket[] = [];
    run.nodes[0].io.engine.on("connection", (s: EngineSocket) => sessions.push(s));
    const tally = tallyClient(run.proxy.url, "r0", {
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
      randomizationFactor: 0,
    });
    const upgraded = new Promise((resolve) => tally.client.io.engine.once("upgrade", resolve));
    run.tallies = [tally];
    await connected(tally);
    await upgraded;
    expect(run.nodes[1].io.engine.cluster!.stats.relayed).toBe(1);
    expect(sessions).toHaveLength(1);
    // the relayed connection carries acks both ways
    expect(await tally.client.emitWithAck("echo", 7)).toBe(7);
    return { tally, session: sessions[0] };
  }

  it("the owner dies: the client on a relayed WebSocket reconnects on another node", async () => {
    const { tally } = await relayedClient();
    const ownerTag = run.nodes[0].io.engine.cluster!.tag;
    const reconnected = new Promise<void>((resolve) =>
      tally.client.once("disconnect", () => tally.client.once("connect", () => resolve())),
    );
    await killNode(run.nodes[0]);
    run.proxy!.remove(0); // the balancer's health check
    await reconnected;
    expect(tally.client.io.engine.id!.startsWith(ownerTag)).toBe(false);
    expect(await tally.client.emitWithAck("echo", 8)).toBe(8);
  }, 20000);

  it("the relaying node dies: the owner ends the session at its next frame", async () => {
    const { session } = await relayedClient();
    const closed = new Promise<string>((resolve) => session.once("close", resolve));
    await killNode(run.nodes[1]);
    run.proxy!.remove(1);
    // the next ping cannot be published (nobody listens on the relay's channel): a write error,
    // not a ping timeout
    expect(await closed).toBe("transport error");
  }, 20000);
});
