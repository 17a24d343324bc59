/**
 * socketkit/koa's `IO`, koa-socket-2's API over socketkit: the examples of koa-socket-2's README
 * and its documented behaviour (app.io / app._io / app[namespace], attach reusing app.server,
 * `(ctx, next)` middleware, `(ctx, data)` handlers reaching sockets connected before they were
 * added, off(), connections, broadcast), with the real Koa and socket.io-client.
 */
import Koa from "koa";
import { readFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, Server as HttpsServer } from "node:https";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { attach, IO, type EventContext } from "../../integrations/koa/index";
import { Server, type Socket } from "../../core/index";
import { connect, listen } from "./helpers";
import { closeAll } from "../support/close-all";
import { waitFor, waitUntil } from "../support/wait";

type App = Koa & { io?: unknown; _io?: Server; server?: HttpServer; [name: string]: unknown };

const servers = new Set<Server>();

afterEach(async () => {
  await closeAll();
  await Promise.all([...servers].map((io) => io.close()));
  servers.clear();
});

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Koa 2 alias
const Koa2 = require("koa2") as typeof Koa;

/** A Koa app with `ios` attached, listening (app.listen) on 127.0.0.1, port 0. */
async function start(...ios: IO[]): Promise<{ app: App; url: string }> {
  return startOn(Koa, ...ios);
}

