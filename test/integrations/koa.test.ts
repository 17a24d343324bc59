/**
 * socketkit/koa with the real Koa (3, and 2 through the `koa2` alias), koa-session and the real
 * socket.io-client: `app.io`/`ctx.io`, Koa middleware on the handshake (koa-session, auth) with
 * what it sets reachable from the socket, koa-socket-2 style event middleware, closing.
 */
import Koa from "koa";
import session from "koa-session";
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { attach, koaContext, KoaEvents, type EventContext } from "../../integrations/koa/index";
import type { Server } from "../../core/index";
import {
  CLIENT_TRANSPORTS,
  connect,
  settled,
  connectError,
  http,
  listen,
  portIsFree,
} from "./helpers";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Koa 2 alias
const Koa2 = require("koa2") as typeof Koa;

interface SessionData {
  user?: string;
}
/** What socketkit/koa mirrors from the handshake's Koa context onto `socket.request`. */
const sessionOf = (req: IncomingMessage) =>
  (req as IncomingMessage & { session?: SessionData | null }).session;

const running = new Set<Server>();

afterEach(async () => {
  await closeAll();
  await Promise.all([...running].map((io) => io.close()));
  running.clear();
});

/** A koa-session store kept in memory, so that logging out revokes the cookie. */
function memoryStore() {
  const sessions = new Map<string, unknown>();
  return {
    sessions,
    async get(key: string) {
      return sessions.get(key);
    },
    async set(key: string, value: unknown) {
      sessions.set(key, value);
    },
    async destroy(key: string) {
      sessions.delete(key);
    },
  };
}

