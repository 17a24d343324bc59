/**
 * Issue 15: the node:cluster driver. A primary (Node's round-robin scheduling, no sticky
 * sessions) with two socketkit workers on one port; polling-only clients emit with acks, and
 * requests that reach the worker not owning the session are forwarded through the primary.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { once } from "node:events";
import { connected, echo, lossAndDuplicates, range, tallyClient, type Tally } from "./traffic";
import { sleep, waitUntil } from "../support/wait";

interface WorkerStats {
  requests: number;
  forwarded: number;
  served: number;
  failed: number;
  clientsCount: number;
}

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (m && key in m) {
        child.off("message", onMessage);
        resolve(m as T);
      }
    };
    child.on("message", onMessage);
  });
}

describe("sticky-free cluster: node:cluster driver", () => {
  let primary: ChildProcess | undefined;
  let tallies: Tally[] = [];

  afterEach(async () => {
    for (const t of tallies) t.client.disconnect();
    tallies = [];
    if (primary && primary.exitCode === null) {
      // the sessions are closed on both workers before they stop (no client left polling)
      const child = primary;
      await waitUntil(
        async () => {
          child.send("stats");
          const { stats } = await next<{ stats: WorkerStats[] }>(child, "stats");
          return stats.every((s) => s.clientsCount === 0);
        },
        5000,
        "the sessions to close",
      );
      const exited = once(primary, "exit");
      primary.send("stop");
      await exited;
    }
    primary = undefined;
  });

  it("serves sessions from both workers of a non-sticky primary, acks complete", async () => {
    primary = fork(join(__dirname, "fixtures/node-cluster-primary.js"), [], { stdio: "inherit" });
    const { port } = await next<{ port: number }>(primary, "ready");
    tallies = range(4).map(() =>
      tallyClient(`http://127.0.0.1:${port}`, "none", { transports: ["polling"] }),
    );
    await Promise.all(tallies.map(connected));
    const echoer = setInterval(() => tallies.forEach(echo), 20);
    await sleep(2000);
    clearInterval(echoer);
    await waitUntil(() => tallies.every((t) => t.acks.length >= t.sent), 10000, "the acks");
    let lost = 0;
    let dup = 0;
    for (const t of tallies) {
      const r = lossAndDuplicates(t.acks, range(t.sent));
      lost += r.lost;
      dup += r.dup;
    }
    primary.send("stats");
    const { stats } = await next<{ stats: WorkerStats[] }>(primary, "stats");
    const acks = tallies.reduce((s, t) => s + t.acks.length, 0);
    console.log(
      `sticky-free node:cluster: ${acks} acks, per worker ${JSON.stringify(stats)}, ` +
        `lost ${lost}, duplicated ${dup}`,
    );
    expect({ lost, dup }).toEqual({ lost: 0, dup: 0 });
    expect(acks).toBeGreaterThan(100);
    for (const s of stats) expect(s.requests).toBeGreaterThan(0);
    const forwarded = stats.reduce((s, x) => s + x.forwarded, 0);
    expect(forwarded).toBeGreaterThan(0);
    // a forwarded poll still on its way is not served yet
    const served = stats.reduce((s, x) => s + x.served, 0);
    expect(served).toBeLessThanOrEqual(forwarded);
    expect(served).toBeGreaterThanOrEqual(forwarded - 2 * tallies.length);
    expect(stats.map((s) => s.failed)).toEqual([0, 0]);
  }, 30000);
});