async function startOn(factory: typeof Koa, ...ios: IO[]): Promise<{ app: App; url: string }> {
  const app = new factory() as App;
  for (const io of ios) io.attach(app);
  servers.add(app._io!);
  const server = app.listen(0, "127.0.0.1");
  await waitFor(server, "listening");
  return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

it.each([
  ["3", Koa],
  ["2", Koa2],
])(
  "runs koa-socket-2's README example on Koa %s: attach, app.io, app._io, app.listen",
  async (_, factory) => {
    const io = new IO();
    const joined = new Promise<[EventContext, unknown]>((resolve) =>
      io.on("join", (ctx, data) => resolve([ctx, data])),
    );
    const { app, url } = await startOn(factory, io);
    expect(app.io).toBe(io);
    expect(app._io).toBeInstanceOf(Server);
    expect(io.socket).toBe(app._io);
    const rawConnection = waitFor<[Socket]>(app._io!, "connection");
    const client = await connect(url);
    const [sock] = await rawConnection;
    client.emit("join", { room: "lobby" });
    const [ctx, data] = await joined;
    expect(data).toEqual({ room: "lobby" });
    expect(ctx.event).toBe("join");
    expect(ctx.data).toEqual({ room: "lobby" });
    expect(ctx.socket).toBe(sock);
    expect(ctx.socket.id).toBe(client.id);
  },
);

it("passes the context through the middleware to the handler; acknowledge answers the client", async () => {
  const io = new IO();
  const trail: string[] = [];
  io.use(async (ctx, next) => {
    trail.push("upstream");
    (ctx as EventContext & { process?: number }).process = process.pid;
    await next();
    trail.push("downstream");
  });
  io.use((ctx, next) => {
    trail.push(`second saw ${(ctx as EventContext & { process?: number }).process}`);
    return next();
  });
  io.on("event", (ctx, data) => {
    trail.push(`handler ${(ctx as EventContext & { process?: number }).process} ${data}`);
    ctx.acknowledge?.("got " + data);
  });
  const { url } = await start(io);
  const client = await connect(url);
  expect(await client.emitWithAck("event", "x")).toBe("got x");
  await new Promise((resolve) => setImmediate(resolve)); // the downstream half runs after the ack
  expect(trail).toEqual([
    "upstream",
    `second saw ${process.pid}`,
    `handler ${process.pid} x`,
    "downstream",
  ]);
});

it("runs the middleware only for events that have a handler", async () => {
  const io = new IO();
  const seen: string[] = [];
  io.use(async (ctx, next) => {
    seen.push(ctx.event);
    await next();
  });
  const handled = new Promise<void>((resolve) => io.on("handled", () => resolve()));
  const { url } = await start(io);
  const client = await connect(url);
  client.emit("unhandled", 1);
  client.emit("handled", 2);
  await handled;
  expect(seen).toEqual(["handled"]);
});

it("reaches sockets connected before a handler or middleware was added; off() removes them", async () => {
  const io = new IO();
  const { url } = await start(io);
  const client = await connect(url);
  const calls: string[] = [];
  const first = (ctx: EventContext) => void calls.push(`first ${ctx.data}`);
  const second = (ctx: EventContext) => void calls.push(`second ${ctx.data}`);
  io.use(async (ctx, next) => {
    if (ctx.event === "ping") calls.push(`middleware ${ctx.data}`);
    await next();
  });
  io.on("ping", first).on("ping", second);
  io.on("done", (ctx) => ctx.acknowledge?.());
  client.emit("ping", 1);
  await client.emitWithAck("done");
  io.off("ping", first);
  client.emit("ping", 2);
  await client.emitWithAck("done");
  io.off("ping");
  client.emit("ping", 3);
  await client.emitWithAck("done");
  io.off();
  client.emit("ping", 4);
  // a plain listener of the socket answers after "ping" 4 went through (socket order is kept)
  io.connections.get(client.id!)!.on("sync", (ack: () => void) => ack());
  await client.emitWithAck("sync");
  // the middleware runs once per handler, as koa-socket-2 composes it per listener
  expect(calls).toEqual([
    "middleware 1",
    "first 1",
    "middleware 1",
    "second 1",
    "middleware 2",
    "second 2",
  ]);
  expect(io.listeners.size).toBe(0);
});

it("keeps connections up to date, hands 'connection' listeners the socket, 'disconnect' a context", async () => {
  const io = new IO();
  const { url } = await start(io);
  expect(io.connections.size).toBe(0);
  const connected = new Promise<Socket>((resolve) => io.on("connection", resolve));
  const disconnected = new Promise<EventContext>((resolve) => io.on("disconnect", resolve));
  const client = await connect(url);
  const sock = await connected;
  expect(sock.id).toBe(client.id);
  expect([...io.connections.keys()]).toEqual([client.id]);
  io.connections.get(client.id!)!.disconnect(); // boot a client from the list
  const ctx = await disconnected;
  expect(ctx.event).toBe("disconnect");
  expect(ctx.data).toBe("server namespace disconnect");
  expect(ctx.socket.id).toBe(sock.id);
  expect(io.connections.size).toBe(0);
});

it("broadcasts to every connection of its namespace, and to rooms with to()", async () => {
  const io = new IO();
  io.on("join", (ctx, room: string) => {
    void ctx.socket.join(room);
    ctx.acknowledge?.();
  });
  const { url } = await start(io);
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  const both = Promise.all([waitFor(a, "news"), waitFor(b, "news")]);
  io.broadcast("news", "for all");
  expect(await both).toEqual([["for all"], ["for all"]]);
  await a.emitWithAck("join", "room1");
  const inRoom = waitFor(a, "room");
  b.once("room", () => {
    throw new Error("b is not in room1");
  });
  io.to("room1").emit("room", "only a");
  expect(await inRoom).toEqual(["only a"]);
  await b.emitWithAck("join", "room2"); // a round trip: b got nothing meanwhile
});

describe("namespaces", () => {
  it.each([["chat"], [{ namespace: "chat" }]])(
    "new IO(%j) serves /chat as app.chat, next to the main namespace",
    async (opts) => {
      const main = new IO();
      const chat = new IO(opts);
      const { app, url } = await start(main, chat);
      expect(app.io).toBe(main);
      expect(app.chat).toBe(chat);
      expect(chat.socket).toBe(app._io!.of("/chat"));
      const message = new Promise<EventContext>((resolve) => chat.on("message", resolve));
      const mainClient = await connect(url);
      const chatClient = await connect(url, {}, "/chat");
      mainClient.on("response", () => {
        throw new Error("the main namespace got a /chat broadcast");
      });
      chatClient.emit("message", "hi");
      expect((await message).data).toBe("hi");
      const response = waitFor(chatClient, "response");
      chat.broadcast("response", "to chat");
      expect(await response).toEqual(["to chat"]);
      expect([...chat.connections.keys()]).toEqual([chatClient.id]);
      expect([...main.connections.keys()]).toEqual([mainClient.id]);
    },
  );

  it("a namespace instance alone creates app._io without setting app.io", async () => {
    const chat = new IO("chat");
    const { app } = await start(chat);
    expect(app._io).toBeInstanceOf(Server);
    expect(app.io).toBeUndefined();
    expect(app.chat).toBe(chat);
  });

  it("a hidden namespace is not set on the app, and still serves its namespace", async () => {
    const chat = new IO({ namespace: "chat", hidden: true });
    const said = new Promise<EventContext>((resolve) => chat.on("say", resolve));
    const { app, url } = await start(new IO(), chat);
    expect(app.chat).toBeUndefined();
    const client = await connect(url, {}, "/chat");
    client.emit("say", "hidden");
    expect((await said).data).toBe("hidden");
  });
});

describe("attach", () => {
  it("reuses an existing app.server (app.listen left alone, as koa-socket-2)", async () => {
    const app = new Koa() as App;
    const listen0 = app.listen;
    const httpServer = createServer(app.callback());
    app.server = httpServer;
    const io = new IO();
    io.attach(app);
    servers.add(app._io!);
    expect(app.server).toBe(httpServer);
    expect(app.listen).toBe(listen0);
    const url = await listen(httpServer);
    const client = await connect(url);
    expect(io.connections.has(client.id!)).toBe(true);
  });

  // a self-signed certificate for 127.0.0.1, for tests only
  const tls = {
    key: readFileSync(join(__dirname, "../support/tls/key.pem")),
    cert: readFileSync(join(__dirname, "../support/tls/cert.pem")),
  };

  it.each([
    ["attach(app, true, options) creates", false],
    ["an app.server set by hand (koa-socket-2's HTTPS example) is", true],
  ])("serves over HTTPS: %s the https server", async (_, byHand) => {
    const app = new Koa() as App;
    if (byHand) {
      const https = createHttpsServer(tls, app.callback());
      app.server = https as unknown as HttpServer;
      app.listen = ((...args: Parameters<HttpServer["listen"]>) =>
        https.listen(...args)) as unknown as Koa["listen"];
    }
    const io = new IO();
    io.attach(app, !byHand, tls);
    servers.add(app._io!);
    expect(app.server).toBeInstanceOf(HttpsServer);
    const server = app.listen(0, "127.0.0.1");
    await waitFor(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const connected = new Promise<Socket>((resolve) => io.on("connection", resolve));
    const client = await connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    expect((await connected).id).toBe(client.id);
  });

  it("wraps the Server socketkit's attach(app) made, instead of a second one", async () => {
    const app = new Koa() as App;
    const server = attach(app);
    servers.add(server);
    const main = new IO();
    main.attach(app);
    const chat = new IO("chat");
    chat.attach(app);
    expect(app._io).toBe(server);
    expect(main.socket).toBe(server);
    expect(chat.socket).toBe(server.of("/chat"));
    expect(app.io).toBe(main);
    const url = await listen(app.server!);
    const client = await connect(url, {}, "/chat");
    expect([...chat.connections.keys()]).toEqual([client.id]);
  });

  it("refuses what koa-socket-2 refuses, with SIO_ERR_KOA_ATTACH", () => {
    const app = new Koa() as App;
    new IO().attach(app);
    servers.add(app._io!);
    const refusal = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return [(err as { code?: string }).code, (err as Error).message];
      }
      return undefined;
    };
    expect(refusal(() => new IO().attach(app))).toEqual([
      "SIO_ERR_KOA_ATTACH",
      "Socket failed to initialise::Instance may already exist",
    ]);
    expect(refusal(() => new IO({ hidden: true }).attach(new Koa()))).toEqual([
      "SIO_ERR_KOA_ATTACH",
      "Default namespace can not be hidden",
    ]);
    new IO("chat").attach(app);
    expect(refusal(() => new IO("chat").attach(app))).toEqual([
      "SIO_ERR_KOA_ATTACH",
      "Namespace chat already attached to koa instance",
    ]);
    const odd = new Koa() as App;
    odd.server = {} as HttpServer;
    expect(refusal(() => new IO().attach(odd))).toEqual([
      "SIO_ERR_KOA_ATTACH",
      "app.server already exists but it's not an http server",
    ]);
    expect(() => new IO(5 as never)).toThrow(
      expect.objectContaining({ code: "SIO_ERR_INVALID_OPTION" }),
    );
  });

  it("reports a handler's error to onError with the event's context", async () => {
    const failed = new Promise<[unknown, EventContext]>((resolve) => {
      const io = new IO({ onError: (err, ctx) => resolve([err, ctx]) });
      io.on("boom", () => {
        throw new Error("handler failed");
      });
      void start(io).then(({ url }) => connect(url).then((client) => client.emit("boom", 1)));
    });
    const [err, ctx] = await failed;
    expect((err as Error).message).toBe("handler failed");
    expect(ctx.event).toBe("boom");
  });
});