describe.each([
  ["3", Koa],
  ["2", Koa2],
])("Koa %s", (major, factory) => {
  function createApp() {
    const app = new factory();
    app.keys = ["koa secret"];
    const store = memoryStore();
    const sessionMiddleware = session({ store }, app);
    app.use(sessionMiddleware);
    app.use(async (ctx, next) => {
      const s = ctx.session as (SessionData & object) | null;
      if (ctx.method === "POST" && ctx.path === "/login") {
        s!.user = "alice";
        ctx.body = { ok: true };
      } else if (ctx.method === "POST" && ctx.path === "/logout") {
        ctx.session = null;
        ctx.body = { ok: true };
      } else if (ctx.path === "/me") {
        ctx.body = { user: s?.user ?? null };
      } else if (ctx.path === "/clients") {
        ctx.io.emit("broadcast", "from a route");
        ctx.body = { clients: ctx.io.engine.clientsCount };
      } else await next();
    });
    return { app, store, sessionMiddleware };
  }

  it("runs under its own Koa major, as app.io and ctx.io, app.listen on app.server", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require(major === "3" ? "koa/package.json" : "koa2/package.json") as {
      version: string;
    };
    expect(pkg.version.split(".")[0]).toBe(major);
    const { app } = createApp();
    const io = attach(app);
    running.add(io);
    const target = app as Koa & { io?: unknown; server?: HttpServer };
    expect(target.io).toBe(io);
    const server = app.listen(0, "127.0.0.1");
    expect(server).toBe(target.server);
    await waitFor(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = await connect(url);
    const broadcast = waitFor<[string]>(client, "broadcast");
    expect(JSON.parse((await http(`${url}/clients`)).body)).toEqual({ clients: 1 });
    expect((await broadcast)[0]).toBe("from a route");
  });

  it.each(CLIENT_TRANSPORTS)("shares koa-session with the socket (%s)", async (_, opts) => {
    const { app, sessionMiddleware } = createApp();
    const httpServer = createServer(app.callback());
    const io = attach(app, httpServer, {
      handshake: [
        sessionMiddleware,
        async (ctx, next) => {
          if (!ctx.session?.user) ctx.throw(401, "log in first");
          ctx.state.user = { name: ctx.session!.user };
          await next();
        },
      ],
    });
    running.add(io);
    io.on("connection", (socket) => {
      socket.on("whoami", (ack: (who: unknown) => void) =>
        ack({
          session: sessionOf(socket.request)?.user,
          state: koaContext(socket.request)?.state.user,
        }),
      );
    });
    const url = await listen(httpServer);

    const refused = await connectError(url, opts);
    expect(refused.message).toMatch(/xhr poll error|websocket error/);
    if (opts.transports![0] === "polling") expect(refused.description).toBe(401);

    const { cookie } = await http(`${url}/login`, { method: "POST" });
    expect(cookie).toMatch(/koa\.sess=/);
    const client = await connect(url, { ...opts, extraHeaders: { cookie } });
    expect(await client.emitWithAck("whoami")).toEqual({
      session: "alice",
      state: { name: "alice" },
    });

    // logout over HTTP: the next handshake of the same client (same cookie) is refused
    await http(`${url}/logout`, { method: "POST", cookie });
    client.disconnect();
    const again = waitFor<[Error]>(client, "connect_error");
    client.connect();
    expect((await again)[0].message).toMatch(/xhr poll error|websocket error/);
  });

  it("answers as Koa when a handshake middleware does not call next()", async () => {
    const { app } = createApp();
    const io = attach(app, {
      handshake: [
        async (ctx, next) => {
          if (ctx.get("x-token") === "ok") return next();
          ctx.status = 403;
          ctx.body = { error: "forbidden" };
        },
      ],
    });
    running.add(io);
    const url = await listen((app as Koa & { server: HttpServer }).server);
    const forbidden = await http(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body)).toEqual({ error: "forbidden" });
    const ok = await http(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { "x-token": "ok" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.startsWith("0{")).toBe(true);
  });

  it("answers ctx.throw(401, msg) as Koa would, before any HTTP route was hit", async () => {
    const { app } = createApp();
    const io = attach(app, {
      handshake: [
        async (ctx) => {
          ctx.throw(401, "log in first");
        },
      ],
    });
    running.add(io);
    const url = await listen((app as Koa & { server: HttpServer }).server);
    const refused = await http(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(401);
    expect(refused.body).toBe("log in first");
    expect(refused.headers["content-type"]).toMatch(/^text\/plain/);
    const client = await connectError(url);
    expect(client.message).toBe("xhr poll error"); // what a browser client sees of it
  });

  it("runs `use` middleware on every request and `handshake` middleware once", async () => {
    const { app } = createApp();
    const seen = { all: 0, handshakes: 0 };
    const io = attach(app, {
      use: [async (_ctx, next) => void (seen.all++, await next())],
      handshake: [async (_ctx, next) => void (seen.handshakes++, await next())],
    });
    running.add(io);
    io.on("connection", (socket) =>
      socket.on("echo", (n: number, ack: (n: number) => void) => ack(n)),
    );
    const url = await listen((app as Koa & { server: HttpServer }).server);
    const client = await connect(url, { transports: ["polling"] });
    for (let i = 0; i < 3; i++) expect(await client.emitWithAck("echo", i)).toBe(i);
    expect(seen.handshakes).toBe(1);
    expect(seen.all).toBeGreaterThan(3);
  });

  it.each(CLIENT_TRANSPORTS)("io.close() does not hang on open sockets (%s)", async (_, opts) => {
    const { app } = createApp();
    const io = attach(app);
    const server = (app as Koa & { server: HttpServer }).server;
    const url = await listen(server);
    const port = (server.address() as AddressInfo).port;
    const clients = await Promise.all([connect(url, opts), connect(url, opts)]);
    await Promise.all(clients.map(settled));
    const gone = clients.map((c) => waitFor(c, "disconnect"));
    const fullyClosed = waitFor(server, "close", 2000); // every connection ended
    const started = Date.now();
    await io.close();
    await fullyClosed;
    expect(Date.now() - started).toBeLessThan(2000);
    await Promise.all(gone);
    expect(await portIsFree(port)).toBe(true);
  });
});

describe("KoaEvents (koa-socket-2 style event middleware)", () => {
  async function start() {
    const app = new Koa();
    const io = attach(app);
    running.add(io);
    const url = await listen((app as Koa & { server: HttpServer }).server);
    return { io, url };
  }

  it("runs middleware around handlers with ctx.event, ctx.data, ctx.socket, ctx.acknowledge", async () => {
    const { io, url } = await start();
    const order: string[] = [];
    const events = new KoaEvents(io);
    events.use(async (ctx, next) => {
      order.push(`before ${ctx.event}`);
      ctx.state.by = "middleware";
      await next();
      order.push(`after ${ctx.event}`);
    });
    events.on("greet", async (ctx, data) => {
      order.push(`handler ${data}`);
      expect(ctx.socket.id).toBe(socketId);
      expect(ctx.args).toEqual(["bob", 42]);
      ctx.acknowledge?.(`hello ${data}`, ctx.state.by);
    });
    let socketId = "";
    io.on("connection", (socket) => (socketId = socket.id));
    const client = await connect(url);
    expect(await client.emitWithAck("greet", "bob", 42)).toBe("hello bob");
    expect(order).toEqual(["before greet", "handler bob", "after greet"]);
  });

  it("lets middleware stop an event, and reports errors to onError", async () => {
    const { io, url } = await start();
    const errors: [unknown, string][] = [];
    const events = new KoaEvents(io.of("/chat"), {
      onError: (err, ctx: EventContext) => errors.push([err, ctx.event]),
    });
    events.use(async (ctx, next) => {
      if (ctx.data === "blocked") return ctx.acknowledge?.("refused");
      await next();
    });
    const handled: unknown[] = [];
    events.on("say", (ctx, data) => {
      handled.push(data);
      ctx.acknowledge?.("ok");
    });
    events.on("boom", () => {
      throw new Error("kaboom");
    });
    const client = await connect(url, {}, "/chat");
    expect(await client.emitWithAck("say", "blocked")).toBe("refused");
    expect(await client.emitWithAck("say", "hi")).toBe("ok");
    client.emit("say", "no ack");
    client.emit("boom");
    expect(await client.emitWithAck("say", "last")).toBe("ok"); // in order: the rest was handled
    expect(handled).toEqual(["hi", "no ack", "last"]);
    expect(errors).toHaveLength(1);
    expect((errors[0][0] as Error).message).toBe("kaboom");
    expect(errors[0][1]).toBe("boom");
  });

  it("leaves ordinary listeners working and supports off()", async () => {
    const { io, url } = await start();
    const events = new KoaEvents(io);
    const seen: string[] = [];
    const handler = () => void seen.push("koa");
    events.on("ping", handler);
    io.on("connection", (socket) =>
      socket.on("ping", (ack: () => void) => {
        seen.push("plain");
        ack();
      }),
    );
    const client = await connect(url);
    await client.emitWithAck("ping");
    events.off("ping", handler);
    await client.emitWithAck("ping");
    expect(seen).toEqual(["koa", "plain", "plain"]);
  });
});
