import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Event, ExtendedError, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;
type Ack = (...args: unknown[]) => void;
type ConnectError = Error & { data?: unknown };

/** Connects and resolves with the client's connect_error. */
async function refused(h: ServerHarness, opts: ClientOpts, nsp = "/"): Promise<ConnectError> {
  const client = createClient(h, nsp, opts);
  const [err] = await waitFor<[ConnectError]>(client, "connect_error");
  expect(client.connected).toBe(false);
  return err;
}

describe.each(TRANSPORTS)("connection middlewares over $name", ({ opts }) => {
  it("runs io.use middlewares in order before the connection", async () => {
    const h = await startServer();
    const order: string[] = [];
    let seenConnected: boolean | undefined;
    let seenInNsp: boolean | undefined;
    h.io.use((socket, next) => {
      order.push("first");
      seenConnected = socket.connected;
      seenInNsp = h.io.of("/").sockets.has(socket.id);
      next();
    });
    h.io.use((socket, next) => {
      order.push("second");
      socket.data.checked = true;
      next();
    });
    h.io.on("connection", () => order.push("connection"));
    const [, socket] = await connect(h, opts);
    expect(order).toEqual(["first", "second", "connection"]);
    expect(seenConnected).toBe(false);
    expect(seenInNsp).toBe(false);
    expect(socket.data).toEqual({ checked: true });
  });

  it("returns the server / namespace from use()", async () => {
    const h = await startServer();
    const fn = (_s: Socket, next: (err?: ExtendedError) => void): void => next();
    expect(h.io.use(fn)).toBe(h.io);
    expect(h.io.of("/x").use(fn)).toBe(h.io.of("/x"));
  });

  it("runs a namespace's middlewares only for that namespace", async () => {
    const h = await startServer();
    const ran: string[] = [];
    h.io.use((_s, next) => {
      ran.push("main");
      next();
    });
    h.io.of("/admin").use((_s, next) => {
      ran.push("admin");
      next();
    });
    await connect(h, opts, "/admin");
    expect(ran).toEqual(["admin"]);
    await connect(h, opts);
    expect(ran).toEqual(["admin", "main"]);
  });

  it("sends the error message and data to the client's connect_error", async () => {
    const h = await startServer();
    h.io.use((_s, next) => {
      const err: ExtendedError = new Error("not authorized");
      err.data = { content: "Please retry later", code: 42 };
      next(err);
    });
    let connections = 0;
    h.io.on("connection", () => connections++);
    const err = await refused(h, opts);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("not authorized");
    expect(err.data).toEqual({ content: "Please retry later", code: 42 });
    expect(connections).toBe(0);
    expect(h.io.of("/").sockets.size).toBe(0);
  });

  it("sends an error without data as such", async () => {
    const h = await startServer();
    h.io.use((_s, next) => next(new Error("plain")));
    const err = await refused(h, opts);
    expect(err.message).toBe("plain");
    expect(err.data).toBeUndefined();
  });

  it("stops at the first error", async () => {
    const h = await startServer();
    const ran: string[] = [];
    h.io.use((_s, next) => {
      ran.push("1");
      next(new Error("stop"));
    });
    h.io.use((_s, next) => {
      ran.push("2");
      next();
    });
    const err = await refused(h, opts);
    expect(err.message).toBe("stop");
    expect(ran).toEqual(["1"]);
  });

  it("decides from the handshake (auth)", async () => {
    const h = await startServer();
    h.io.use((socket, next) => {
      if (socket.handshake.auth.token === "secret") next();
      else next(new Error("bad token"));
    });
    const [client] = await connect(h, { ...opts, auth: { token: "secret" } });
    expect(client.connected).toBe(true);
    expect((await refused(h, { ...opts, auth: { token: "nope" } })).message).toBe("bad token");
  });

  it("waits for an async middleware", async () => {
    const h = await startServer();
    h.io.use(async (socket, next) => {
      await sleep(30);
      socket.data.user = await Promise.resolve("async-user");
      next();
    });
    h.io.use((socket, next) => {
      setTimeout(() => {
        socket.data.second = true;
        next();
      }, 10);
    });
    const [, socket] = await connect(h, opts);
    expect(socket.data).toEqual({ user: "async-user", second: true });
  });

  it("refuses from an async middleware", async () => {
    const h = await startServer();
    h.io.use(async (_s, next) => {
      await sleep(20);
      next(new Error("async refusal"));
    });
    expect((await refused(h, opts)).message).toBe("async refusal");
  });

  it("refuses one namespace and keeps the others of the connection", async () => {
    const h = await startServer();
    h.io.of("/private").use((_s, next) => next(new Error("private")));
    const [main, mainSocket] = await connect(h, opts);
    const priv = main.io.socket("/private");
    const [err] = await waitFor<[ConnectError]>(priv, "connect_error");
    expect(err.message).toBe("private");
    expect(main.connected).toBe(true);
    expect(mainSocket.connected).toBe(true);
    const got = waitFor(main, "still");
    mainSocket.emit("still", "here");
    expect(await got).toEqual(["here"]);
  });

  it("applies middlewares added later to later connections only", async () => {
    const h = await startServer();
    const [first] = await connect(h, opts);
    h.io.use((_s, next) => next(new Error("closed now")));
    expect((await refused(h, opts)).message).toBe("closed now");
    expect(first.connected).toBe(true);
  });

  it("ignores a socket whose connection closed while its middleware ran", async () => {
    const h = await startServer();
    let release!: () => void;
    let holding = true;
    const started = new Promise<void>((resolve) => {
      h.io.use((_s, next) => {
        if (!holding) return next();
        release = () => next();
        resolve();
      });
    });
    let connections = 0;
    h.io.on("connection", () => connections++);
    const client = createClient(h, "/", opts);
    await started;
    const engineConns = Object.values(h.io.engine.clients);
    client.disconnect();
    // wait for the server's engine socket to close
    await Promise.all(
      engineConns.map((c) => (c.readyState === "closed" ? Promise.resolve() : waitFor(c, "close"))),
    );
    release();
    // a later client through the same middleware: by its connection, a late one would have come
    holding = false;
    const [, later] = await connect(h, opts);
    expect(connections).toBe(1);
    expect([...h.io.of("/").sockets.keys()]).toEqual([later.id]);
    expect([...h.io.of("/").adapter.sids.keys()]).toEqual([later.id]);
  });
});

