/**
 * The Server API of socket.io 4.8: constructors, attach/listen/bind, getters/setters, engine
 * events and options, close(), the listener proxy to the main namespace, new_namespace,
 * serverSideEmit without a cluster adapter, and the up-front option checks.
 *
 * `SIO_REFERENCE=1` marks the run against the official socket.io server (jest.reference.config.js
 * maps core/index to it; `npm run test:reference`): tests of socketkit-only behaviour are
 * skipped then.
 */
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type Server as HttpServer,
} from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Manager, io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { WebSocket } from "ws";
import { createClient, startServer, type ServerHarness } from "../../support/server";
import {
  Adapter,
  EngineServer,
  Namespace,
  Server,
  SessionAwareAdapter,
  type EngineConnectionError,
  type ServerOptions,
  type Socket,
} from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";
import { nodeHostOnly } from "../../support/uws";

const REFERENCE = process.env.SIO_REFERENCE === "1";
/** `it` for socketkit-only behaviour (socket.io has no such check). */
const ours: jest.It = REFERENCE ? it.skip : it;

/** Servers (and extra http servers / clients) a test opened outside the shared harness. */
const toClose: { io?: Server; http?: HttpServer }[] = [];
const extraClients: ClientSocket[] = [];

describe("the server under test", () => {
  it("is socket.io's in the reference run, socketkit's otherwise", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const official = (require("socket.io") as { Server: unknown }).Server;
    expect(Server === official).toBe(REFERENCE);
  });
});

afterEach(async () => {
  jest.restoreAllMocks();
  for (const c of extraClients.splice(0)) c.disconnect();
  for (const { io, http } of toClose.splice(0)) {
    http?.closeAllConnections();
    if (io) await io.close();
    if (http?.listening) await new Promise((r) => http.close(r));
  }
  await closeAll();
});

function portOf(srv: HttpServer | undefined): number {
  return (srv!.address() as AddressInfo).port;
}

async function listening(srv: HttpServer | undefined): Promise<number> {
  if (!srv!.listening) await once(srv!, "listening");
  return portOf(srv);
}

function client(url: string, nsp = "/", opts: object = {}): ClientSocket {
  const socket = ioc(url + nsp, { forceNew: true, reconnection: false, ...opts });
  extraClients.push(socket);
  return socket;
}

