import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;

/** Connects `n` clients, one after the other. */
async function connectMany(
  h: ServerHarness,
  n: number,
  opts: ClientOpts,
): Promise<{ clients: ClientSocket[]; sockets: Socket[] }> {
  const clients: ClientSocket[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const [c, s] = await connect(h, opts);
    clients.push(c);
    sockets.push(s);
  }
  return { clients, sockets };
}

/**
 * Records which clients get `event`, then sends a marker to every client and waits for it: as
 * each client's packets arrive in order, whatever was sent before the marker has arrived by then.
 */
async function recipients(
  h: ServerHarness,
  clients: ClientSocket[],
  event: string,
  send: () => void,
): Promise<number[]> {
  const got: number[] = [];
  const handlers = clients.map((c, i) => {
    const fn = (): void => void got.push(i);
    c.on(event, fn);
    return fn;
  });
  const markers = clients.map((c) => waitFor(c, "__marker"));
  send();
  h.io.emit("__marker");
  await Promise.all(markers);
  clients.forEach((c, i) => c.off(event, handlers[i]));
  return got.sort();
}

const VALUES: unknown[] = [
  "a string",
  "",
  "unicode ✓ é 日本語 🚀",
  42,
  -1.5,
  0,
  true,
  false,
  null,
  { a: 1, b: "two", c: [3, { d: null }] },
  [1, "two", [3], { four: 4 }],
  {},
  [],
  "x".repeat(100_000),
];

describe.each(TRANSPORTS)("messaging over $name", ({ opts }) => {
  it("sends many arguments of every JSON type, server to client", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<unknown[]>(client, "many");
    socket.emit("many", ...VALUES);
    expect(await got).toEqual(VALUES);
  });

  it("sends many arguments of every JSON type, client to server", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const got = waitFor<unknown[]>(socket, "many");
    client.emit("many", ...VALUES);
    expect(await got).toEqual(VALUES);
  });

  it("serializes dates as strings and undefined as null in arrays", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const got = waitFor<unknown[]>(client, "odd");
    socket.emit("odd", date, undefined, { u: undefined, d: date });
    expect(await got).toEqual([date.toISOString(), null, { d: date.toISOString() }]);
  });

  it("sends an event without arguments both ways", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const toClient = waitFor<unknown[]>(client, "empty");
    socket.emit("empty");
    expect(await toClient).toEqual([]);
    const toServer = waitFor<unknown[]>(socket, "empty");
    client.emit("empty");
    expect(await toServer).toEqual([]);
  });

  it("keeps the order of many events, both ways", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const fromServer: number[] = [];
    const allFromServer = new Promise<void>((resolve) => {
      client.on("seq", (n: number) => {
        fromServer.push(n);
        if (n === 99) resolve();
      });
    });
    const fromClient: number[] = [];
    const allFromClient = new Promise<void>((resolve) => {
      socket.on("seq", (n: number) => {
        fromClient.push(n);
        if (n === 99) resolve();
      });
    });
    for (let i = 0; i < 100; i++) {
      socket.emit("seq", i);
      client.emit("seq", i);
    }
    await Promise.all([allFromServer, allFromClient]);
    const expected = Array.from({ length: 100 }, (_, i) => i);
    expect(fromServer).toEqual(expected);
    expect(fromClient).toEqual(expected);
  });

  it("send() and write() emit 'message', both from a socket and a namespace", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const messages: unknown[][] = [];
    client.on("message", (...args: unknown[]) => messages.push(args));
    const all = new Promise<void>((resolve) => {
      client.on("message", () => messages.length === 4 && resolve());
    });
    expect(socket.send("s", 1)).toBe(socket);
    expect(socket.write("w", 2)).toBe(socket);
    expect(h.io.send("io-send")).toBe(h.io);
    expect(h.io.of("/").write("nsp-write")).toBe(h.io.of("/"));
    await all;
    expect(messages).toEqual([["s", 1], ["w", 2], ["io-send"], ["nsp-write"]]);
    // and from the client
    const got = waitFor(socket, "message");
    client.send("from client", { x: 1 });
    expect(await got).toEqual(["from client", { x: 1 }]);
  });

  it("delivers an event emitted in the connection handler after the client's connect", async () => {
    const h = await startServer();
    h.io.on("connection", (socket) => socket.emit("welcome", socket.id));
    const client = createClient(h, "/", opts);
    const order: string[] = [];
    client.on("connect", () => order.push("connect"));
    const [id] = await waitFor<[string]>(client, "welcome");
    order.push("welcome");
    expect(order).toEqual(["connect", "welcome"]);
    expect(id).toBe(client.id);
  });

  it("delivers the events a client emitted before it was connected", async () => {
    const h = await startServer();
    const got = new Promise<unknown[]>((resolve) => {
      h.io.on("connection", (socket) => socket.on("early", (...args: unknown[]) => resolve(args)));
    });
    const client = createClient(h, "/", opts);
    client.emit("early", 1, "two");
    expect(await got).toEqual([1, "two"]);
  });

  it("emit() returns true", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, opts);
    expect(socket.emit("x")).toBe(true);
    expect(h.io.emit("x")).toBe(true);
    expect(h.io.to("r").emit("x")).toBe(true);
    expect(socket.broadcast.emit("x")).toBe(true);
  });

  it("refuses reserved event names", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, opts);
    for (const ev of [
      "connect",
      "connect_error",
      "disconnect",
      "disconnecting",
      "newListener",
      "removeListener",
    ]) {
      const msg = `"${ev}" is a reserved event name`;
      expect(() => socket.emit(ev as "x")).toThrow(msg);
      expect(() => socket.volatile.emit(ev as "x")).toThrow(msg);
      expect(() => h.io.emit(ev as "x")).toThrow(msg);
      expect(() => h.io.of("/").emit(ev as "x")).toThrow(msg);
      expect(() => h.io.to("room").emit(ev as "x")).toThrow(msg);
      expect(() => socket.broadcast.emit(ev as "x")).toThrow(msg);
      expect(() => socket.to("room").emit(ev as "x")).toThrow(msg);
    }
    expect(() => socket.emit("connect" as "x")).toThrow(
      new Error('"connect" is a reserved event name'),
    );
    // the socket is still fine
    expect(socket.connected).toBe(true);
  });
});

