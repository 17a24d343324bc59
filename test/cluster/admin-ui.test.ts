/**
 * @socket.io/admin-ui on a two-node socketkit cluster (official Redis adapter, real Redis): an
 * admin connected to node A sees both servers' stats, the sockets of node B (fetchSockets across
 * nodes) and B's live events, and its actions reach a socket on B.
 */
import { randomBytes } from "node:crypto";
import { createClient as createRedisClient } from "redis";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { createAdapter } from "@socket.io/redis-adapter";
import { instrument } from "@socket.io/admin-ui";
import { REDIS_URL, describeWithBroker } from "../support/brokers";
import {
  closeCluster,
  connectTo,
  onCleanup,
  startAdapterNode,
  trackClient,
  untilServerCount,
  type AdapterNode,
} from "./helpers";
import "../../integrations/ecosystem";
import { Adapter, type AdapterConstructor } from "../../core/index";
import { waitFor } from "../support/wait";

afterEach(closeCluster);

async function instrumentedCluster(): Promise<AdapterNode[]> {
  const key = "socketkit-admin-" + randomBytes(6).toString("hex");
  const nodes: AdapterNode[] = [];
  for (const serverId of ["node-a", "node-b"]) {
    const pub = createRedisClient({ url: REDIS_URL });
    const sub = pub.duplicate();
    pub.on("error", (err: Error) => console.error("redis", err.message));
    sub.on("error", (err: Error) => console.error("redis", err.message));
    onCleanup(() => Promise.all([pub, sub].map((c) => (c.isOpen ? c.close() : undefined))));
    await Promise.all([pub.connect(), sub.connect()]);
    const adapter = createAdapter(pub, sub, { key, requestsTimeout: 3000 });
    const node = await startAdapterNode("socketkit", {
      adapter: adapter as unknown as AdapterConstructor,
    });
    instrument(node.io, { auth: false, mode: "development", serverId });
    // admin-ui's stats timer is never stopped (only unref'd) and emits through the adapter:
    // once the node is closed, back to the in-memory adapter, before the Redis clients close
    onCleanup(() => node.io.adapter(Adapter));
    nodes.push(node);
  }
  await untilServerCount(nodes, 2, "/");
  await untilServerCount(nodes, 2, "/admin");
  return nodes;
}

interface SerializedSocket {
  id: string;
  nsp: string;
  rooms: string[];
}

/** Resolves with the arguments of the first `event` for which `match` holds. */
function nextMatching<T extends unknown[]>(
  client: ClientSocket,
  event: string,
  match: (...args: T) => boolean,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching "${event}"`)), ms);
    const listener = (...args: unknown[]): void => {
      if (!match(...(args as T))) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args as T);
    };
    client.on(event, listener);
  });
}

describeWithBroker("redis", "@socket.io/admin-ui across two nodes")(
  "@socket.io/admin-ui across two socketkit nodes",
  () => {
    it("an admin on node A sees both servers, B's sockets and events, and acts on B", async () => {
      const [a, b] = await instrumentedCluster();
      const user = await connectTo(b);
      user.socket.join("lobby");

      const admin = trackClient(
        ioc(a.url + "/admin", { forceNew: true, reconnection: false, transports: ["websocket"] }),
      );
      const allSockets = waitFor<[SerializedSocket[]]>(admin, "all_sockets");
      const statsOfB = nextMatching<[{ serverId: string }]>(
        admin,
        "server_stats",
        (stats) => stats.serverId === "node-b",
      );
      await waitFor(admin, "connect");

      // B's user socket, fetched across nodes when the admin connected
      const [sockets] = await allSockets;
      const listed = sockets.find((s) => s.id === user.socket.id);
      expect(listed).toMatchObject({ nsp: "/", rooms: expect.arrayContaining(["lobby"]) });
      expect((await statsOfB)[0].serverId).toBe("node-b");

      // a live event on B reaches the admin on A
      const connected = nextMatching<[SerializedSocket]>(admin, "socket_connected", (s) =>
        s.nsp === "/" ? true : false,
      );
      const second = await connectTo(b);
      expect((await connected)[0].id).toBe(second.socket.id);

      // an admin action on A disconnects the socket on B
      const gone = waitFor<[string]>(user.client, "disconnect");
      admin.emit("_disconnect", "/", false, user.socket.id);
      expect((await gone)[0]).toBe("io server disconnect");
    });
  },
);