function get(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The Engine.IO open packet of a polling handshake, parsed. */
async function handshake(url: string): Promise<Record<string, unknown>> {
  const res = await get(`${url}/socket.io/?EIO=4&transport=polling`);
  expect(res.status).toBe(200);
  expect(res.body[0]).toBe("0");
  return JSON.parse(res.body.slice(1)) as Record<string, unknown>;
}

describe("constructors, attach() and listen()", () => {
  it("new Server(): no engine until attached, then io.attach(httpServer)", async () => {
    const io = new Server();
    const http = createServer();
    toClose.push({ io, http });
    expect(io.engine).toBeUndefined();
    expect(io.httpServer).toBeUndefined();
    expect(io.attach(http)).toBe(io);
    expect(io.httpServer).toBe(http);
    expect(io.engine).toBeDefined();
    http.listen(0, "127.0.0.1");
    const port = await listening(http);
    const c = client(`http://127.0.0.1:${port}`);
    await waitFor(c, "connect");
    expect(io.sockets.sockets.size).toBe(1);
  });

  it("new Server(opts) keeps the options and io.listen(port) creates a listening http server", async () => {
    const io = new Server({ pingInterval: 2000 });
    toClose.push({ io });
    expect(io.opts).toEqual({ pingInterval: 2000, cleanupEmptyChildNamespaces: false });
    expect(io.listen(0)).toBe(io);
    const port = await listening(io.httpServer as HttpServer);
    const info = await handshake(`http://127.0.0.1:${port}`);
    expect(info.pingInterval).toBe(2000);
    // the created http server answers 404 to anything else
    expect((await get(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
  });

  it("new Server(port) and new Server(portString) listen on their own http server", async () => {
    const io = new Server(0);
    toClose.push({ io });
    const port = await listening(io.httpServer as HttpServer);
    const c = client(`http://127.0.0.1:${port}`);
    await waitFor(c, "connect");
    const io2 = new Server("0" as unknown as number, { path: "/two" });
    toClose.push({ io: io2 });
    const port2 = await listening(io2.httpServer as HttpServer);
    expect(port2).not.toBe(port);
    const c2 = client(`http://127.0.0.1:${port2}`, "/", { path: "/two" });
    await waitFor(c2, "connect");
  });

  nodeHostOnly("new Server(httpServer, opts) attaches with the options", async () => {
    const h = await startServer({ path: "/custom", connectTimeout: 1234 });
    expect(h.io.httpServer).toBe(h.http);
    expect(h.io.path()).toBe("/custom");
    expect(h.io.connectTimeout()).toBe(1234);
    const c = createClient(h, "/", { path: "/custom" });
    await waitFor(c, "connect");
  });

  it("io.attach(port) with attach-time options merged under the server's own", async () => {
    const io = new Server({ pingTimeout: 3000 });
    toClose.push({ io });
    io.attach(0, { pingInterval: 4000, pingTimeout: 1 });
    const port = await listening(io.httpServer as HttpServer);
    const info = await handshake(`http://127.0.0.1:${port}`);
    expect(info.pingInterval).toBe(4000);
    // the server's options win over attach()'s
    expect(info.pingTimeout).toBe(3000);
  });

  it("new Server(null | undefined, opts) attaches nothing, as socket.io", () => {
    for (const srv of [null, undefined]) {
      const io = new Server(srv as unknown as number, { connectTimeout: 5 });
      expect(io.httpServer).toBeUndefined();
      expect(io.engine).toBeUndefined();
      expect(io.connectTimeout()).toBe(5);
    }
  });

  it("refuses an express-like request handler", () => {
    const handler = (() => undefined) as unknown as HttpServer;
    const message =
      "You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.";
    expect(() => new Server(handler)).toThrow(message);
    expect(() => new Server().attach(handler)).toThrow(message);
  });
});

describe("getters and setters", () => {
  it("path() and serveClient(): defaults, setters (trailing slash dropped), chainable", () => {
    const io = new Server();
    expect(io.path()).toBe("/socket.io");
    expect(io.path("/foo/")).toBe(io);
    expect(io.path()).toBe("/foo");
    expect(new Server({ path: "/bar" }).path()).toBe("/bar");
    // serveClient(): default true, settable
    expect(io.serveClient()).toBe(true);
    expect(io.serveClient(false).serveClient()).toBe(false);
    expect(new Server({ serveClient: false }).serveClient()).toBe(false);
  });

  it("connectTimeout(): default 45000, settable", () => {
    const io = new Server();
    expect(io.connectTimeout()).toBe(45000);
    expect(io.connectTimeout(10).connectTimeout()).toBe(10);
    expect(new Server({ connectTimeout: 500 }).connectTimeout()).toBe(500);
  });

  it("connectTimeout(): a client that joins no namespace in time is closed", async () => {
    const h = await startServer({ connectTimeout: 50 });
    const manager = new Manager(h.url, { reconnection: false, transports: ["websocket"] });
    const closed = waitFor<[string]>(manager, "close");
    manager.open();
    const [reason] = await closed;
    expect(reason).toBe("transport close");
    expect(h.io.engine.clientsCount).toBe(0);
  });

  ours("adapter(): the in-memory adapter by default, SessionAwareAdapter with recovery", () => {
    const io = new Server();
    expect(io.adapter()).toBe(Adapter);
    expect(io.sockets.adapter).toBeInstanceOf(Adapter);
    const csr = new Server({ connectionStateRecovery: {} });
    expect(csr.adapter()).toBe(SessionAwareAdapter);
    expect(csr.sockets.adapter).toBeInstanceOf(SessionAwareAdapter);
  });

  it("adapter(ctor): replaces the adapter of every namespace, old and new", () => {
    const io = new Server();
    const before = io.of("/before");
    class CustomAdapter extends Adapter {}
    expect(io.adapter(CustomAdapter as never)).toBe(io);
    expect(io.adapter()).toBe(CustomAdapter);
    expect(io.sockets.adapter).toBeInstanceOf(CustomAdapter);
    expect(before.adapter).toBeInstanceOf(CustomAdapter);
    expect(io.of("/after").adapter).toBeInstanceOf(CustomAdapter);
    expect(new Server({ adapter: CustomAdapter as never }).sockets.adapter).toBeInstanceOf(
      CustomAdapter,
    );
  });

  it("exposes the compatibility surface: _nsps, encoder, opts, sockets", () => {
    const io = new Server({ connectTimeout: 100 });
    expect(io._nsps.get("/")).toBe(io.sockets);
    expect(io.sockets).toBeInstanceOf(Namespace);
    expect(typeof io.encoder.encode).toBe("function");
    expect(io.opts.connectTimeout).toBe(100);
    const nsp = io.of("/x");
    expect(io._nsps.get("/x")).toBe(nsp);
    expect(nsp.server).toBe(io);
    expect(nsp._ids).toBe(0);
  });
});

describe("engines: io.engine, io.eio, bind()", () => {
  it("io.eio is io.engine once attached", async () => {
    const h = await startServer();
    expect(h.io.engine).toBeDefined();
    expect(h.io.eio).toBe(h.io.engine);
  });

  it("bind(engine) uses a separately built engine", async () => {
    const http = createServer();
    const engine = new EngineServer({ pingInterval: 3210 });
    engine.attach(http, { path: "/socket.io" });
    const io = new Server();
    expect(io.bind(engine)).toBe(io);
    expect(io.engine).toBe(engine);
    toClose.push({ io, http });
    http.listen(0, "127.0.0.1");
    const port = await listening(http);
    expect((await handshake(`http://127.0.0.1:${port}`)).pingInterval).toBe(3210);
    const conn = waitFor<[Socket]>(io, "connection");
    const c = client(`http://127.0.0.1:${port}`);
    const [socket] = await conn;
    await waitFor(c, "connect");
    socket.on("echo", (v: unknown, cb: (v: unknown) => void) => cb(v));
    expect(await c.emitWithAck("echo", 1)).toBe(1);
  });

  it("bind(engine) works with the official engine.io server", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const eio = require("engine.io") as { attach(srv: HttpServer, o: object): EngineServer };
    const http = createServer();
    const engine = eio.attach(http, { path: "/socket.io" });
    const io = new Server();
    io.bind(engine);
    toClose.push({ io, http });
    http.listen(0, "127.0.0.1");
    const port = await listening(http);
    for (const transports of [["polling"], ["websocket"]]) {
      const conn = waitFor<[Socket]>(io, "connection");
      const c = client(`http://127.0.0.1:${port}`, "/", { transports });
      const [socket] = await conn;
      await waitFor(c, "connect");
      expect(c.id).toBe(socket.id);
      socket.on("echo", (v: unknown, cb: (v: unknown) => void) => cb(v));
      expect(await c.emitWithAck("echo", Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
      const got = waitFor<unknown[]>(c, "bcast");
      io.emit("bcast", "all");
      expect(await got).toEqual(["all"]);
      const reason = waitFor<[string]>(socket, "disconnect");
      c.disconnect();
      expect((await reason)[0]).toBe("client namespace disconnect");
    }
  });

  it("io.engine emits connection_error for a refused request", async () => {
    const h = await startServer();
    const errors: EngineConnectionError[] = [];
    h.io.engine.on("connection_error", (err: EngineConnectionError) => errors.push(err));
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 0, message: "Transport unknown" });
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe(0);
    expect(errors[0].message).toBe("Transport unknown");
    expect(errors[0].context).toEqual({ transport: "carrier-pigeon" });
    expect(errors[0].req.url).toBe("/socket.io/?EIO=4&transport=carrier-pigeon");
    const unknownSid = await get(`${h.url}/socket.io/?EIO=4&transport=polling&sid=nope`);
    expect(JSON.parse(unknownSid.body)).toEqual({ code: 1, message: "Session ID unknown" });
    expect(errors[1].context).toEqual({ sid: "nope" });
  });

  it("io.engine emits initial_headers and headers (polling)", async () => {
    // a short ping interval, so that the second poll gets an answer soon
    const h = await startServer({ pingInterval: 20 });
    h.io.engine.on("initial_headers", (headers: Record<string, string>) => {
      headers["x-initial"] = "1";
    });
    h.io.engine.on("headers", (headers: Record<string, string>) => {
      headers["x-every"] = "2";
    });
    const open = await get(`${h.url}/socket.io/?EIO=4&transport=polling`);
    expect(open.headers["x-initial"]).toBe("1");
    expect(open.headers["x-every"]).toBe("2");
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    const poll = await get(`${h.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(poll.headers["x-initial"]).toBeUndefined();
    expect(poll.headers["x-every"]).toBe("2");
  });

  it("io.engine emits initial_headers and headers (websocket upgrade response)", async () => {
    const h = await startServer();
    h.io.engine.on("initial_headers", (headers: Record<string, string>) => {
      headers["x-initial"] = "1";
    });
    h.io.engine.on("headers", (headers: Record<string, string>) => {
      headers["x-every"] = "2";
    });
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket`);
    const upgrade = waitFor<[{ headers: IncomingHttpHeaders }]>(ws, "upgrade");
    const opened = waitFor<[Buffer]>(ws, "message");
    const [res] = await upgrade;
    expect(res.headers["x-initial"]).toBe("1");
    expect(res.headers["x-every"]).toBe("2");
    expect((await opened)[0].toString()[0]).toBe("0");
    ws.close();
    await waitFor(ws, "close");
  });

  it("io.engine emits connection with the engine socket (packet / packetCreate events)", async () => {
    const h = await startServer();
    type RawSocket = { id: string; on: (ev: string, fn: (p: unknown) => void) => void };
    const conn = once(h.io.engine, "connection") as Promise<[RawSocket]>;
    const c = createClient(h, "/", { transports: ["websocket"] });
    const [raw] = await conn;
    const incoming: unknown[] = [];
    const outgoing: unknown[] = [];
    raw.on("packet", (p) => incoming.push(p));
    raw.on("packetCreate", (p) => outgoing.push(p));
    await waitFor(c, "connect");
    const [socket] = [...h.io.sockets.sockets.values()];
    expect(socket.conn.id).toBe(raw.id);
    socket.on("ping!", (cb: () => void) => cb());
    await c.emitWithAck("ping!");
    expect(incoming).toContainEqual(
      expect.objectContaining({ type: "message", data: '20["ping!"]' }),
    );
    expect(outgoing).toContainEqual(expect.objectContaining({ type: "message", data: "30[]" }));
  });

  it("passes engine options through (seen in the handshake)", async () => {
    const h = await startServer({
      pingInterval: 1111,
      pingTimeout: 2222,
      maxHttpBufferSize: 3333,
      cookie: true,
    });
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`);
    const info = JSON.parse(res.body.slice(1)) as Record<string, unknown>;
    expect(info).toEqual({
      sid: expect.any(String),
      upgrades: ["websocket"],
      pingInterval: 1111,
      pingTimeout: 2222,
      maxPayload: 3333,
    });
    expect(res.headers["set-cookie"]).toEqual([
      `io=${info.sid as string}; Path=/; HttpOnly; SameSite=Lax`,
    ]);
    const wsOnly = await startServer({ transports: ["websocket"] });
    const refused = await get(`${wsOnly.url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ code: 0, message: "Transport unknown" });
    const noUpgrade = await startServer({ allowUpgrades: false });
    expect((await handshake(noUpgrade.url)).upgrades).toEqual([]);
  });
});

describe("close()", () => {
  nodeHostOnly(
    "disconnects every socket, closes the http server (port free) and calls back",
    async () => {
      const h = await startServer();
      const conn = waitFor<[Socket]>(h.io, "connection");
      const c = createClient(h, "/", { transports: ["websocket"] });
      const [socket] = await conn;
      await waitFor(c, "connect");
      const chatConn = waitFor<[Socket]>(h.io.of("/chat"), "connection");
      const c2 = createClient(h, "/chat", { transports: ["polling"] });
      const [chatSocket] = await chatConn;
      await waitFor(c2, "connect");
      const serverReasons = [
        waitFor<[string]>(socket, "disconnect"),
        waitFor<[string]>(chatSocket, "disconnect"),
      ];
      const clientReason = waitFor<[string]>(c, "disconnect");
      let closedWith: unknown[] | undefined;
      const closed = new Promise<void>((resolve) => h.http.once("close", () => resolve()));
      h.http.closeAllConnections();
      await h.io.close((...args: unknown[]) => (closedWith = args));
      for (const [reason] of await Promise.all(serverReasons)) {
        expect(reason).toBe("server shutting down");
      }
      expect((await clientReason)[0]).toBe("transport close");
      // the http server stopped listening at once; the callback is its close callback
      expect(h.http.listening).toBe(false);
      await closed;
      await new Promise((r) => setImmediate(r));
      expect(closedWith).toEqual([undefined]);
      expect(h.io.engine.clientsCount).toBe(0);
      const again = createServer();
      again.listen(h.port, "127.0.0.1");
      await once(again, "listening");
      await new Promise((r) => again.close(r));
    },
  );

  it("resolves without waiting for the http server's other requests (as socket.io)", async () => {
    let held: import("node:http").ServerResponse | undefined;
    const arrived = new Promise<void>((resolve) => {
      const http = createServer((_req, res) => {
        held = res;
        resolve();
      });
      const io = new Server(http);
      toClose.push({ io, http });
      http.listen(0, "127.0.0.1");
    });
    const { io, http } = toClose[toClose.length - 1] as { io: Server; http: HttpServer };
    const port = await listening(http);
    const slow = get(`http://127.0.0.1:${port}/slow`);
    await arrived;
    const calls: unknown[][] = [];
    await io.close((...args: unknown[]) => calls.push(args));
    expect(http.listening).toBe(false);
    expect(calls).toEqual([]);
    const closed = once(http, "close");
    held!.end("done");
    expect((await slow).body).toBe("done");
    await closed;
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[undefined]]);
  });

  it("closes the http server it created for a port", async () => {
    const io = new Server(0);
    const port = await listening(io.httpServer as HttpServer);
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    expect((io.httpServer as HttpServer).listening).toBe(false);
    const again = createServer();
    again.listen(port, "127.0.0.1");
    await once(again, "listening");
    await new Promise((r) => again.close(r));
  });

  it("passes the http server's error to the callback when it was not listening", async () => {
    const http = createServer();
    const io = new Server(http);
    const err = await new Promise<Error | undefined>((resolve) => void io.close(resolve));
    expect((err as NodeJS.ErrnoException).code).toBe("ERR_SERVER_NOT_RUNNING");
  });
});