describe.each(TRANSPORTS)("broadcasting over $name", ({ opts }) => {
  it("io.emit and nsp.emit reach every socket of the namespace", async () => {
    const h = await startServer();
    const { clients } = await connectMany(h, 3, opts);
    expect(await recipients(h, clients, "all", () => h.io.emit("all", 1))).toEqual([0, 1, 2]);
    expect(await recipients(h, clients, "all", () => h.io.of("/").emit("all", 2))).toEqual([
      0, 1, 2,
    ]);
    expect(await recipients(h, clients, "all", () => h.io.sockets.emit("all", 3))).toEqual([
      0, 1, 2,
    ]);
  });

  it("carries the arguments of a broadcast intact", async () => {
    const h = await startServer();
    const { clients } = await connectMany(h, 2, opts);
    const got = clients.map((c) => waitFor<unknown[]>(c, "data"));
    h.io.emit("data", ...VALUES);
    for (const args of await Promise.all(got)) expect(args).toEqual(VALUES);
  });

  it("socket.broadcast reaches every socket but the sender", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    expect(await recipients(h, clients, "b", () => sockets[0].broadcast.emit("b", "hi"))).toEqual([
      1, 2,
    ]);
  });

  it("to / in target rooms, as a union, with arrays and chains", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 4, opts);
    sockets[0].join("a");
    sockets[1].join(["a", "b"]);
    sockets[2].join("b");
    sockets[3].join("c");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    expect(await r(() => h.io.to("a").emit("ev"))).toEqual([0, 1]);
    expect(await r(() => h.io.in("b").emit("ev"))).toEqual([1, 2]);
    // a socket in both rooms gets the event once
    expect(await r(() => h.io.to("a").to("b").emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => h.io.to(["a", "b"]).emit("ev"))).toEqual([0, 1, 2]);
    expect(await r(() => h.io.in(["a"]).in("c").emit("ev"))).toEqual([0, 1, 3]);
    expect(await r(() => h.io.to("nobody").emit("ev"))).toEqual([]);
    expect(await r(() => h.io.to([]).emit("ev"))).toEqual([0, 1, 2, 3]);
    // a socket's own id is a room
    expect(await r(() => h.io.to(sockets[2].id).emit("ev"))).toEqual([2]);
    expect(await r(() => h.io.of("/").to("c").emit("ev"))).toEqual([3]);
  });

  it("except excludes rooms, with arrays and chains", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 4, opts);
    sockets[0].join("a");
    sockets[1].join(["a", "b"]);
    sockets[2].join("b");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    expect(await r(() => h.io.except("a").emit("ev"))).toEqual([2, 3]);
    expect(await r(() => h.io.except(["a", "b"]).emit("ev"))).toEqual([3]);
    expect(await r(() => h.io.except("a").except("b").emit("ev"))).toEqual([3]);
    expect(await r(() => h.io.to("a").except("b").emit("ev"))).toEqual([0]);
    expect(await r(() => h.io.except("b").to("a").emit("ev"))).toEqual([0]);
    expect(await r(() => h.io.to(["a", "b"]).except(sockets[1].id).emit("ev"))).toEqual([0, 2]);
    expect(await r(() => h.io.of("/").except("nobody").emit("ev"))).toEqual([0, 1, 2, 3]);
  });

  it("socket.to / in / except never reach the sender", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 4, opts);
    for (const s of sockets.slice(0, 3)) s.join("room");
    sockets[2].join("other");
    const r = (send: () => void): Promise<number[]> => recipients(h, clients, "ev", send);
    expect(await r(() => sockets[0].to("room").emit("ev"))).toEqual([1, 2]);
    expect(await r(() => sockets[0].in(["room", "other"]).emit("ev"))).toEqual([1, 2]);
    expect(await r(() => sockets[0].to("room").except("other").emit("ev"))).toEqual([1]);
    expect(await r(() => sockets[0].except("other").emit("ev"))).toEqual([1, 3]);
    expect(await r(() => sockets[3].to("room").emit("ev"))).toEqual([0, 1, 2]);
    // to its own id: nobody (the sender is excluded)
    expect(await r(() => sockets[0].to(sockets[0].id).emit("ev"))).toEqual([]);
    expect(await r(() => sockets[0].to(sockets[1].id).emit("ev"))).toEqual([1]);
    expect(await r(() => sockets[0].broadcast.to("room").emit("ev"))).toEqual([1, 2]);
  });

  it("broadcasts only within the namespace", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const [other, otherSocket] = await connect(h, opts, "/other");
    mainSocket.join("shared");
    otherSocket.join("shared");
    const otherGot: unknown[] = [];
    other.on("ev", (v: unknown) => otherGot.push(v));
    const got = waitFor(main, "ev");
    h.io.to("shared").emit("ev", 1);
    expect(await got).toEqual([1]);
    const done = waitFor(other, "marker");
    otherSocket.emit("marker");
    await done;
    expect(otherGot).toEqual([]);
  });
});