describe("several handlers for one event (koa-socket-2's spec)", () => {
  it("runs every handler of an event, each started when the event comes", async () => {
    // koa-socket-2's "Multiple handlers can be connected to an event": "end" right behind "req"
    const io = new IO();
    let count = 0;
    io.on("req", () => {
      count++;
    });
    io.on("req", () => {
      count++;
    });
    const ended = new Promise<number>((resolve) => io.on("end", () => resolve(count)));
    const { url } = await start(io);
    const client = await connect(url);
    client.emit("req");
    client.emit("end");
    expect(await ended).toBe(2);
  });

  it("off(event, handler) removes that handler only; off(event) all of them", async () => {
    const io = new IO();
    const seen: string[] = [];
    const a = (): void => void seen.push("a");
    const b = (): void => void seen.push("b");
    io.on("req", a);
    io.on("req", b);
    const { url } = await start(io);
    const client = await connect(url);
    io.off("req", a);
    const first = new Promise<void>((resolve) => io.on("end", () => resolve()));
    client.emit("req");
    client.emit("end");
    await first;
    expect(seen).toEqual(["b"]);
    io.off("req");
    io.off("end");
    const second = new Promise<void>((resolve) => io.on("end", () => resolve()));
    client.emit("req");
    client.emit("end");
    await second;
    expect(seen).toEqual(["b"]);
  });

  it("runs the middleware once per handler, each with its own context, as koa-socket-2", async () => {
    const io = new IO();
    const contexts: EventContext[] = [];
    io.use(async (ctx, next) => {
      contexts.push(ctx);
      await next();
    });
    const data: unknown[] = [];
    io.on("req", (_ctx, d) => void data.push(d));
    io.on("req", (_ctx, d) => void data.push(d));
    const ended = new Promise<void>((resolve) => io.on("end", () => resolve()));
    const { url } = await start(io);
    const client = await connect(url);
    client.emit("req", 7);
    client.emit("end");
    await ended;
    expect(data).toEqual([7, 7]);
    const reqs = contexts.filter((ctx) => ctx.event === "req");
    expect(reqs).toHaveLength(2);
    expect(reqs[0]).not.toBe(reqs[1]);
    expect(reqs[1]!.socket).toBe(reqs[0]!.socket);
  });

  it("reports each failing handler to onError; the other handlers still run", async () => {
    const errors: string[] = [];
    const io = new IO({ onError: (err) => errors.push((err as Error).message) });
    let ran = 0;
    io.on("req", () => {
      throw new Error("first failed");
    });
    io.on("req", () => {
      ran++;
    });
    io.on("req", async () => {
      throw new Error("third failed");
    });
    const { url } = await start(io);
    const client = await connect(url);
    client.emit("req");
    await waitUntil(() => errors.length === 2);
    expect(errors.sort()).toEqual(["first failed", "third failed"]);
    expect(ran).toBe(1);
  });

  it('serves a namespace of a manual require("socketkit")(server) set as app._io', async () => {
    // koa-socket-2's README: an app.server made by hand and the raw instance as app._io
    const app = new Koa() as App;
    app.server = createServer(app.callback());
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS form under test
    const makeIo = require("socketkit") as (srv: HttpServer) => Server;
    app._io = makeIo(app.server);
    servers.add(app._io);
    const chat = new IO("chat");
    chat.attach(app);
    expect(app.chat).toBe(chat);
    expect(chat.socket).toBe(app._io.of("/chat"));
    const got: unknown[] = [];
    chat.on("message", (_ctx, d) => void got.push(["first", d]));
    chat.on("message", (_ctx, d) => void got.push(["second", d]));
    const url = await listen(app.server);
    const client = await connect(url, {}, "/chat");
    client.emit("message", "hi");
    await waitUntil(() => got.length === 2);
    expect(got).toEqual([
      ["first", "hi"],
      ["second", "hi"],
    ]);
  });
});