describe("the main namespace behind io", () => {
  it("io.on/once/off/listeners are io.sockets'", async () => {
    const io = new Server();
    const fn = (): void => undefined;
    const returned = io.on("connection", fn);
    // socketkit returns io, as typed; socket.io returns io.sockets at runtime
    if (!REFERENCE) expect(returned).toBe(io);
    expect(io.sockets.listeners("connection")).toEqual([fn]);
    expect(io.listeners("connection")).toEqual([fn]);
    expect(io.listenerCount("connection")).toBe(1);
    io.off("connection", fn);
    expect(io.sockets.listenerCount("connection")).toBe(0);
    io.once("connect", fn);
    expect(io.sockets.listenerCount("connect")).toBe(1);
    io.removeAllListeners("connect");
    expect(io.sockets.listenerCount("connect")).toBe(0);
  });

  it("io.on('connection') receives main-namespace sockets only", async () => {
    const h = await startServer();
    const seen: string[] = [];
    h.io.on("connection", (s: Socket) => seen.push(s.nsp.name));
    h.io.of("/other").on("connection", (s: Socket) => seen.push(s.nsp.name));
    const c1 = createClient(h, "/other");
    await waitFor(c1, "connect");
    const c2 = createClient(h, "/");
    await waitFor(c2, "connect");
    expect(seen).toEqual(["/other", "/"]);
  });

  it("io.emit / io.send / io.write broadcast to the main namespace", async () => {
    const h = await startServer();
    const c = createClient(h);
    await waitFor(c, "connect");
    const got = waitFor<unknown[]>(c, "e");
    expect(h.io.emit("e", 1)).toBe(true);
    expect(await got).toEqual([1]);
    const messages: unknown[] = [];
    const both = new Promise((resolve) =>
      c.on("message", (m) => messages.push(m) === 2 && resolve(0)),
    );
    expect(h.io.send("a")).toBe(h.io);
    expect(h.io.write("b")).toBe(h.io);
    await both;
    expect(messages).toEqual(["a", "b"]);
  });
});

