/**
 * Issue 15 with drain: sticky-free nodes on @socket.io/redis-streams-adapter with connection
 * state recovery. Long-polling clients behind a round-robin proxy (which drain-redis-streams
 * cannot use without sticky sessions) receive a numbered stream; node A is drained mid-stream.
 * Its clients end on the other nodes, recovered; every client holds every message exactly once.
 */
import { describeWithRedis } from "./support";
import {
  connected,
  lossAndDuplicates,
  range,
  tallyClient,
  useCluster,
  startServedCluster,
} from "./traffic";
import { waitUntil } from "../support/wait";

const CLIENTS = 9;

describeWithRedis("sticky-free cluster: drain (Redis streams)", () => {
  const run = useCluster();

  it("a drained node's polling clients recover on the others, no message lost or doubled", async () => {
    const proxy = await startServedCluster(
      run,
      "drain",
      { connectionStateRecovery: { maxDisconnectionDuration: 10000 } },
      "redis-streams",
    );
    run.tallies = range(CLIENTS).map(() =>
      tallyClient(proxy.url, "r0", {
        transports: ["polling"],
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
        randomizationFactor: 0,
      }),
    );
    await Promise.all(run.tallies.map(connected));
    for (const t of run.tallies) await t.client.emitWithAck("join", "r0");
    const drainedTag = run.nodes[0].io.engine.cluster!.tag;
    const onA = run.tallies.filter((t) => t.client.io.engine.id!.startsWith(drainedTag));
    expect(onA.length).toBeGreaterThan(0);
    const ids = new Map(onA.map((t) => [t, t.client.id]));

    // the numbered stream, from the run.nodes that stay
    let seq = 0;
    const emitter = setInterval(() => {
      seq++;
      run.nodes[1 + (seq % 2)].io.to("r0").emit("room", seq);
    }, 20);
    try {
      await waitUntil(() => seq >= 30, 5000, "the stream to start");
      const result = await run.nodes[0].io.drain({ timeout: 5000 });
      expect(result.closed + result.forced).toBe(onA.length);
      await waitUntil(
        () =>
          onA.every((t) => t.client.connected && !t.client.io.engine.id!.startsWith(drainedTag)),
        10000,
        "the drained clients to resume elsewhere",
      );
      const after = seq;
      await waitUntil(() => seq >= after + 30, 5000, "the stream to go on");
    } finally {
      clearInterval(emitter);
    }
    const last = seq;
    await waitUntil(
      () => run.tallies.every((t) => t.rooms.includes(last)),
      10000,
      "the last message",
    );

    let lost = 0;
    let dup = 0;
    for (const t of run.tallies) {
      const r = lossAndDuplicates(t.rooms, range(last));
      lost += r.lost;
      dup += r.dup;
    }
    const recovered = onA.filter((t) => t.client.recovered && t.client.id === ids.get(t)).length;
    console.log(
      `sticky-free drain: ${onA.length} of ${CLIENTS} polling clients drained, ${recovered} ` +
        `recovered elsewhere, ${last} messages, lost ${lost}, duplicated ${dup}`,
    );
    expect(recovered).toBe(onA.length);
    expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
  }, 40000);
});
