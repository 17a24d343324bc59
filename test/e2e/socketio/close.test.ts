import {
  Manager,
  type ManagerOptions,
  type SocketOptions,
  type Socket as ClientSocket,
} from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";
import { UWS_HOST } from "../../support/uws";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;

/** Opens a second namespace on the Manager of `client` (same Engine.IO connection). */
async function connectOn(
  h: ServerHarness,
  client: ClientSocket,
  nsp: string,
): Promise<[ClientSocket, Socket]> {
  const conn = waitFor<[Socket]>(h.io.of(nsp), "connection");
  const other = client.io.socket(nsp);
  const [socket] = await conn;
  if (!other.connected) await waitFor(other, "connect");
  return [other, socket];
}

/** Resolves once the server's side of the Engine.IO connection is closed. */
function engineClosed(socket: Socket): Promise<unknown> {
  return socket.conn.readyState === "closed" ? Promise.resolve() : waitFor(socket.conn, "close");
}

/** Records the disconnection events of a server socket. */
function record(socket: Socket): string[] {
  const events: string[] = [];
  socket.on("disconnecting", (reason) => {
    events.push(`disconnecting:${reason}:${socket.connected}`);
  });
  socket.on("disconnect", (reason) => events.push(`disconnect:${reason}:${socket.connected}`));
  return events;
}

describe.each(TRANSPORTS)("closing over $name", ({ opts }) => {
  it("socket.disconnect() disconnects the client from the namespace", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const events = record(socket);
    const gone = waitFor<[string]>(client, "disconnect");
    expect(socket.disconnect()).toBe(socket);
    expect((await gone)[0]).toBe("io server disconnect");
    expect(events).toEqual([
      "disconnecting:server namespace disconnect:true",
      "disconnect:server namespace disconnect:false",
    ]);
    expect(socket.connected).toBe(false);
    expect(socket.disconnected).toBe(true);
    expect(h.io.of("/").sockets.has(socket.id)).toBe(false);
    expect(client.connected).toBe(false);
    // a second call does nothing
    socket.disconnect();
    expect(events).toHaveLength(2);
  });

  it("socket.disconnect() keeps the connection's other namespaces", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const [admin, adminSocket] = await connectOn(h, main, "/admin");
    const gone = waitFor<[string]>(admin, "disconnect");
    adminSocket.disconnect();
    expect((await gone)[0]).toBe("io server disconnect");
    expect(main.connected).toBe(true);
    expect(mainSocket.connected).toBe(true);
    expect(mainSocket.conn.readyState).toBe("open");
    const got = waitFor(main, "still");
    mainSocket.emit("still", "open");
    expect(await got).toEqual(["open"]);
  });

  it("socket.disconnect(true) closes the whole connection", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const [admin, adminSocket] = await connectOn(h, main, "/admin");
    const [other, otherSocket] = await connect(h, opts);
    const mainEvents = record(mainSocket);
    const adminEvents = record(adminSocket);
    const reasons: string[] = [];
    main.on("disconnect", (r) => reasons.push("main:" + r));
    admin.on("disconnect", (r) => reasons.push("admin:" + r));
    const closed = engineClosed(mainSocket);
    const clientClosed = waitFor(main.io.engine, "close");
    mainSocket.disconnect(true);
    await Promise.all([closed, clientClosed]);
    expect(mainEvents).toEqual([
      "disconnecting:server namespace disconnect:true",
      "disconnect:server namespace disconnect:false",
    ]);
    expect(adminEvents).toEqual([
      "disconnecting:server namespace disconnect:true",
      "disconnect:server namespace disconnect:false",
    ]);
    expect(reasons.sort()).toEqual(["admin:io server disconnect", "main:io server disconnect"]);
    expect(h.io.of("/admin").sockets.size).toBe(0);
    // other connections are untouched
    expect(other.connected).toBe(true);
    expect(otherSocket.connected).toBe(true);
  });

  it("a client disconnect gives 'client namespace disconnect'", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.join("room");
    let roomsWhileDisconnecting: string[] = [];
    socket.on("disconnecting", () => {
      roomsWhileDisconnecting = [...socket.rooms].sort();
    });
    const events = record(socket);
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    expect(events).toEqual([
      "disconnecting:client namespace disconnect:true",
      "disconnect:client namespace disconnect:false",
    ]);
    expect(roomsWhileDisconnecting).toEqual([socket.id, "room"].sort());
    expect(socket.rooms.size).toBe(0);
    expect(h.io.of("/").adapter.rooms.has("room")).toBe(false);
  });

  it("a client leaving one namespace keeps the others", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const [admin, adminSocket] = await connectOn(h, main, "/admin");
    const gone = waitFor<[string]>(adminSocket, "disconnect");
    admin.disconnect();
    expect((await gone)[0]).toBe("client namespace disconnect");
    expect(mainSocket.connected).toBe(true);
    const got = waitFor(mainSocket, "still");
    main.emit("still");
    await got;
  });

  it("a client closing its transport gives 'transport close'", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const events = record(socket);
    const gone = waitFor(socket, "disconnect");
    client.io.engine.close();
    await gone;
    expect(events).toEqual([
      "disconnecting:transport close:true",
      "disconnect:transport close:false",
    ]);
  });

  it("closing the Engine.IO connection on the server gives 'forced close'", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const events = record(socket);
    const gone = waitFor<[string]>(client, "disconnect");
    socket.conn.close();
    expect((await gone)[0]).toBe("transport close");
    expect(events).toEqual(["disconnecting:forced close:true", "disconnect:forced close:false"]);
  });

  it("disconnects a socket from its connection handler", async () => {
    const h = await startServer();
    h.io.on("connection", (socket) => socket.disconnect());
    const client = createClient(h, "/", opts);
    const order: string[] = [];
    client.on("connect", () => order.push("connect"));
    const [reason] = await waitFor<[string]>(client, "disconnect");
    order.push(reason);
    expect(order).toEqual(["connect", "io server disconnect"]);
    expect(h.io.of("/").sockets.size).toBe(0);
  });

  it("lets a client come back to a namespace it left on the same connection", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const [admin, first] = await connectOn(h, main, "/admin");
    const gone = waitFor(first, "disconnect");
    admin.disconnect();
    await gone;
    const conn = waitFor<[Socket]>(h.io.of("/admin"), "connection");
    admin.connect();
    const [second] = await conn;
    if (!admin.connected) await waitFor(admin, "connect");
    expect(second.id).not.toBe(first.id);
    expect(second.conn).toBe(mainSocket.conn);
    expect(admin.id).toBe(second.id);
    expect([...h.io.of("/admin").sockets.keys()]).toEqual([second.id]);
  });

  it("ignores events from a disconnected socket", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const gone = waitFor(client, "disconnect");
    socket.disconnect();
    await gone;
    expect(() => socket.emit("after", 1)).not.toThrow();
  });

  it("io.close() disconnects every client with 'server shutting down'", async () => {
    const h = await startServer();
    const [c1, s1] = await connect(h, opts);
    const [c2, s2] = await connect(h, opts, "/admin");
    const e1 = record(s1);
    const e2 = record(s2);
    const gone = [waitFor<[string]>(c1, "disconnect"), waitFor<[string]>(c2, "disconnect")];
    // the callback runs once the http server is closed too
    const closeErr = await new Promise<unknown>((resolve) => void h.io.close(resolve));
    expect(closeErr).toBeUndefined();
    expect(e1).toEqual([
      "disconnecting:server shutting down:true",
      "disconnect:server shutting down:false",
    ]);
    expect(e2).toEqual([
      "disconnecting:server shutting down:true",
      "disconnect:server shutting down:false",
    ]);
    // the engine closes each connection; a poll that was in flight may fail instead
    const closeReason = expect.stringMatching(/^transport (close|error)$/);
    expect((await Promise.all(gone)).map((a) => a[0])).toEqual([closeReason, closeReason]);
    // io.close() closes the http.Server; a uWS app stays the application's (as socket.io)
    if (!UWS_HOST) expect(h.http.listening).toBe(false);
    expect(h.io.of("/").sockets.size).toBe(0);
    expect(h.io.of("/admin").sockets.size).toBe(0);
  });

  it("io.disconnectSockets() disconnects every socket of the main namespace", async () => {
    const h = await startServer();
    const [c1, s1] = await connect(h, opts);
    const [c2] = await connect(h, opts);
    // the first connection also has a socket in /admin
    const [admin, adminSocket] = await connectOn(h, c1, "/admin");
    const gone = [waitFor<[string]>(c1, "disconnect"), waitFor<[string]>(c2, "disconnect")];
    h.io.disconnectSockets();
    expect((await Promise.all(gone)).map((a) => a[0])).toEqual([
      "io server disconnect",
      "io server disconnect",
    ]);
    expect(h.io.of("/").sockets.size).toBe(0);
    // other namespaces are not affected, and the connection stays open for them
    expect(admin.connected).toBe(true);
    expect(adminSocket.connected).toBe(true);
    expect(s1.conn.readyState).toBe("open");
    const got = waitFor(admin, "still");
    adminSocket.emit("still");
    await got;
  });

  it("io.disconnectSockets(true) closes the connections", async () => {
    const h = await startServer();
    const [c1, s1] = await connect(h, opts);
    const [c2, s2] = await connect(h, opts);
    const closed = [engineClosed(s1), engineClosed(s2)];
    const gone = [waitFor<[string]>(c1, "disconnect"), waitFor<[string]>(c2, "disconnect")];
    h.io.disconnectSockets(true);
    await Promise.all(closed);
    expect((await Promise.all(gone)).map((a) => a[0])).toEqual([
      "io server disconnect",
      "io server disconnect",
    ]);
    expect(h.io.engine.clientsCount).toBe(0);
  });
});