describe("new_namespace", () => {
  it("is emitted for each namespace created, once, with the namespace", async () => {
    const h = await startServer();
    const created: Namespace[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => created.push(nsp));
    const x = h.io.of("/x");
    h.io.of("/x");
    h.io.of("y");
    h.io.of("/");
    expect(created.map((n) => n.name)).toEqual(["/x", "/y"]);
    expect(created[0]).toBe(x);
    // a dynamic namespace's children too
    h.io.of(/^\/dyn-\d+$/);
    const c = createClient(h, "/dyn-1");
    await waitFor(c, "connect");
    expect(created.map((n) => n.name)).toEqual(["/x", "/y", "/dyn-1"]);
    expect(h.io._nsps.has("/dyn-1")).toBe(true);
  });
});

describe("serverSideEmit with the in-memory adapter", () => {
  it("only warns, as socket.io-adapter does, and returns true", () => {
    const io = new Server();
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const received = jest.fn();
    io.on("hello", received);
    expect(io.serverSideEmit("hello", "world")).toBe(true);
    expect(io.of("/nsp").serverSideEmit("hello")).toBe(true);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith(
      "this adapter does not support the serverSideEmit() functionality",
    );
    // not delivered locally
    expect(received).not.toHaveBeenCalled();
  });

  it("serverSideEmitWithAck warns and never settles (as socket.io 4.8)", async () => {
    const io = new Server();
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    let settled = false;
    void io.serverSideEmitWithAck("ping").then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(20);
    expect(settled).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      "this adapter does not support the serverSideEmit() functionality",
    );
  });

  it("refuses reserved event names", () => {
    const io = new Server();
    for (const ev of ["connect", "connection", "new_namespace"]) {
      expect(() => io.serverSideEmit(ev as never)).toThrow(`"${ev}" is a reserved event name`);
    }
  });
});

