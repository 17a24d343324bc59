/**
 * Issue 15 with connection state recovery: sticky-free nodes with @socket.io/redis-streams-adapter
 * (which persists sessions in Redis). A polling client whose connection is cut reconnects
 * through the round-robin proxy, possibly on another node, and recovers: same Socket.IO id,
 * rooms kept, the broadcasts it missed delivered.
 */
import { describeWithRedis } from "./support";
import { connected, tallyClient, useCluster, startServedCluster } from "./traffic";
import { waitUntil } from "../support/wait";

describeWithRedis("sticky-free cluster: connection state recovery (Redis streams)", () => {
  const run = useCluster();

  it("a cut polling client recovers its session and the broadcasts it missed", async () => {
    const proxy = await startServedCluster(
      run,
      "recovery",
      { connectionStateRecovery: { maxDisconnectionDuration: 10000 } },
      "redis-streams",
    );
    const tally = tallyClient(proxy.url, "r0", {
      transports: ["polling"],
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
      randomizationFactor: 0,
    });
    run.tallies = [tally];
    await connected(tally);
    await tally.client.emitWithAck("join", "r0");
    const socketId = tally.client.id;
    const firstSid = tally.client.io.engine.id;
    // a broadcast before the cut arrives as usual
    run.nodes[1].io.to("r0").emit("room", 1);
    await waitUntil(() => tally.rooms.length === 1, 5000, "the first room message");

    // cut the connection (the client's Engine.IO session ends; the Socket.IO one is kept)
    const disconnected = new Promise<void>((resolve) =>
      tally.client.once("disconnect", () => resolve()),
    );
    tally.client.io.engine.close();
    await disconnected;
    // missed while away, sent from every node
    for (const [i, node] of run.nodes.entries()) node.io.to("r0").emit("room", 2 + i);
    const reconnected = connected(tally);
    await reconnected;
    expect(tally.client.recovered).toBe(true);
    expect(tally.client.id).toBe(socketId);
    expect(tally.client.io.engine.id).not.toBe(firstSid);
    await waitUntil(() => tally.rooms.length === 4, 5000, "the missed room messages");
    expect([...tally.rooms].sort()).toEqual([1, 2, 3, 4]);
    // the room was kept: a new broadcast reaches it
    run.nodes[2].io.to("r0").emit("room", 5);
    await waitUntil(() => tally.rooms.includes(5), 5000, "a room message after the recovery");
    expect(tally.rooms).toHaveLength(5);
  }, 30000);
});
