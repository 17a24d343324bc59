/**
 * Issue 15, failures: an owner that is gone or silent gets the client the Engine.IO error it
 * expects ("Session ID unknown"), never a hang; forwarded bodies are bounded by
 * maxHttpBufferSize; a client that abandons a forwarded poll ends the session as it would on the
 * owner; a node killed mid-stream: its clients reconnect on the others.
 */
import { request } from "node:http";
import { createClient } from "redis";
import {
  describeWithRedis,
  killNode,
  startRoutedNode,
  uniquePrefix,
  type RoutedNode,
} from "./support";
import {
  connected,
  echo,
  lossAndDuplicates,
  range,
  tallyClient,
  useCluster,
  startServedCluster,
} from "./traffic";
import { TAG_LENGTH } from "../../core/engine/cluster/router";
import type { EngineSocket } from "../../core/index";
import { sleep, waitUntil } from "../support/wait";
import type { RedisClient } from "../support/brokers";

const UNKNOWN_SID = { code: 1, message: "Session ID unknown" };

function url(node: RoutedNode, query: string): string {
  return `http://127.0.0.1:${node.port}/socket.io/?EIO=4&transport=polling${query}`;
}

async function handshake(node: RoutedNode): Promise<string> {
  const res = await fetch(url(node, ""));
  const body = await res.text();
  return (JSON.parse(body.substring(1)) as { sid: string }).sid;
}

