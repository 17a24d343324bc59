import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect as connectClient,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Namespace, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;

/**
 * Connects a client to `nsp` and resolves with both ends. For a dynamic namespace, pass its
 * parent: the parent's listeners are copied to a child only when the child is created.
 */
function connect(
  h: ServerHarness,
  nsp: string,
  opts: ClientOpts,
  parent?: Namespace,
): Promise<[ClientSocket, Socket]> {
  return connectClient(h, opts, nsp, parent ? (h.io._nsps.get(nsp) ?? parent) : undefined);
}

describe("namespace lookup", () => {
  it("adds the leading slash and returns the same namespace", async () => {
    const h = await startServer();
    const a = h.io.of("admin");
    expect(a.name).toBe("/admin");
    expect(h.io.of("/admin")).toBe(a);
    expect(h.io.of("/")).toBe(h.io.sockets);
    expect(h.io.sockets.name).toBe("/");
    expect(h.io._nsps.get("/admin")).toBe(a);
  });

  it("emits new_namespace for each new static namespace, once", async () => {
    const h = await startServer();
    const created: string[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
    h.io.of("/one");
    h.io.of("/one");
    h.io.of("two");
    expect(created).toEqual(["/one", "/two"]);
  });

  it("registers a connect listener given to of()", async () => {
    const h = await startServer();
    const seen: string[] = [];
    h.io.of("/cb", (socket) => seen.push(socket.nsp.name));
    await connect(h, "/cb", TRANSPORTS[1].opts);
    expect(seen).toEqual(["/cb"]);
  });
});

describe.each(TRANSPORTS)("namespaces over $name", ({ opts }) => {
  it("refuses a namespace that does not exist with 'Invalid namespace'", async () => {
    const h = await startServer();
    const client = createClient(h, "/nope", opts);
    const [err] = await waitFor<[Error]>(client, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(client.connected).toBe(false);
    expect(h.io._nsps.has("/nope")).toBe(false);
  });

  it("connects to a namespace only, not to the main one", async () => {
    const h = await startServer();
    let mainConnections = 0;
    h.io.on("connection", () => mainConnections++);
    const [client, socket] = await connect(h, "/admin", opts);
    expect(socket.nsp.name).toBe("/admin");
    expect(client.id).toBe(socket.id);
    expect(h.io.of("/admin").sockets.size).toBe(1);
    expect(h.io.sockets.sockets.size).toBe(0);
    expect(mainConnections).toBe(0);
  });

  it("fires connect and connection on the namespace", async () => {
    const h = await startServer();
    const nsp = h.io.of("/events");
    const order: string[] = [];
    nsp.on("connect", () => order.push("connect"));
    nsp.on("connection", () => order.push("connection"));
    await connect(h, "/events", opts);
    expect(order).toEqual(["connect", "connection"]);
  });

  it("multiplexes several namespaces over one connection", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, "/", opts);
    const connA = waitFor<[Socket]>(h.io.of("/a"), "connection");
    const connB = waitFor<[Socket]>(h.io.of("/b"), "connection");
    const a = main.io.socket("/a");
    const b = main.io.socket("/b");
    const aUp = waitFor(a, "connect");
    const bUp = waitFor(b, "connect");
    const [[sa], [sb]] = await Promise.all([connA, connB, aUp, bUp]);
    expect(sa.conn).toBe(mainSocket.conn);
    expect(sb.conn).toBe(mainSocket.conn);
    expect(new Set([mainSocket.id, sa.id, sb.id]).size).toBe(3);
    expect(a.id).toBe(sa.id);
    expect(b.id).toBe(sb.id);

    // each namespace gets its own events
    const gotA = waitFor(a, "msg");
    const gotB = waitFor(b, "msg");
    const gotMain = waitFor(main, "msg");
    h.io.of("/a").emit("msg", "to a");
    h.io.of("/b").emit("msg", "to b");
    h.io.emit("msg", "to main");
    expect(await gotA).toEqual(["to a"]);
    expect(await gotB).toEqual(["to b"]);
    expect(await gotMain).toEqual(["to main"]);

    // and the server tells them apart the other way
    const fromA = waitFor(sa, "hi");
    const fromB = waitFor(sb, "hi");
    a.emit("hi", "from a");
    b.emit("hi", "from b");
    expect(await fromA).toEqual(["from a"]);
    expect(await fromB).toEqual(["from b"]);

    // leaving one namespace keeps the others
    const gone = waitFor(sa, "disconnect");
    a.disconnect();
    expect(await gone).toEqual(["client namespace disconnect"]);
    expect(h.io.of("/a").sockets.size).toBe(0);
    expect(sb.connected).toBe(true);
    expect(mainSocket.connected).toBe(true);
    const still = waitFor(b, "still");
    sb.emit("still", true);
    expect(await still).toEqual([true]);
    b.disconnect();
  });

  it("tracks the connected sockets in nsp.sockets", async () => {
    const h = await startServer();
    const nsp = h.io.of("/tracked");
    const [c1, s1] = await connect(h, "/tracked", opts);
    const [, s2] = await connect(h, "/tracked", opts);
    expect([...nsp.sockets.keys()].sort()).toEqual([s1.id, s2.id].sort());
    expect(nsp.sockets.get(s1.id)).toBe(s1);
    const gone = waitFor(s1, "disconnect");
    c1.disconnect();
    await gone;
    expect([...nsp.sockets.keys()]).toEqual([s2.id]);
  });

  it("does not deliver one namespace's broadcast to another", async () => {
    const h = await startServer();
    const [main] = await connect(h, "/", opts);
    const [other] = await connect(h, "/other", opts);
    const received: string[] = [];
    main.on("news", (v: string) => received.push("main:" + v));
    other.on("news", (v: string) => received.push("other:" + v));
    const done = waitFor(other, "news");
    h.io.of("/other").emit("news", "x");
    await done;
    const done2 = waitFor(main, "news");
    h.io.emit("news", "y");
    await done2;
    // a later packet on /other's connection: a stray "y" there would have come before it
    const barrier = waitFor(other, "barrier");
    h.io.of("/other").emit("barrier");
    await barrier;
    expect(received).toEqual(["other:x", "main:y"]);
  });
});