describe("adapters built on socket.io-adapter", () => {
  // the reference run is socket.io 4.8.1, which never calls it
  ours("calls init() on each new adapter, as socket.io 4.8.2+ does (4.8.1 never called it)", () => {
    const inits: string[] = [];
    class InitAdapter extends Adapter {
      override init(): void {
        inits.push(this.nsp.name);
      }
    }
    const io = new Server({ adapter: InitAdapter as never });
    io.of("/x");
    io.adapter(InitAdapter as never);
    expect(io.of("/x").adapter).toBeInstanceOf(InitAdapter);
    expect(inits).toEqual(["/", "/x", "/", "/x"]);
  });

  it("a ClusterAdapterWithHeartbeat (base of the postgres/mongo/cluster adapters) spans two servers", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ClusterAdapterWithHeartbeat } = require("socket.io-adapter") as {
      ClusterAdapterWithHeartbeat: new (nsp: unknown, opts: object) => BusNode;
    };
    interface BusNode {
      uid: string;
      onMessage(message: unknown): void;
      onResponse(response: unknown): void;
      close(): unknown;
    }
    // an in-process message bus in place of a broker
    const bus = new Set<BusNode>();
    const deliver = (node: BusNode, fn: () => void): void =>
      process.nextTick(() => bus.has(node) && fn());
    class BusAdapter extends ClusterAdapterWithHeartbeat {
      constructor(nsp: unknown) {
        super(nsp, { heartbeatInterval: 60_000, heartbeatTimeout: 120_000 });
        bus.add(this);
      }
      doPublish(message: unknown): Promise<string> {
        for (const node of bus) {
          if (node !== this) deliver(node, () => node.onMessage(structuredClone(message)));
        }
        return Promise.resolve("");
      }
      doPublishResponse(uid: string, response: unknown): Promise<void> {
        for (const node of bus) {
          if (node.uid === uid) deliver(node, () => node.onResponse(structuredClone(response)));
        }
        return Promise.resolve();
      }
      override close(): unknown {
        const result = super.close();
        bus.delete(this);
        return result;
      }
    }
    const a = await startServer({ adapter: BusAdapter as never });
    const b = await startServer({ adapter: BusAdapter as never });
    // socket.io 4.8.1 does not call init(): announce the nodes (initial heartbeat), then wait for
    // the heartbeats and their answers
    await a.io.sockets.adapter.init();
    await b.io.sockets.adapter.init();
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    expect(await a.io.sockets.adapter.serverCount()).toBe(2);
    expect(await b.io.sockets.adapter.serverCount()).toBe(2);

    b.io.on("ping", (cb: (v: string) => void) => cb("pong from b"));
    expect(await a.io.serverSideEmitWithAck("ping")).toEqual(["pong from b"]);

    const conn = waitFor<[Socket]>(b.io, "connection");
    const c = createClient(b, "/", { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(c, "connect");
    socket.data = { on: "b" };
    const got = waitFor<unknown[]>(c, "hello");
    a.io.emit("hello", "from a");
    expect(await got).toEqual(["from a"]);
    const [remote] = await a.io.fetchSockets();
    expect(remote.id).toBe(socket.id);
    expect(remote.data).toEqual({ on: "b" });
    c.on("q", (cb: (v: number) => void) => cb(7));
    expect(await a.io.timeout(1000).emitWithAck("q")).toEqual([7]);
  });
});