describe.each(TRANSPORTS)("catch-all listeners over $name", ({ opts }) => {
  it("onAny / prependAny see every incoming event, in order, before the listeners", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const calls: string[] = [];
    const any1 = (ev: string, ...args: unknown[]): void => {
      calls.push(`any1:${ev}:${JSON.stringify(args)}`);
    };
    const any0 = (ev: string): void => void calls.push(`any0:${ev}`);
    expect(socket.onAny(any1)).toBe(socket);
    expect(socket.prependAny(any0)).toBe(socket);
    expect(socket.listenersAny()).toEqual([any0, any1]);
    socket.on("foo", () => calls.push("on:foo"));
    const got = waitFor(socket, "foo");
    client.emit("foo", 1, "two");
    await got;
    expect(calls).toEqual(["any0:foo", 'any1:foo:[1,"two"]', "on:foo"]);
  });

  it("onAny gets the acknowledgement callback last", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.onAny((ev: string, n: number, ack: (v: unknown) => void) => {
      if (ev === "q") ack(n * 2);
    });
    expect(await client.emitWithAck("q", 21)).toBe(42);
  });

  it("offAny removes one catch-all listener, or all of them", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const seen: string[] = [];
    const a = (ev: string): void => void seen.push("a:" + ev);
    const b = (ev: string): void => void seen.push("b:" + ev);
    socket.onAny(a).onAny(b);
    expect(socket.offAny(a)).toBe(socket);
    expect(socket.listenersAny()).toEqual([b]);
    let got = waitFor(socket, "one");
    client.emit("one");
    await got;
    socket.offAny();
    expect(socket.listenersAny()).toEqual([]);
    got = waitFor(socket, "two");
    client.emit("two");
    await got;
    expect(seen).toEqual(["b:one"]);
    // removing from an empty list is harmless
    expect(socket.offAny(a)).toBe(socket);
  });

  it("onAnyOutgoing and its twins see socket emits without the ack callback", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const seen: string[] = [];
    const out1 = (ev: string, ...args: unknown[]): void => {
      seen.push(`out1:${ev}:${JSON.stringify(args)}`);
    };
    const out0 = (ev: string): void => void seen.push(`out0:${ev}`);
    expect(socket.onAnyOutgoing(out1)).toBe(socket);
    expect(socket.prependAnyOutgoing(out0)).toBe(socket);
    expect(socket.listenersAnyOutgoing()).toEqual([out0, out1]);
    client.on("q", (n: number, cb: (v: number) => void) => cb(n));
    socket.emit("plain", 1, { a: 2 });
    expect(await socket.timeout(5000).emitWithAck("q", 7)).toBe(7);
    socket.send("msg");
    expect(seen).toEqual([
      "out0:plain",
      'out1:plain:[1,{"a":2}]',
      "out0:q",
      "out1:q:[7]",
      "out0:message",
      'out1:message:["msg"]',
    ]);
    expect(socket.offAnyOutgoing(out0)).toBe(socket);
    expect(socket.listenersAnyOutgoing()).toEqual([out1]);
    socket.offAnyOutgoing();
    expect(socket.listenersAnyOutgoing()).toEqual([]);
    seen.length = 0;
    socket.emit("after");
    expect(seen).toEqual([]);
  });

  it("onAnyOutgoing sees the broadcasts each socket receives", async () => {
    const h = await startServer();
    const { clients, sockets } = await connectMany(h, 3, opts);
    const seen: string[] = [];
    sockets.forEach((s, i) =>
      s.onAnyOutgoing((ev: string, ...args: unknown[]) => {
        seen.push(`${i}:${ev}:${JSON.stringify(args)}`);
      }),
    );
    sockets[1].join("r");
    h.io.emit("all", 1);
    h.io.to("r").emit("room", 2);
    sockets[0].broadcast.emit("bc", 3);
    h.io.except("r").emit("ex", 4);
    expect(seen.sort()).toEqual(
      [
        "0:all:[1]",
        "1:all:[1]",
        "2:all:[1]",
        "1:room:[2]",
        "1:bc:[3]",
        "2:bc:[3]",
        "0:ex:[4]",
        "2:ex:[4]",
      ].sort(),
    );
    // broadcasts with acks too
    clients.forEach((c) => c.on("ack", (cb: (v: string) => void) => cb("ok")));
    seen.length = 0;
    const responses = await h.io.timeout(5000).emitWithAck("ack");
    expect(responses).toEqual(["ok", "ok", "ok"]);
    expect(seen.sort()).toEqual(["0:ack:[]", "1:ack:[]", "2:ack:[]"]);
  });

  it("catch-all listeners do not see reserved events", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const incoming: string[] = [];
    socket.onAny((ev: string) => incoming.push(ev));
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone; // "disconnect" is the socket's last event: a catch-all call would have come by now
    expect(incoming).toEqual([]);
  });
});