describe.each(TRANSPORTS)("dynamic namespaces over $name", ({ opts }) => {
  it("creates a child namespace for a name matching a regex", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/dyn-\d+$/);
    const created: Namespace[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => created.push(nsp));
    const [client, socket] = await connect(h, "/dyn-1", opts, parent);
    expect(client.connected).toBe(true);
    expect(socket.nsp.name).toBe("/dyn-1");
    expect(socket.nsp).not.toBe(parent);
    expect(parent.name).toMatch(/^\/_\d+$/);
    expect(created.map((n) => n.name)).toEqual(["/dyn-1"]);
    expect(h.io._nsps.get("/dyn-1")).toBe(socket.nsp);
    // a second client reuses the child, without a second new_namespace
    const [, socket2] = await connect(h, "/dyn-1", opts, parent);
    expect(socket2.nsp).toBe(socket.nsp);
    expect(created).toHaveLength(1);
    // a name that does not match is refused
    const refused = createClient(h, "/other-1", opts);
    const [err] = await waitFor<[Error]>(refused, "connect_error");
    expect(err.message).toBe("Invalid namespace");
  });

  it("decides with a function given the name and the auth", async () => {
    const h = await startServer();
    const calls: [string, unknown][] = [];
    const parent = h.io.of((name, auth, next) => {
      calls.push([name, auth]);
      if (auth.fail) next(new Error("boom"), false);
      else next(null, auth.allow === true);
    });
    const [, socket] = await connect(h, "/fn-ns", { ...opts, auth: { allow: true } }, parent);
    expect(socket.nsp.name).toBe("/fn-ns");
    expect(calls).toEqual([["/fn-ns", { allow: true }]]);

    const denied = createClient(h, "/fn-denied", { ...opts, auth: { allow: false } });
    const [err] = await waitFor<[Error]>(denied, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(h.io._nsps.has("/fn-denied")).toBe(false);

    const failed = createClient(h, "/fn-failed", { ...opts, auth: { fail: true } });
    const [err2] = await waitFor<[Error]>(failed, "connect_error");
    expect(err2.message).toBe("Invalid namespace");
  });

  it("tries each parent in turn", async () => {
    const h = await startServer();
    const first = h.io.of((name, _auth, next) => next(null, name === "/first"));
    const second = h.io.of(/^\/second$/);
    const [, s1] = await connect(h, "/first", opts, first);
    const [, s2] = await connect(h, "/second", opts, second);
    expect(s1.nsp.name).toBe("/first");
    expect(s2.nsp.name).toBe("/second");
    expect(first.name).not.toBe(second.name);
  });

  it("a parent whose check throws or answers twice refuses for itself only: the next is tried", async () => {
    const h = await startServer();
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      h.io.of(() => {
        throw new Error("check bug");
      });
      h.io.of((_name, _auth, next) => {
        next(new Error("no"), false);
        next(null, true); // not heard: the parent has answered
      });
      let later: ((err: Error | null, allow: boolean) => void) | undefined;
      const asyncParent = h.io.of((_name, _auth, next) => void (later = next));
      const connecting = connect(h, "/late", opts, asyncParent);
      await waitUntil(() => later !== undefined);
      later!(null, true);
      const [, socket] = await connecting;
      expect(socket.nsp.name).toBe("/late");
      expect(error.mock.calls.flat().map(String).join("\n")).toMatch(/check bug/);
    } finally {
      error.mockRestore();
    }
  });

  it("copies the parent's middlewares and connection listeners to children", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/guarded-\w+$/);
    parent.use((socket, next) => {
      if (socket.handshake.auth.ok) next();
      else next(new Error("not ok"));
    });
    const seen: string[] = [];
    parent.on("connection", (socket) => seen.push(socket.nsp.name));
    await connect(h, "/guarded-a", { ...opts, auth: { ok: true } }, parent);
    expect(seen).toEqual(["/guarded-a"]);
    const refused = createClient(h, "/guarded-a", { ...opts, auth: { ok: false } });
    const [err] = await waitFor<[Error]>(refused, "connect_error");
    expect(err.message).toBe("not ok");
  });

  it("returns a child from of() for a name matching a regex parent", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/pre-\w+$/);
    const seen: string[] = [];
    parent.on("connection", (socket) => seen.push(socket.nsp.name));
    const child = h.io.of("/pre-made");
    expect(child.name).toBe("/pre-made");
    expect(child).not.toBe(parent);
    expect(h.io.of("/pre-made")).toBe(child);
    await connect(h, "/pre-made", opts);
    expect(seen).toEqual(["/pre-made"]);
  });

  it("emits from the parent to every child namespace", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/multi-\d+$/);
    const [c1] = await connect(h, "/multi-1", opts, parent);
    const [c2] = await connect(h, "/multi-2", opts, parent);
    const [main] = await connect(h, "/", opts);
    const mainGot: unknown[] = [];
    main.on("all", (v: unknown) => mainGot.push(v));
    const got1 = waitFor(c1, "all");
    const got2 = waitFor(c2, "all");
    parent.emit("all", "children");
    expect(await got1).toEqual(["children"]);
    expect(await got2).toEqual(["children"]);
    // a later packet to the main client: a stray "all" would have come before it
    const barrier = waitFor(main, "barrier");
    h.io.emit("barrier");
    await barrier;
    expect(mainGot).toEqual([]);
  });

  it("emits from the parent to a room of every child", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/rooms-\d+$/);
    const [c1, s1] = await connect(h, "/rooms-1", opts, parent);
    const [c2, s2] = await connect(h, "/rooms-2", opts, parent);
    const [c3] = await connect(h, "/rooms-2", opts, parent);
    s1.join("vip");
    s2.join("vip");
    const c3Got: unknown[] = [];
    c3.on("vip", (v: unknown) => c3Got.push(v));
    const got1 = waitFor(c1, "vip");
    const got2 = waitFor(c2, "vip");
    parent.to("vip").emit("vip", 1);
    expect(await got1).toEqual([1]);
    expect(await got2).toEqual([1]);
    // a later packet to c3: a stray "vip" would have come before it
    const barrier = waitFor(c3, "barrier");
    h.io.of("/rooms-2").emit("barrier");
    await barrier;
    expect(c3Got).toEqual([]);
  });

  it("throws on fetchSockets() of a parent namespace", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/p-\d+$/);
    expect(() => parent.fetchSockets()).toThrow(
      "fetchSockets() is not supported on parent namespaces",
    );
  });

  it("keeps empty child namespaces by default", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/keep-\d+$/);
    const [client, socket] = await connect(h, "/keep-1", opts, parent);
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    expect(h.io._nsps.has("/keep-1")).toBe(true);
  });

  it("removes empty child namespaces with cleanupEmptyChildNamespaces", async () => {
    const h = await startServer({ cleanupEmptyChildNamespaces: true });
    const parent = h.io.of(/^\/clean-\d+$/);
    const created: string[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
    const [c1, s1] = await connect(h, "/clean-1", opts, parent);
    const [c2, s2] = await connect(h, "/clean-1", opts, parent);
    const first = s1.nsp;
    const gone1 = waitFor(s1, "disconnect");
    c1.disconnect();
    await gone1;
    // one socket left: the namespace stays
    expect(h.io._nsps.get("/clean-1")).toBe(first);
    const gone2 = waitFor(s2, "disconnect");
    c2.disconnect();
    await gone2;
    await waitUntil(() => !h.io._nsps.has("/clean-1"));
    // a new client gets a fresh child namespace
    const [, s3] = await connect(h, "/clean-1", opts, parent);
    expect(s3.nsp).not.toBe(first);
    expect(created).toEqual(["/clean-1", "/clean-1"]);
    // static namespaces are never removed
    const [c4, s4] = await connect(h, "/static", opts);
    const gone4 = waitFor(s4, "disconnect");
    c4.disconnect();
    await gone4;
    expect(h.io._nsps.has("/static")).toBe(true);
  });
});
