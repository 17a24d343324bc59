/**
 * socketkit/express with the real Express (5, and 4 through the `express4` alias), express-session
 * and the real socket.io-client: the socket shares the HTTP routes' session (reload/save work),
 * handshake-only middleware, `req.io`, and closing with open sockets.
 */
import express from "express";
import session, { type Session, type SessionData } from "express-session";
import {
  Agent,
  createServer,
  get,
  type IncomingMessage,
  type Server as HttpServer,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestHandler } from "express";
import { attach, handshakeOnly } from "../../integrations/express/index";
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

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Express 4 alias
const express4 = require("express4") as typeof express;

declare module "express-session" {
  interface SessionData {
    user?: string;
    visits?: number;
  }
}
/** What express-session (and the passport-like middleware below) set on `socket.request`. */
const sessionOf = (req: IncomingMessage) =>
  (req as IncomingMessage & { session?: Session & Partial<SessionData> }).session;
const userOf = (req: IncomingMessage) =>
  (req as IncomingMessage & { user?: { name: string } }).user;

const running = new Set<{ io: Server; http: HttpServer }>();

afterEach(async () => {
  await closeAll();
  await Promise.all([...running].map(({ io }) => io.close()));
  running.clear();
});

/** A passport-like middleware: deserializes the user from the session. */
const deserializeUser: RequestHandler = (req, _res, next) => {
  if (req.session?.user)
    (req as IncomingMessage & { user?: object }).user = { name: req.session.user };
  next();
};

/** Refuses a request without a user, as socket.io's docs do for passport. */
const requireUser: RequestHandler = (req, res, next) => {
  if (userOf(req)) next();
  else {
    res.writeHead(401);
    res.end();
  }
};

