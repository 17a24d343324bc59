import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import { RemoteSocket, type Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;
type Ack = (...args: unknown[]) => void;

async function connectMany(
  h: ServerHarness,
  n: number,
  opts: ClientOpts,
  nsp = "/",
): Promise<{ clients: ClientSocket[]; sockets: Socket[] }> {
  const clients: ClientSocket[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const [c, s] = await connect(h, opts, nsp);
    clients.push(c);
    sockets.push(s);
  }
  return { clients, sockets };
}

const sorted = (it: Iterable<string>): string[] => [...it].sort();

describe.each(TRANSPORTS)("rooms over $name", ({ opts }) => {
  it("puts each socket in its own room", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, opts);
    expect(socket.rooms).toBeInstanceOf(Set);
    expect(sorted(socket.rooms)).toEqual([socket.id]);
    expect(h.io.of("/").adapter.rooms.get(socket.id)).toEqual(new Set([socket.id]));
  });

  it("joins one room, several rooms, and leaves them", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, opts);
    socket.join("a");
    socket.join(["b", "c"]);
    socket.join("a"); // twice: no change
    expect(sorted(socket.rooms)).toEqual(sorted([socket.id, "a", "b", "c"]));
    socket.leave("b");
    expect(sorted(socket.rooms)).toEqual(sorted([socket.id, "a", "c"]));
    socket.leave("not-joined");
    expect(sorted(socket.rooms)).toEqual(sorted([socket.id, "a", "c"]));
    expect(h.io.of("/").adapter.rooms.has("b")).toBe(false);
    expect(h.io.of("/").adapter.rooms.get("a")).toEqual(new Set([socket.id]));
  });

  it("leaves every room on disconnection, and still has them while disconnecting", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const [, other] = await connect(h, opts);
    socket.join(["a", "b"]);
    other.join("a");
    let roomsWhileDisconnecting: string[] = [];
    socket.on("disconnecting", () => {
      roomsWhileDisconnecting = sorted(socket.rooms);
    });
    let roomsOnDisconnect: string[] | undefined;
    socket.on("disconnect", () => {
      roomsOnDisconnect = sorted(socket.rooms);
    });
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    expect(roomsWhileDisconnecting).toEqual(sorted([socket.id, "a", "b"]));
    expect(roomsOnDisconnect).toEqual([]);
    const adapter = h.io.of("/").adapter;
    expect(adapter.rooms.has("b")).toBe(false);
    expect(adapter.rooms.has(socket.id)).toBe(false);
    expect(adapter.rooms.get("a")).toEqual(new Set([other.id]));
    expect(adapter.sids.has(socket.id)).toBe(false);
    // joining after disconnection does nothing
    socket.join("late");
    expect(adapter.rooms.has("late")).toBe(false);
  });

  it("keeps rooms per namespace", async () => {
    const h = await startServer();
    const [, main] = await connect(h, opts);
    const [, admin] = await connect(h, opts, "/admin");
    main.join("r");
    expect(h.io.of("/").adapter.rooms.has("r")).toBe(true);
    expect(h.io.of("/admin").adapter.rooms.has("r")).toBe(false);
    expect(await h.io.of("/admin").in("r").allSockets()).toEqual(new Set());
    admin.join("r");
    expect(await h.io.of("/admin").in("r").allSockets()).toEqual(new Set([admin.id]));
  });

  it("lets a middleware join rooms before the connection", async () => {
    const h = await startServer();
    h.io.use((socket, next) => {
      socket.join("from-middleware");
      next();
    });
    const [, socket] = await connect(h, opts);
    expect(sorted(socket.rooms)).toEqual(sorted([socket.id, "from-middleware"]));
  });

  it("removes the rooms a refused socket joined in a middleware", async () => {
    const h = await startServer();
    h.io.use((socket, next) => {
      socket.join("doomed");
      next(new Error("refused"));
    });
    const client = createClient(h, "/", opts);
    await waitFor(client, "connect_error");
    expect(h.io.of("/").adapter.rooms.has("doomed")).toBe(false);
    expect(h.io.of("/").adapter.sids.size).toBe(0);
  });

  it("emits create-room, join-room, leave-room and delete-room", async () => {
    const h = await startServer();
    const adapter = h.io.of("/").adapter;
    const events: string[] = [];
    adapter.on("create-room", (room: string) => events.push(`create ${room}`));
    adapter.on("delete-room", (room: string) => events.push(`delete ${room}`));
    adapter.on("join-room", (room: string, id: string) => events.push(`join ${room} ${id}`));
    adapter.on("leave-room", (room: string, id: string) => events.push(`leave ${room} ${id}`));
    const [client, socket] = await connect(h, opts);
    const id = socket.id;
    expect(events).toEqual([`create ${id}`, `join ${id} ${id}`]);
    events.length = 0;

    const [, other] = await connect(h, opts);
    events.length = 0;
    socket.join(["a", "b"]);
    other.join("a");
    expect(events).toEqual([
      "create a",
      `join a ${id}`,
      "create b",
      `join b ${id}`,
      `join a ${other.id}`,
    ]);
    events.length = 0;
    socket.leave("b");
    socket.leave("b");
    expect(events).toEqual([`leave b ${id}`, "delete b"]);
    events.length = 0;
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    expect([...events].sort()).toEqual(
      [`leave ${id} ${id}`, `delete ${id}`, `leave a ${id}`].sort(),
    );
    // each deletion follows its leave
    expect(events.indexOf(`delete ${id}`)).toBeGreaterThan(events.indexOf(`leave ${id} ${id}`));
  });
});

