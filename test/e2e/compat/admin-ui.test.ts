/**
 * @socket.io/admin-ui's `instrument()` against our Server, unchanged: an admin client (the
 * official socket.io-client on "/admin", as the admin UI connects) gets the configuration, the
 * socket list, server stats and live events, and can act on the sockets.
 */
import { instrument } from "@socket.io/admin-ui";
import { hashSync } from "bcryptjs";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { Socket as ClientSocket } from "socket.io-client";
import { createClient, startServer, type ServerHarness } from "../../support/server";
import { Server, type ServerOptions, type Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

type Instrument = (io: Server, opts: Record<string, unknown>) => void;
const instrumentIo = instrument as unknown as Instrument;

afterEach(closeAll);

interface SerializedSocket {
  id: string;
  clientId: string;
  transport: string;
  nsp: string;
  data: Record<string, unknown>;
  handshake: Record<string, unknown>;
  rooms: string[];
}

interface ServerStats {
  serverId: string;
  hostname: string;
  pid: number;
  uptime: number;
  clientsCount: number;
  pollingClientsCount: number;
  aggregatedEvents: { timestamp: number; type: string; subType?: string; count: number }[];
  namespaces: { name: string; socketsCount: number }[];
}

/** Everything the admin client receives, with a way to wait for a matching event. */
class AdminEvents {
  readonly events: [string, ...unknown[]][] = [];
  readonly #waiters: {
    match: (e: [string, ...unknown[]]) => boolean;
    resolve: (e: unknown[]) => void;
  }[] = [];

  constructor(admin: ClientSocket) {
    admin.onAny((event: string, ...args: unknown[]) => {
      const entry: [string, ...unknown[]] = [event, ...args];
      this.events.push(entry);
      for (const w of [...this.#waiters]) {
        if (w.match(entry)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(args);
        }
      }
    });
  }

  /** The arguments of the first (past or future) `event` for which `match(args)` holds. */
  next<T extends unknown[] = unknown[]>(
    event: string,
    match: (args: T) => boolean = () => true,
    ms = 5000,
  ): Promise<T> {
    const past = this.events.find(([e, ...args]) => e === event && match(args as T));
    if (past) return Promise.resolve(past.slice(1) as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${event}" for the admin`)), ms);
      this.#waiters.push({
        match: ([e, ...args]) => e === event && match(args as T),
        resolve: (args) => {
          clearTimeout(timer);
          resolve(args as T);
        },
      });
    });
  }
}

async function instrumented(
  instrumentOpts: Record<string, unknown> = {},
  serverOpts: Partial<ServerOptions> = {},
): Promise<{ h: ServerHarness; admin: ClientSocket; events: AdminEvents }> {
  const h = await startServer(serverOpts);
  instrumentIo(h.io, { auth: false, mode: "development", serverId: "node-1", ...instrumentOpts });
  const admin = createClient(h, "/admin", { transports: ["websocket"] });
  const events = new AdminEvents(admin);
  await waitFor(admin, "connect");
  return { h, admin, events };
}

/** A regular client and its server socket. */
async function userClient(
  h: ServerHarness,
  nsp = "/",
  opts: Parameters<typeof createClient>[2] = { transports: ["websocket"] },
): Promise<{ client: ClientSocket; socket: Socket }> {
  const conn = waitFor<[Socket]>(h.io.of(nsp), "connection");
  const client = createClient(h, nsp, opts);
  const [socket] = await conn;
  await waitFor(client, "connect");
  return { client, socket };
}

const ALL_FEATURES = [
  "EMIT",
  "JOIN",
  "LEAVE",
  "DISCONNECT",
  "MJOIN",
  "MLEAVE",
  "MDISCONNECT",
  "AGGREGATED_EVENTS",
  "ALL_EVENTS",
];