describe.each([
  ["5", express],
  ["4", express4],
])("Express %s", (major, factory) => {
  async function start(options: Parameters<typeof attach>[2] = {}, extra?: RequestHandler[]) {
    const app = factory();
    const sessionMiddleware = session({
      secret: "keyboard cat",
      resave: false,
      saveUninitialized: false,
    });
    app.use(sessionMiddleware);
    app.post("/login", (req, res) => {
      req.session.user = "alice";
      res.json({ ok: true });
    });
    app.post("/logout", (req, res) => {
      req.session.destroy(() => res.json({ ok: true }));
    });
    app.get("/me", (req, res) => {
      res.json({ user: req.session.user ?? null, visits: req.session.visits ?? 0 });
    });
    app.get("/clients", (req, res) => {
      req.io.emit("broadcast", "from a route");
      res.json({ clients: req.io.engine.clientsCount });
    });
    const httpServer = createServer(app);
    const io = attach(app, httpServer, { use: [sessionMiddleware, ...(extra ?? [])], ...options });
    running.add({ io, http: httpServer });
    const url = await listen(httpServer);
    return { app, io, httpServer, url };
  }

  it("runs under its own Express major", () => {
    const pkg = major === "5" ? "express/package.json" : "express4/package.json";
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require(pkg) as { version: string }).version.split(".")[0]).toBe(major);
  });

  it.each(CLIENT_TRANSPORTS)(
    "shares the session with the socket, both ways (%s)",
    async (_, opts) => {
      const { io, url } = await start({ handshake: [deserializeUser, requireUser] });
      io.on("connection", (socket) => {
        socket.on("whoami", (ack: (user: unknown) => void) =>
          ack({ session: sessionOf(socket.request)?.user, user: userOf(socket.request)?.name }),
        );
        socket.on("visit", (ack: (visits: number) => void) => {
          const req = socket.request;
          sessionOf(req)!.reload((err: unknown) => {
            if (err) throw err;
            const reloaded = sessionOf(req)!; // reload() replaced req.session
            reloaded.visits = (reloaded.visits ?? 0) + 1;
            reloaded.save(() => ack(reloaded.visits!));
          });
        });
      });

      const anonymous = await connectError(url, opts);
      expect(anonymous.message).toMatch(/xhr poll error|websocket error/);

      const { cookie } = await http(`${url}/login`, { method: "POST" });
      expect(cookie).toMatch(/^connect\.sid=/);
      const client = await connect(url, { ...opts, extraHeaders: { cookie } });
      expect(await client.emitWithAck("whoami")).toEqual({ session: "alice", user: "alice" });
      expect(await client.emitWithAck("visit")).toBe(1);
      expect(await client.emitWithAck("visit")).toBe(2);
      expect(JSON.parse((await http(`${url}/me`, { cookie })).body)).toEqual({
        user: "alice",
        visits: 2,
      });

      // logout over HTTP: the next handshake of the same client (same cookie) is refused
      await http(`${url}/logout`, { method: "POST", cookie });
      client.disconnect();
      const refused = waitFor<[Error]>(client, "connect_error");
      client.connect();
      expect((await refused)[0].message).toMatch(/xhr poll error|websocket error/);
    },
  );

  it("runs handshake middleware once per connection, `use` middleware on every request", async () => {
    const all: string[] = [];
    const handshakes: string[] = [];
    const { io, url } = await start(
      {
        handshake: [(req, _res, next) => (handshakes.push(req.url), next())],
      },
      [(req, _res, next) => (all.push(req.url), next())],
    );
    io.on("connection", (socket) =>
      socket.on("echo", (n: number, ack: (n: number) => void) => ack(n)),
    );
    const client = await connect(url, { transports: ["polling"] });
    for (let i = 0; i < 3; i++) expect(await client.emitWithAck("echo", i)).toBe(i);
    expect(handshakes).toHaveLength(1);
    expect(handshakes[0]).not.toMatch(/sid=/);
    expect(all.length).toBeGreaterThan(1);
  });

  it("gives middleware Express's req/res (req.get, req.app, res.status)", async () => {
    let seen: unknown;
    const { app, url } = await start({
      handshake: [
        (req, res, next) => {
          seen = { app: req.app, agent: req.get("x-agent") };
          if (req.get("x-agent") === "blocked") res.status(403).json({ blocked: true });
          else next();
        },
      ],
    });
    const ok = await http(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { "x-agent": "test" },
    });
    expect(ok.status).toBe(200);
    expect(seen).toEqual({ app, agent: "test" });
    const blocked = await http(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { "x-agent": "blocked" },
    });
    expect(blocked.status).toBe(403);
    expect(JSON.parse(blocked.body)).toEqual({ blocked: true });
  });

  it("reaches the server from routes as req.io, whatever the order of app.use", async () => {
    const { url } = await start();
    const client = await connect(url);
    const broadcast = waitFor<[string]>(client, "broadcast");
    expect(JSON.parse((await http(`${url}/clients`)).body)).toEqual({ clients: 1 });
    expect((await broadcast)[0]).toBe("from a route");
  });

  it.each(CLIENT_TRANSPORTS)("io.close() does not hang on open sockets (%s)", async (_, opts) => {
    const { io, url, httpServer } = await start();
    const port = (httpServer.address() as AddressInfo).port;
    const clients = await Promise.all([connect(url, opts), connect(url, opts)]);
    await Promise.all(clients.map(settled));
    const gone = clients.map((c) => waitFor(c, "disconnect"));
    // and an idle keep-alive HTTP connection
    const agent = new Agent({ keepAlive: true });
    await new Promise((resolve) =>
      get(`${url}/me`, { agent }, (res) => res.resume().on("end", resolve)),
    );
    const fullyClosed = waitFor(httpServer, "close", 2000); // every connection ended
    const started = Date.now();
    await io.close();
    await fullyClosed;
    expect(Date.now() - started).toBeLessThan(2000);
    agent.destroy();
    await Promise.all(gone);
    expect(httpServer.listening).toBe(false);
    expect(await portIsFree(port)).toBe(true);
  });
});

describe("handshakeOnly", () => {
  it("skips requests that carry a sid", () => {
    const calls: string[] = [];
    const wrapped = handshakeOnly((req: IncomingMessage, _res: unknown, next: () => void) => {
      calls.push(req.url!);
      next();
    });
    const next = jest.fn();
    wrapped({ url: "/socket.io/?EIO=4&transport=polling" } as IncomingMessage, {}, next);
    wrapped({ url: "/socket.io/?EIO=4&transport=polling&sid=abc" } as IncomingMessage, {}, next);
    expect(calls).toEqual(["/socket.io/?EIO=4&transport=polling"]);
    expect(next).toHaveBeenCalledTimes(2);
  });
});