describeWithRedis("sticky-free cluster: failures (Redis)", () => {
  const run = useCluster();
  const extra: RedisClient[] = [];

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((c) => c.quit()));
  });

  it("answers 'Session ID unknown' at once when no node owns the session's tag", async () => {
    run.nodes = [await startRoutedNode("a", uniquePrefix("gone"))];
    const errors: number[] = [];
    run.nodes[0].io.engine.on("connection_error", (e: { code: number }) => errors.push(e.code));
    const res = await fetch(url(run.nodes[0], "&sid=" + "GONE0000" + "x".repeat(20)));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(UNKNOWN_SID);
    expect(errors).toEqual([1]);
    expect(run.nodes[0].io.engine.cluster!.stats).toMatchObject({ forwarded: 1, failed: 1 });
  });

  it("answers 'Session ID unknown' when the owner stays silent past the request timeout", async () => {
    const prefix = uniquePrefix("silent");
    // a subscriber on a node's channel that never answers (a node stuck in a long GC, say)
    const silent = createClient({ url: "redis://127.0.0.1:6379" });
    extra.push(silent);
    await silent.connect();
    await silent.subscribe(`${prefix}#SILENT00`, () => undefined);
    const timed = await startRoutedNode("a", prefix, {}, { requestTimeout: 300 });
    run.nodes = [timed];
    const res = await fetch(url(timed, "&sid=SILENT00" + "x".repeat(20)));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(UNKNOWN_SID);
    expect(timed.io.engine.cluster!.stats).toMatchObject({ forwarded: 1, failed: 1 });
  });

  it("refuses a forwarded POST larger than maxHttpBufferSize (413) before it reaches the owner", async () => {
    const prefix = uniquePrefix("bound");
    run.nodes = await Promise.all(
      ["a", "b"].map((n) => startRoutedNode(n, prefix, { maxHttpBufferSize: 1000 })),
    );
    const [a, b] = run.nodes;
    const sid = await handshake(b);
    const big = await fetch(url(a, "&sid=" + sid), {
      method: "POST",
      body: "4" + "x".repeat(1000),
    });
    expect(big.status).toBe(413);
    await big.arrayBuffer();
    expect(b.io.engine.cluster!.stats.served).toBe(0);
    const messages: unknown[] = [];
    b.io.engine.clients[sid].on("message", (m: unknown) => messages.push(m));
    // at the limit, it goes through and is delivered by the owner
    const fits = await fetch(url(a, "&sid=" + sid), {
      method: "POST",
      body: "4" + "x".repeat(999),
    });
    expect(fits.status).toBe(200);
    expect(await fits.text()).toBe("ok");
    expect(messages).toEqual(["x".repeat(999)]);
    expect(a.io.engine.cluster!.stats).toMatchObject({ forwarded: 2, tooLarge: 1, failed: 0 });
    expect(b.io.engine.cluster!.stats.served).toBe(1);

    // bodies of one session held at once count together: 600 bytes still arriving, then 600 more
    const slow = request(url(a, "&sid=" + sid), {
      method: "POST",
      headers: { "Content-Length": "1200", "Content-Type": "text/plain;charset=UTF-8" },
    });
    slow.on("error", () => undefined);
    slow.write("4" + "y".repeat(599));
    await waitUntil(() => a.io.engine.cluster!.heldBytes(sid) === 600, 5000, "the slow POST");
    const second = await fetch(url(a, "&sid=" + sid), {
      method: "POST",
      body: "4" + "z".repeat(599),
    });
    expect(second.status).toBe(413);
    slow.destroy();
    // the reservation goes with the abandoned request
    await waitUntil(() => a.io.engine.cluster!.heldBytes(sid) === 0, 5000, "the release");
  });

  it("forwards compressed answers intact", async () => {
    const prefix = uniquePrefix("gzip");
    run.nodes = await Promise.all(["a", "b"].map((n) => startRoutedNode(n, prefix)));
    const [a, b] = run.nodes;
    const sid = await handshake(b);
    b.io.engine.clients[sid].send("x".repeat(5000));
    // fetch asks for gzip and inflates the answer
    const res = await fetch(url(a, "&sid=" + sid));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(await res.text()).toBe("4" + "x".repeat(5000));
    expect(b.io.engine.cluster!.stats.served).toBe(1);
  });

  it("ends the session on the owner when the client abandons a forwarded poll, as locally", async () => {
    const prefix = uniquePrefix("abort");
    run.nodes = await Promise.all(["a", "b"].map((n) => startRoutedNode(n, prefix)));
    const [a, b] = run.nodes;
    const sid = await handshake(b);
    const session = b.io.engine.clients[sid] as EngineSocket;
    const closed = new Promise<string>((resolve) => session.once("close", resolve));
    const controller = new AbortController();
    const poll = fetch(url(a, "&sid=" + sid), { signal: controller.signal }).catch(
      (e: Error) => e.name,
    );
    await waitUntil(() => b.io.engine.cluster!.stats.served === 1, 5000, "the forwarded poll");
    controller.abort();
    expect(await poll).toBe("AbortError");
    expect(await closed).toBe("transport error");
  });

  it("a node killed mid-stream: its clients reconnect on the others, nothing duplicated", async () => {
    const proxy = await startServedCluster(run, "kill", { pingInterval: 1000, pingTimeout: 1000 });
    run.tallies = range(9).map((i) =>
      tallyClient(proxy.url, `r${i % 2}`, {
        transports: ["polling"],
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 200,
        randomizationFactor: 0,
      }),
    );
    await Promise.all(run.tallies.map(connected));
    const victim = run.nodes[0];
    const victimTag = victim.io.engine.cluster!.tag;
    const onVictim = run.tallies.filter((t) => t.client.io.engine.id!.startsWith(victimTag));
    expect(onVictim.length).toBeGreaterThan(0);
    let reconnects = 0;
    for (const t of run.tallies) t.client.on("connect", () => reconnects++);

    let seq = 0;
    const live = (): RoutedNode[] => run.nodes.filter((n) => !n.killed);
    const emitter = setInterval(() => {
      const senders = live();
      seq++;
      senders[seq % senders.length].io.emit("tick", seq);
    }, 30);
    const echoer = setInterval(() => run.tallies.forEach((t) => t.client.connected && echo(t)), 30);
    try {
      await sleep(1500);
      await killNode(victim);
      proxy.remove(0);
      // every client is (again) connected, on a surviving node; none waits on the dead one
      await waitUntil(
        () =>
          reconnects >= onVictim.length &&
          run.tallies.every(
            (t) => t.client.connected && !t.client.io.engine.id!.startsWith(victimTag),
          ),
        10000,
        "the reconnections",
      );
      for (const t of run.tallies) {
        expect(t.client.io.engine.id!.substring(0, TAG_LENGTH)).not.toBe(victimTag);
        expect(lossAndDuplicates(t.ticks, []).dup).toBe(0);
      }
      // then a second phase: complete, for everyone
      const base = run.tallies.map((t) => t.sent);
      const first = seq + 1;
      for (const node of live()) {
        await waitUntil(async () => (await node.io.fetchSockets()).length === 9, 5000, "sockets");
      }
      await sleep(1500);
      clearInterval(emitter);
      clearInterval(echoer);
      const last = seq;
      const expected = range(last).filter((n) => n >= first);
      await waitUntil(
        () =>
          run.tallies.every(
            (t, i) =>
              t.acks.filter((n) => n > base[i]).length >= t.sent - base[i] &&
              t.ticks.includes(last),
          ),
        10000,
        "the last messages",
      );
      let lost = 0;
      let dup = 0;
      for (const [i, t] of run.tallies.entries()) {
        for (const [got, want] of [
          [t.acks.filter((n) => n > base[i]), range(t.sent).filter((n) => n > base[i])],
          [t.ticks.filter((n) => n >= first), expected],
        ]) {
          const r = lossAndDuplicates(got, want);
          lost += r.lost;
          dup += r.dup;
        }
      }
      console.log(
        `sticky-free kill: ${onVictim.length} of 9 clients on the killed node, ${reconnects} ` +
          `reconnections, after them: ${expected.length} broadcasts, lost ${lost}, duplicated ${dup}`,
      );
      expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
    } finally {
      clearInterval(emitter);
      clearInterval(echoer);
    }
  }, 40000);
});