describe.each(TRANSPORTS)("server-side room operations over $name", ({ opts }) => {
  it("allSockets lists the ids on io, nsp, to(room) and in(rooms)", async () => {
    const h = await startServer();
    const { sockets } = await connectMany(h, 3, opts);
    sockets[0].join("a");
    sockets[1].join(["a", "b"]);
    const ids = sockets.map((s) => s.id);
    expect(await h.io.allSockets()).toEqual(new Set(ids));
    expect(await h.io.of("/").allSockets()).toEqual(new Set(ids));
    expect(await h.io.to("a").allSockets()).toEqual(new Set([ids[0], ids[1]]));
    expect(await h.io.in(["a", "b"]).allSockets()).toEqual(new Set([ids[0], ids[1]]));
    expect(await h.io.in("b").allSockets()).toEqual(new Set([ids[1]]));
    expect(await h.io.in("nobody").allSockets()).toEqual(new Set());
    expect(await h.io.of("/empty").allSockets()).toEqual(new Set());
  });

  it("socketsJoin and socketsLeave on io, nsp, to(room) and except(room)", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    const ids = sockets.map((s) => s.id);
    sockets[0].join("a");
    h.io.socketsJoin("all");
    expect(await h.io.in("all").allSockets()).toEqual(new Set(ids));
    h.io.in("a").socketsJoin(["x", "y"]);
    expect(sorted(sockets[0].rooms)).toEqual(sorted([ids[0], "a", "all", "x", "y"]));
    expect(sorted(sockets[1].rooms)).toEqual(sorted([ids[1], "all"]));
    h.io.except("a").socketsJoin("not-a");
    expect(await h.io.in("not-a").allSockets()).toEqual(new Set([ids[1], ids[2]]));
    h.io.of("/").to(ids[2]).socketsJoin("just-2");
    expect(await h.io.in("just-2").allSockets()).toEqual(new Set([ids[2]]));

    h.io.in("a").socketsLeave("all");
    expect(await h.io.in("all").allSockets()).toEqual(new Set([ids[1], ids[2]]));
    h.io.socketsLeave(["x", "y", "not-a"]);
    expect(h.io.of("/").adapter.rooms.has("x")).toBe(false);
    expect(h.io.of("/").adapter.rooms.has("not-a")).toBe(false);
    h.io.of("/").socketsLeave("all");
    expect(h.io.of("/").adapter.rooms.has("all")).toBe(false);
    // and events now follow the new rooms
    const got = waitFor(clients[2], "ev");
    h.io.to("just-2").emit("ev", "ok");
    expect(await got).toEqual(["ok"]);
  });

  it("fetchSockets returns the sockets with their details", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, { ...opts, auth: { who: "me" } });
    sockets.forEach((s, i) => (s.data = { index: i }));
    sockets[1].join("r");
    sockets[2].join("r");

    const all = await h.io.fetchSockets();
    expect(sorted(all.map((s) => s.id))).toEqual(sorted(sockets.map((s) => s.id)));
    expect(sorted((await h.io.of("/").fetchSockets()).map((s) => s.id))).toEqual(
      sorted(sockets.map((s) => s.id)),
    );
    const inRoom = await h.io.in("r").fetchSockets();
    expect(sorted(inRoom.map((s) => s.id))).toEqual(sorted([sockets[1].id, sockets[2].id]));
    const notInRoom = await h.io.except("r").fetchSockets();
    expect(notInRoom.map((s) => s.id)).toEqual([sockets[0].id]);
    expect(await h.io.in("nobody").fetchSockets()).toEqual([]);

    const remote = (await h.io.in(sockets[1].id).fetchSockets())[0];
    expect(remote.id).toBe(sockets[1].id);
    expect(remote.handshake.auth).toEqual({ who: "me" });
    expect(remote.handshake.query.EIO).toBe("4");
    expect(remote.rooms).toEqual(new Set([sockets[1].id, "r"]));
    expect(remote.data).toEqual({ index: 1 });

    // emit, also with an acknowledgement
    const got = waitFor(clients[1], "hello");
    remote.emit("hello", "from fetchSockets");
    expect(await got).toEqual(["from fetchSockets"]);
    clients[1].on("q", (cb: Ack) => cb("answer"));
    const answer = await new Promise<unknown[]>((resolve) => {
      remote.timeout(5000).emit("q", (...args: unknown[]) => resolve(args));
    });
    expect(answer).toEqual([null, "answer"]);

    // join and leave
    remote.join("joined");
    remote.join(["j1", "j2"]);
    expect(sorted(sockets[1].rooms)).toEqual(sorted([sockets[1].id, "r", "joined", "j1", "j2"]));
    remote.leave("r");
    expect(await h.io.in("r").allSockets()).toEqual(new Set([sockets[2].id]));

    // disconnect
    const gone = waitFor(clients[1], "disconnect");
    remote.disconnect();
    expect(await gone).toEqual(["io server disconnect"]);
    expect(sockets[1].connected).toBe(false);
    expect(sockets[0].connected).toBe(true);
  });

  it("a RemoteSocket built from a socket's details acts on that socket", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.join("r");
    const remote = new RemoteSocket(h.io.of("/").adapter, {
      id: socket.id,
      handshake: socket.handshake,
      rooms: [...socket.rooms],
      data: { from: "details" },
    });
    expect(remote.id).toBe(socket.id);
    expect(remote.rooms).toEqual(new Set([socket.id, "r"]));
    expect(remote.data).toEqual({ from: "details" });
    expect(remote.handshake).toBe(socket.handshake);
    const got = waitFor(client, "hi");
    expect(remote.emit("hi", 1)).toBe(true);
    expect(await got).toEqual([1]);
    // one response, not a list: like socket.emit()
    client.on("q", (cb: Ack) => cb("single"));
    const args = await new Promise<unknown[]>((resolve) => {
      remote.timeout(5000).emit("q", (...a: unknown[]) => resolve(a));
    });
    expect(args).toEqual([null, "single"]);
    remote.join(["j1", "j2"]);
    remote.leave("r");
    expect(sorted(socket.rooms)).toEqual(sorted([socket.id, "j1", "j2"]));
    const gone = waitFor(client, "disconnect");
    expect(remote.disconnect()).toBe(remote);
    expect(await gone).toEqual(["io server disconnect"]);
  });

  it("fetchSockets in a namespace returns that namespace's sockets only", async () => {
    const h = await startServer();
    const [, main] = await connect(h, opts);
    const [, admin] = await connect(h, opts, "/admin");
    expect((await h.io.fetchSockets()).map((s) => s.id)).toEqual([main.id]);
    expect((await h.io.of("/admin").fetchSockets()).map((s) => s.id)).toEqual([admin.id]);
  });

  it("disconnectSockets on io, nsp and to(room)", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 4, opts);
    sockets[0].join("r");
    sockets[1].join("r");
    const reasons: string[] = [];
    sockets.forEach((s, i) => s.on("disconnect", (reason) => reasons.push(`${i}:${reason}`)));
    const gone = [waitFor(clients[0], "disconnect"), waitFor(clients[1], "disconnect")];
    h.io.in("r").disconnectSockets();
    expect((await Promise.all(gone)).map((a) => a[0])).toEqual([
      "io server disconnect",
      "io server disconnect",
    ]);
    expect(reasons.sort()).toEqual([
      "0:server namespace disconnect",
      "1:server namespace disconnect",
    ]);
    expect(sorted(await h.io.allSockets())).toEqual(sorted([sockets[2].id, sockets[3].id]));
    const gone2 = [waitFor(clients[2], "disconnect"), waitFor(clients[3], "disconnect")];
    h.io.of("/").disconnectSockets();
    await Promise.all(gone2);
    expect(h.io.of("/").sockets.size).toBe(0);
  });

  it("disconnectSockets(true) closes the whole connection of the targeted sockets", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const adminConn = waitFor<[Socket]>(h.io.of("/admin"), "connection");
    const admin = main.io.socket("/admin");
    const [adminSocket] = await adminConn;
    if (!admin.connected) await waitFor(admin, "connect");
    const [other, otherSocket] = await connect(h, opts);
    const reasons: string[] = [];
    mainSocket.on("disconnect", (r) => reasons.push("main:" + r));
    adminSocket.on("disconnect", (r) => reasons.push("admin:" + r));
    const closed = waitFor(main.io.engine, "close");
    // the server's side of the connection ends too (the client's close packet reached it)
    const serverClosed = waitFor(mainSocket.conn, "close");
    h.io.to(mainSocket.id).disconnectSockets(true);
    await closed;
    await serverClosed;
    expect(reasons.sort()).toEqual([
      "admin:server namespace disconnect",
      "main:server namespace disconnect",
    ]);
    expect(main.connected).toBe(false);
    expect(admin.connected).toBe(false);
    expect(otherSocket.connected).toBe(true);
    expect(other.connected).toBe(true);
    expect(h.io.of("/admin").sockets.size).toBe(0);
  });
});
