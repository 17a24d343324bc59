/**
 * @socket.io/cluster-adapter + @socket.io/sticky under node:cluster: a primary and two worker
 * processes running socketkit (fixtures/sticky-cluster.js), reached by POLLING-ONLY official
 * clients, whose every HTTP request must land on the worker that holds their session. No broker:
 * the workers talk through the primary.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { waitFor } from "../support/wait";

let primary: ChildProcess | undefined;
const clients: ClientSocket[] = [];

async function startCluster(): Promise<string> {
  const child = fork(join(__dirname, "fixtures", "sticky-cluster.js"), [], {
    env: { ...process.env, WORKERS: "2" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  primary = child;
  const [message] = (await once(child, "message")) as [{ port: number }];
  return `http://127.0.0.1:${message.port}`;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  const child = primary;
  primary = undefined;
  if (child && child.exitCode === null) {
    const exited = once(child, "exit");
    child.send("stop");
    await exited;
  }
});

/**
 * A polling-only client; resolves once connected, with the pid of the worker serving it.
 * Reconnection stays on (the default): @socket.io/sticky learns which worker holds a new session
 * from an IPC message of that worker, and a client's first poll can beat it to the primary
 * under load (then refused by the other worker: the client retries, as an application's does).
 */
async function pollingClient(url: string): Promise<{ client: ClientSocket; pid: number }> {
  const client = ioc(url, {
    forceNew: true,
    transports: ["polling"],
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
  });
  clients.push(client);
  const errors: string[] = [];
  client.on("connect_error", (err: Error) => errors.push(err.message));
  try {
    const [pid] = await waitFor<[number]>(client, "hello", 15_000);
    return { client, pid };
  } catch (err) {
    throw new Error(`${(err as Error).message}; connect errors: ${errors.join(", ") || "none"}`);
  }
}

describe("@socket.io/cluster-adapter + @socket.io/sticky under node:cluster", () => {
  it("polling-only clients spread over the workers keep their sessions and share rooms", async () => {
    const url = await startCluster();
    const conns = [];
    for (let i = 0; i < 4; i++) conns.push(await pollingClient(url));
    const pids = new Set(conns.map((c) => c.pid));
    expect(pids.size).toBe(2); // round-robin: both workers serve clients

    // many polling requests per session: each must reach the worker holding it
    for (const { client, pid } of conns) {
      for (let i = 0; i < 5; i++) {
        expect(await client.timeout(5000).emitWithAck("echo", i)).toEqual({ payload: i, pid });
      }
    }

    // a room across the workers
    const [first, second, third, fourth] = conns;
    await Promise.all(
      [first, second, third].map(({ client }) => client.timeout(5000).emitWithAck("join", "r")),
    );
    const news = [first, second, third].map(({ client }) => waitFor<[string]>(client, "news"));
    let outsider = 0;
    fourth.client.on("news", () => outsider++);
    fourth.client.emit("broadcast", "r", "to the room");
    for (const got of await Promise.all(news)) expect(got[0]).toBe("to the room");

    // fetchSockets and serverSideEmitWithAck through the primary
    expect(await first.client.timeout(5000).emitWithAck("count")).toBe(4);
    const others: number[] = await first.client.timeout(5000).emitWithAck("servers");
    expect(others).toEqual([...pids].filter((p) => p !== first.pid));

    // a message to the outsider's own room, sent after the room message from another worker:
    // when it arrives, the outsider got nothing sent to the room before
    const own = waitFor<[string]>(fourth.client, "news");
    first.client.emit("broadcast", fourth.client.id, "only the outsider");
    expect((await own)[0]).toBe("only the outsider");
    expect(outsider).toBe(1);
  });
});