describe("@socket.io/admin-ui instrument()", () => {
  it("sends the config with every v4 feature detected", async () => {
    const { events } = await instrumented();
    const [config] = await events.next<[{ supportedFeatures: string[] }]>("config");
    expect(config.supportedFeatures).toEqual(ALL_FEATURES);
  });

  it("sends the list of all sockets, in every namespace", async () => {
    const h = await startServer();
    const user = await userClient(h, "/", { transports: ["polling"], query: { q: "1" } });
    instrumentIo(h.io, { auth: false, mode: "development" });
    const admin = createClient(h, "/admin", { transports: ["websocket"] });
    const events = new AdminEvents(admin);
    const [sockets] = await events.next<[SerializedSocket[]]>("all_sockets");
    const byNsp = new Map(sockets.map((s) => [s.nsp, s]));
    expect([...byNsp.keys()].sort()).toEqual(["/", "/admin"]);
    const listed = byNsp.get("/")!;
    expect(listed.id).toBe(user.socket.id);
    expect(listed.rooms).toEqual([user.socket.id]);
    expect(listed.handshake.query).toEqual(expect.objectContaining({ q: "1", EIO: "4" }));
    expect(listed.handshake.address).toBe(user.socket.handshake.address);
    expect(listed.handshake.url).toBe(user.socket.handshake.url);
    expect(byNsp.get("/admin")!.id).toBe(admin.id);
    expect(byNsp.get("/admin")!.transport).toBe("websocket");
  });

  it("emits server_stats with engine and namespace counts and aggregated events", async () => {
    const { h, events } = await instrumented();
    await userClient(h, "/", { transports: ["polling"] });
    await userClient(h, "/chat");
    // the first stats after the admin joined come with the 2 s interval of admin-ui
    const [stats] = await events.next<[ServerStats]>(
      "server_stats",
      ([s]) => s.clientsCount === 3,
      6000,
    );
    expect(stats.serverId).toBe("node-1");
    expect(stats.pid).toBe(process.pid);
    expect(stats.pollingClientsCount).toBe(1);
    expect(stats.namespaces).toEqual(
      expect.arrayContaining([
        { name: "/", socketsCount: 1 },
        { name: "/admin", socketsCount: 1 },
        { name: "/chat", socketsCount: 1 },
      ]),
    );
    const types = new Set(stats.aggregatedEvents.map((e) => e.type));
    // engine "connection", and "packet"/"packetCreate" on the engine sockets
    for (const type of ["rawConnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"]) {
      expect(types).toContain(type);
    }
    const raw = stats.aggregatedEvents.filter((e) => e.type === "rawConnection");
    // the admin client and the two users
    expect(raw.reduce((n, e) => n + e.count, 0)).toBe(3);
  });

  it("reports connections, data updates, rooms, events both ways and disconnections", async () => {
    const { h, events } = await instrumented();
    const { client, socket } = await userClient(h);
    const [connected] = await events.next<[SerializedSocket, string]>(
      "socket_connected",
      ([s]) => s.id === socket.id,
    );
    expect(connected.nsp).toBe("/");
    expect(connected.transport).toBe("websocket");
    expect(connected.clientId).toBe(socket.client.id.substring(0, 12));
    expect(connected.rooms).toEqual([socket.id]);
    expect(connected.data).toEqual({});

    socket.data.user = "alice";
    const [updated] = await events.next<[Partial<SerializedSocket>]>(
      "socket_updated",
      ([u]) => u.id === socket.id && u.data !== undefined,
    );
    expect(updated).toEqual({ id: socket.id, nsp: "/", data: { user: "alice" } });

    socket.join("room1");
    expect(await events.next("room_joined", ([, room]) => room === "room1")).toEqual([
      "/",
      "room1",
      socket.id,
      expect.any(String),
    ]);
    socket.leave("room1");
    expect(await events.next("room_left", ([, room]) => room === "room1")).toEqual([
      "/",
      "room1",
      socket.id,
      expect.any(String),
    ]);

    const got = waitFor(socket, "hello");
    client.emit("hello", "from client", 1);
    await got;
    expect(await events.next("event_received")).toEqual([
      "/",
      socket.id,
      ["hello", "from client", 1],
      expect.any(String),
    ]);
    socket.emit("welcome", { a: 1 });
    expect(await events.next("event_sent", ([, id]) => id === socket.id)).toEqual([
      "/",
      socket.id,
      ["welcome", { a: 1 }],
      expect.any(String),
    ]);
    h.io.emit("broadcast", 2);
    expect(
      await events.next("event_sent", ([, , args]) => (args as unknown[])[0] === "broadcast"),
    ).toEqual(["/", socket.id, ["broadcast", 2], expect.any(String)]);

    client.disconnect();
    expect(await events.next("socket_disconnected")).toEqual([
      "/",
      socket.id,
      "client namespace disconnect",
      expect.any(String),
    ]);
  });

  it("reports a transport upgrade", async () => {
    const { h, events } = await instrumented();
    const { socket } = await userClient(h, "/", { transports: ["polling", "websocket"] });
    const [update] = await events.next<[Partial<SerializedSocket>]>(
      "socket_updated",
      ([u]) => u.id === socket.id && u.transport !== undefined,
    );
    expect(update).toEqual({ id: socket.id, nsp: "/", transport: "websocket" });
  });

  it("runs the admin's emit, join, leave and _disconnect on the sockets", async () => {
    const { h, admin, events } = await instrumented();
    await events.next("config");
    const a = await userClient(h);
    const b = await userClient(h);
    a.socket.join("vip");

    const toVip = waitFor<unknown[]>(a.client, "notice");
    admin.emit("emit", "/", "vip", "notice", "vip only");
    expect(await toVip).toEqual(["vip only"]);
    const toAll = [waitFor(a.client, "all"), waitFor(b.client, "all")];
    admin.emit("emit", "/", undefined, "all", 1, 2);
    for (const args of await Promise.all(toAll)) expect(args).toEqual([1, 2]);

    admin.emit("join", "/", "newRoom", "vip");
    await events.next("room_joined", ([, room, id]) => room === "newRoom" && id === a.socket.id);
    expect(a.socket.rooms.has("newRoom")).toBe(true);
    expect(b.socket.rooms.has("newRoom")).toBe(false);
    admin.emit("join", "/", "everyone");
    await events.next("room_joined", ([, room, id]) => room === "everyone" && id === b.socket.id);
    expect(a.socket.rooms.has("everyone")).toBe(true);

    admin.emit("leave", "/", "everyone", "vip");
    await events.next("room_left", ([, room, id]) => room === "everyone" && id === a.socket.id);
    expect(a.socket.rooms.has("everyone")).toBe(false);
    expect(b.socket.rooms.has("everyone")).toBe(true);

    const bGone = waitFor<[string]>(b.client, "disconnect");
    admin.emit("_disconnect", "/", false, b.socket.id);
    expect((await bGone)[0]).toBe("io server disconnect");
    const aGone = waitFor<[string]>(a.client, "disconnect");
    const aClosed = waitFor<[string]>(a.client.io, "close");
    admin.emit("_disconnect", "/", true);
    expect((await aGone)[0]).toBe("io server disconnect");
    // close: true also closed the underlying connection
    await aClosed;
    await events.next("socket_disconnected", ([, id]) => id === a.socket.id);
  });

  it("readonly mode offers no action", async () => {
    const { events } = await instrumented({ readonly: true });
    const [config] = await events.next<[{ supportedFeatures: string[] }]>("config");
    expect(config.supportedFeatures).toEqual(["AGGREGATED_EVENTS", "ALL_EVENTS"]);
  });

  it("production mode sends aggregated events only", async () => {
    const { h, events } = await instrumented({ mode: "production" });
    const [config] = await events.next<[{ supportedFeatures: string[] }]>("config");
    expect(config.supportedFeatures).toEqual(ALL_FEATURES.slice(0, -1));
    await userClient(h);
    await sleep(20);
    expect(events.events.map(([e]) => e)).not.toContain("socket_connected");
    expect(events.events.map(([e]) => e)).not.toContain("all_sockets");
  });

  it("basic authentication: a session for valid credentials, an error otherwise", async () => {
    const h = await startServer();
    instrumentIo(h.io, {
      auth: { type: "basic", username: "admin", password: hashSync("secret", 4) },
      mode: "development",
    });
    const bad = createClient(h, "/admin", { auth: { username: "admin", password: "nope" } });
    const [err] = await waitFor<[Error]>(bad, "connect_error");
    expect(err.message).toBe("invalid credentials");
    const good = createClient(h, "/admin", { auth: { username: "admin", password: "secret" } });
    const session = waitFor<[string]>(good, "session");
    const connected = waitFor(good, "connect");
    const [sessionId] = await session;
    expect(typeof sessionId).toBe("string");
    await connected;
    const again = createClient(h, "/admin", { auth: { sessionId } });
    await waitFor(again, "connect");
  });

  it("instrument() before the server is attached still sees the engine", async () => {
    const io = new Server();
    instrumentIo(io, { auth: false, mode: "development" });
    const http = createServer();
    io.attach(http);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const h: ServerHarness = {
      io,
      http,
      port: (http.address() as AddressInfo).port,
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    };
    try {
      const admin = createClient(h, "/admin", { transports: ["websocket"] });
      const events = new AdminEvents(admin);
      await waitFor(admin, "connect");
      const [stats] = await events.next<[ServerStats]>("server_stats", () => true, 6000);
      expect(stats.clientsCount).toBe(1);
      expect(stats.aggregatedEvents.map((e) => e.type)).toContain("rawConnection");
    } finally {
      http.closeAllConnections();
      await io.close();
    }
  });
});