describe.each(TRANSPORTS)("connectTimeout over $name", ({ opts }) => {
  /** An Engine.IO connection that joins no namespace (a bare Manager). */
  function bareManager(h: ServerHarness): Manager {
    return new Manager(h.url, { ...opts, reconnection: false, forceNew: true } as ClientOpts);
  }

  it("closes a connection that joins no namespace in time", async () => {
    const h = await startServer({ connectTimeout: 100 });
    const manager = bareManager(h);
    try {
      await waitFor(manager, "open");
      expect(h.io.engine.clientsCount).toBe(1);
      const [reason] = await waitFor<[string]>(manager.engine, "close");
      expect(reason).toBe("transport close");
      expect(h.io.engine.clientsCount).toBe(0);
    } finally {
      manager.engine?.close();
    }
  });

  it("keeps a connection that joined a namespace", async () => {
    const h = await startServer({ connectTimeout: 100 });
    const [client, socket] = await connect(h, opts);
    await sleep(300);
    expect(client.connected).toBe(true);
    expect(socket.connected).toBe(true);
    expect(socket.conn.readyState).toBe("open");
  });

  it("closes a connection whose only namespace was refused", async () => {
    const h = await startServer({ connectTimeout: 150 });
    const manager = bareManager(h);
    try {
      await waitFor(manager, "open");
      // the namespace middleware never answers
      h.io.of("/slow").use(() => {});
      const slow = manager.socket("/slow");
      const [reason] = await waitFor<[string]>(manager.engine, "close");
      expect(reason).toBe("transport close");
      expect(slow.connected).toBe(false);
    } finally {
      manager.engine?.close();
    }
  });
});