describe.each(TRANSPORTS)("socket middlewares over $name", ({ opts }) => {
  it("runs socket.use for each incoming event, in order, before the listeners", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const seen: string[] = [];
    expect(
      socket.use((event, next) => {
        seen.push(`1:${JSON.stringify(event)}`);
        next();
      }),
    ).toBe(socket);
    socket.use((event, next) => {
      seen.push(`2:${event[0]}`);
      next();
    });
    const got = waitFor(socket, "ev");
    client.emit("ev", 1, { a: 2 });
    expect(await got).toEqual([1, { a: 2 }]);
    expect(seen).toEqual(['1:["ev",1,{"a":2}]', "2:ev"]);
  });

  it("lets a middleware change the arguments", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use((event, next) => {
      event[1] = (event[1] as string).toUpperCase();
      event.push("added");
      next();
    });
    const got = waitFor(socket, "shout");
    client.emit("shout", "hello");
    expect(await got).toEqual(["HELLO", "added"]);
  });

  it("passes the acknowledgement callback in the event", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use((event: Event, next) => {
      const ack = event[event.length - 1];
      if (event[0] === "short" && typeof ack === "function") {
        (ack as Ack)("from middleware");
        return; // never calls next: the listener does not run
      }
      next();
    });
    let listenerRan = false;
    socket.on("short", () => {
      listenerRan = true;
    });
    socket.on("normal", (cb: Ack) => cb("from listener"));
    expect(await client.emitWithAck("short")).toBe("from middleware");
    expect(await client.emitWithAck("normal")).toBe("from listener");
    expect(listenerRan).toBe(false);
  });

  it("emits the error of a middleware as an 'error' event and drops the event", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const ran: string[] = [];
    socket.use((event, next) => {
      if (event[0] === "forbidden") next(new Error("not allowed"));
      else next();
    });
    socket.use((event, next) => {
      ran.push(event[0]);
      next();
    });
    let delivered = false;
    socket.on("forbidden", () => {
      delivered = true;
    });
    const errored = waitFor<[Error]>(socket, "error");
    client.emit("forbidden", 1);
    const [err] = await errored;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("not allowed");
    // the socket is still connected and later events go through
    const got = waitFor(socket, "allowed");
    client.emit("allowed");
    await got;
    expect(delivered).toBe(false);
    expect(ran).toEqual(["allowed"]);
    expect(socket.connected).toBe(true);
    expect(client.connected).toBe(true);
  });

  it("does not throw on a middleware error without an 'error' listener", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use((event, next) => next(event[0] === "bad" ? new Error("x") : undefined));
    client.emit("bad");
    const got = waitFor(socket, "good");
    client.emit("good");
    await got;
    expect(socket.connected).toBe(true);
  });

  it("lets a middleware disconnect the socket", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use((event, next) => {
      if (event[0] === "kick") socket.disconnect();
      else next();
    });
    const gone = waitFor(client, "disconnect");
    client.emit("kick");
    expect(await gone).toEqual(["io server disconnect"]);
    expect(socket.connected).toBe(false);
  });

  it("shows an event to onAny listeners before the middlewares run", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    const order: string[] = [];
    socket.onAny((ev: string) => order.push("any:" + ev));
    socket.use((event, next) => {
      order.push("use:" + event[0]);
      next(event[0] === "blocked" ? new Error("blocked") : undefined);
    });
    const errored = waitFor(socket, "error");
    client.emit("blocked");
    await errored;
    expect(order).toEqual(["any:blocked", "use:blocked"]);
  });

  it("drops an event whose middleware finishes after the disconnection", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      socket.use((_event, next) => {
        release = () => next();
        resolve();
      });
    });
    let delivered = 0;
    socket.on("held", () => delivered++);
    client.emit("held");
    await held;
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    release();
    // a round trip of another client: a late delivery, a microtask or a tick away, would be in
    const [other, otherSocket] = await connect(h, opts);
    otherSocket.on("barrier", (ack: () => void) => ack());
    await other.timeout(5000).emitWithAck("barrier");
    expect(delivered).toBe(0);
  });

  it("waits for an async socket middleware", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use(async (event, next) => {
      await sleep(20);
      event.push("late");
      next();
    });
    const got = waitFor(socket, "ev");
    client.emit("ev");
    expect(await got).toEqual(["late"]);
  });

  it("keeps the order of events through an async middleware", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts);
    socket.use((_event, next) => {
      setImmediate(next);
    });
    const seen: number[] = [];
    const all = new Promise<void>((resolve) => {
      socket.on("n", (n: number) => {
        seen.push(n);
        if (seen.length === 20) resolve();
      });
    });
    for (let i = 0; i < 20; i++) client.emit("n", i);
    await all;
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