describe("option checks", () => {
  const invalid: [string, Partial<ServerOptions>, string][] = [
    [
      "path",
      { path: "socket.io" },
      'invalid option "path": expected a string starting with "/", got "socket.io"',
    ],
    [
      "pingInterval",
      { pingInterval: -1 },
      'invalid option "pingInterval": expected a number >= 0, got -1',
    ],
    [
      "pingTimeout",
      { pingTimeout: "5" as never },
      'invalid option "pingTimeout": expected a number >= 0, got "5"',
    ],
    [
      "upgradeTimeout",
      { upgradeTimeout: NaN },
      'invalid option "upgradeTimeout": expected a number >= 0, got NaN',
    ],
    [
      "connectTimeout",
      { connectTimeout: -5 },
      'invalid option "connectTimeout": expected a number >= 0, got -5',
    ],
    [
      "maxHttpBufferSize",
      { maxHttpBufferSize: 0 },
      'invalid option "maxHttpBufferSize": expected a number >= 1, got 0',
    ],
    [
      "ackTimeout",
      { ackTimeout: -1 },
      'invalid option "ackTimeout": expected a number >= 0, got -1',
    ],
    [
      "transports",
      { transports: [] },
      'invalid option "transports": expected a non-empty array of "polling" and "websocket", got ',
    ],
    [
      "transports",
      { transports: ["flash" as never] },
      'invalid option "transports": expected a non-empty array of "polling" and "websocket", got flash',
    ],
    [
      "adapter",
      { adapter: {} as never },
      'invalid option "adapter": expected an adapter constructor, got [object Object]',
    ],
    [
      "parser",
      { parser: {} as never },
      'invalid option "parser": expected an object with Encoder and Decoder constructors, got [object Object]',
    ],
    [
      "connectionStateRecovery",
      { connectionStateRecovery: 5 as never },
      'invalid option "connectionStateRecovery": expected an object, got 5',
    ],
    [
      "connectionStateRecovery.maxDisconnectionDuration",
      { connectionStateRecovery: { maxDisconnectionDuration: -1 } },
      'invalid option "connectionStateRecovery.maxDisconnectionDuration": expected a number >= 0, got -1',
    ],
    [
      "cors",
      { cors: 5 as never },
      'invalid option "cors": expected a boolean, an object or a function, got 5',
    ],
    [
      "cors.origin",
      { cors: { origin: 5 as never } },
      'invalid option "cors.origin": expected a boolean, a string, a RegExp, an array of them or a function, got 5',
    ],
    [
      "cors.origin",
      { cors: { origin: ["https://a.example", 5 as never] } },
      'invalid option "cors.origin": expected a boolean, a string, a RegExp, an array of them or a function, got an array',
    ],
    [
      "cors.methods",
      { cors: { methods: [1] as never } },
      'invalid option "cors.methods": expected a string or an array of strings, got an array',
    ],
    [
      "cors.credentials",
      { cors: { credentials: "yes" as never } },
      'invalid option "cors.credentials": expected a boolean, got "yes"',
    ],
    [
      "cors.maxAge",
      { cors: { maxAge: -1 } },
      'invalid option "cors.maxAge": expected a number >= 0, got -1',
    ],
    [
      "cookie",
      { cookie: "io" as never },
      'invalid option "cookie": expected a boolean or an object, got "io"',
    ],
    [
      "cookie.name",
      { cookie: { name: "" } },
      'invalid option "cookie.name": expected a non-empty string, got ""',
    ],
  ];

  for (const [name, opts, message] of invalid) {
    ours(`${name}: ${message}`, () => {
      let error: unknown;
      try {
        new Server(opts);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(message);
      expect((error as { code?: string }).code).toBe("SIO_ERR_INVALID_OPTION");
      // the same check with an http server
      expect(() => new Server(createServer(), opts)).toThrow(message);
    });
  }

  ours("checks cors and cookie on the engine on its own too", () => {
    expect(() => new EngineServer({ cors: 5 as never })).toThrow(
      'invalid option "cors": expected a boolean, an object or a function, got 5',
    );
    expect(() => new EngineServer({ cookie: { name: 1 as never } })).toThrow(
      'invalid option "cookie.name": expected a non-empty string, got 1',
    );
  });

  it("accepts every form of the cors option socket.io's types allow", () => {
    const forms: ServerOptions["cors"][] = [
      { origin: "*" },
      { origin: /example\.com$/, credentials: true, maxAge: 600 },
      { origin: ["https://a.example", /b\.example$/, true], methods: ["GET", "POST"] },
      { origin: (origin, cb) => cb(null, origin === "https://a.example") },
      { allowedHeaders: "x-token", exposedHeaders: ["x-id"], optionsSuccessStatus: 200 },
      (_req, cb) => cb(null, { origin: true }),
    ];
    for (const cors of forms) expect(() => new Server({ cors })).not.toThrow();
  });

  it("reads falsy path/connectTimeout/adapter/parser/recovery as the defaults, as socket.io", () => {
    for (const falsy of [null, "", 0, false]) {
      const io = new Server({
        path: falsy,
        connectTimeout: falsy,
        adapter: falsy,
        parser: falsy,
        connectionStateRecovery: falsy,
      } as never);
      expect(io.path()).toBe("/socket.io");
      expect(io.connectTimeout()).toBe(45000);
      expect(io.sockets.adapter).toBeInstanceOf(Adapter);
      expect(io.sockets.adapter).not.toBeInstanceOf(SessionAwareAdapter);
      expect(io.encoder.encode({ type: 2, nsp: "/", data: ["a"] })).toEqual(['2["a"]']);
    }
  });

  it("connectionStateRecovery: true enables recovery with the defaults, as socket.io", () => {
    const io = new Server({ connectionStateRecovery: true as never });
    expect(io.opts.connectionStateRecovery).toEqual({
      maxDisconnectionDuration: 120_000,
      skipMiddlewares: true,
    });
    expect(io.sockets.adapter).toBeInstanceOf(SessionAwareAdapter);
  });

  it("accepts socket.io's valid options", () => {
    expect(
      () =>
        new Server({
          path: "/x",
          pingInterval: 0,
          pingTimeout: 1,
          upgradeTimeout: 1,
          connectTimeout: 1,
          maxHttpBufferSize: 1,
          transports: ["websocket", "polling"],
          connectionStateRecovery: { maxDisconnectionDuration: 0, skipMiddlewares: false },
          cleanupEmptyChildNamespaces: true,
          serveClient: false,
          allowEIO3: true,
          cors: { origin: "*" },
        }),
    ).not.toThrow();
  });
});
