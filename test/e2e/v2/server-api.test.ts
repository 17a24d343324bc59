/**
 * socketkit/v2, the Server (seed 000's "Class: Server"): constructors, serveClient, path,
 * adapter, origins (a real gate: polling and WebSocket), allowRequest, attach/listen, bind,
 * onconnection, of, close — with socket.io-client 2.x and 4.x.
 */
import { createServer, request, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import WebSocket from "ws";
import { Adapter, EngineServer, type EngineSocket } from "../../../core/index";
import v2, { Server, type Socket } from "../../../integrations/v2/index";
import { ask, client, connected, CLIENTS, startApp, track, type ClientKind } from "./helpers";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

const V2 = CLIENTS[0];
const V4 = CLIENTS[1];

async function listening(http: HttpServer): Promise<string> {
  if (!http.listening) {
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
  }
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** A raw HTTP GET with exact headers. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A raw WebSocket upgrade: "open", or the refusal's status and body. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(`${res.statusCode} ${body}`));
    });
    ws.on("error", (err) => {
      if (!err.message.includes("Unexpected server response")) reject(err);
    });
  });
}

describe("constructors", () => {
  it("require('socketkit/v2')(httpServer, options), with or without new", async () => {
    const http = createServer();
    const io = v2(http, { path: "/a" });
    track(io, http);
    expect(io).toBeInstanceOf(v2);
    expect(io).toBeInstanceOf(Server);
    expect(io.path()).toBe("/a");
    const http2 = createServer();
    const io2 = new Server(http2);
    track(io2, http2);
    expect(io2).toBeInstanceOf(Server);
    expect(io2.path()).toBe("/socket.io");
    const url = await listening(http);
    const c = await connected(V2, url, { path: "/a" });
    expect(c.connected).toBe(true);
  });

  it.each(CLIENTS)(
    "new Server(port[, options]) listens on a new http server ($name)",
    async (kind) => {
      const io = v2(0, { serveClient: false });
      track(io, io.httpServer as HttpServer);
      await once(io.httpServer as HttpServer, "listening");
      const port = ((io.httpServer as HttpServer).address() as AddressInfo).port;
      expect(io.serveClient()).toBe(false);
      const conn = waitFor<[Socket]>(io, "connection");
      await connected(kind, `http://127.0.0.1:${port}`);
      const [socket] = await conn;
      expect(io.sockets.connected[socket.id]).toBe(socket);
    },
  );

  it("new Server(options), then attach(httpServer)", async () => {
    const io = new Server({ path: "/opts" });
    const http = createServer();
    track(io, http);
    expect(io.httpServer).toBeUndefined();
    io.attach(http);
    const url = await listening(http);
    await connected(V4, url, { path: "/opts" });
  });

  it("server.sockets is the default namespace", async () => {
    const io = v2();
    expect(io.sockets).toBe(io.of("/"));
    expect(io.sockets.name).toBe("/");
    await io.close();
  });

  it("accepts 2.x and 4.x clients on the same server, with 2.x's documented heartbeat", async () => {
    const app = await startApp();
    expect(app.io.opts).toMatchObject({ allowEIO3: true, pingTimeout: 60000, pingInterval: 25000 });
    const a = await connected(V2, app.url);
    const b = await connected(V4, app.url);
    const got = Promise.all([waitFor(a, "everyone"), waitFor(b, "everyone")]);
    a.emit("everyone", "both");
    expect(await got).toEqual([["both"], ["both"]]);
  });
});

describe("options", () => {
  it("parser: another socket.io-parser-shaped module (socket.io-msgpack-parser, 4.x client)", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const msgpack = require("socket.io-msgpack-parser");
    const app = await startApp({ parser: msgpack });
    const c = await connected(V4, app.url, { parser: msgpack });
    expect(await ask(c, "ferret", "tobi")).toEqual(["tobi says woot"]);
  });

  it("transports, pingInterval, pingTimeout: passed to the engine", async () => {
    const app = await startApp({
      transports: ["websocket"],
      pingInterval: 1000,
      pingTimeout: 2000,
    });
    const polling = client(V2, app.url, { transports: ["polling"] });
    await waitFor(polling, "connect_error");
    const ws = await connected(V2, app.url, { transports: ["websocket"] });
    const engine = ws.io.engine as unknown as { pingInterval: number; pingTimeout: number };
    expect([engine.pingInterval, engine.pingTimeout]).toEqual([1000, 2000]);
  });
});

describe("getters and setters", () => {
  it("serveClient([value]): the client bundle is served, or not", async () => {
    const app = await startApp();
    expect(app.io.serveClient()).toBe(true);
    expect((await get(app.url + "/socket.io/socket.io.js")).status).toBe(200);
    const io = v2();
    expect(io.serveClient(false)).toBe(io);
    expect(io.serveClient()).toBe(false);
    const http = createServer();
    track(io, http);
    io.attach(http);
    const url = await listening(http);
    expect((await get(url + "/socket.io/socket.io.js")).status).not.toBe(200);
  });

  it("path([value])", async () => {
    const io = v2();
    expect(io.path()).toBe("/socket.io");
    expect(io.path("/custom")).toBe(io);
    expect(io.path()).toBe("/custom");
    const http = createServer();
    track(io, http);
    io.attach(http);
    const url = await listening(http);
    const c = await connected(V2, url, { path: "/custom" });
    expect(c.connected).toBe(true);
  });

  it("adapter([value]): every namespace gets the new adapter", async () => {
    class CountingAdapter extends Adapter {}
    const io = v2();
    expect(io.adapter()).toBe(Adapter);
    const chat = io.of("/chat");
    expect(io.adapter(CountingAdapter as never)).toBe(io);
    expect(io.adapter()).toBe(CountingAdapter);
    expect(io.sockets.adapter).toBeInstanceOf(CountingAdapter);
    expect(chat.adapter).toBeInstanceOf(CountingAdapter);
    await io.close();
  });
});

describe("join(room, fn) on an asynchronous adapter", () => {
  it("calls back once the adapter's promise settled (in the adapter's order), with its error", async () => {
    const pending: (() => void)[] = [];
    class SlowAdapter extends Adapter {
      override addAll(id: string, rooms: Set<string>): Promise<void> {
        // joined once the "broker" answers: the test releases the answers in reverse order
        return new Promise((resolve, reject) =>
          pending.push(() => {
            if (rooms.has("forbidden")) {
              reject(new Error("no such room"));
              return;
            }
            void super.addAll(id, rooms);
            resolve();
          }),
        );
      }
    }
    const app = await startApp({ adapter: SlowAdapter as never });
    const conn = waitFor<[Socket]>(app.seen, "connection");
    const c = client(V4, app.url);
    const clientConnected = waitFor(c, "connect");
    const [socket] = await conn;
    await clientConnected;
    pending.splice(0).forEach((release) => release()); // the socket's own room
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      socket.join("a", (err) => order.push(`a:${err}:${"a" in socket.rooms}`));
      socket.join("forbidden", (err) => order.push(`forbidden:${err?.message}`));
      socket.join("b", (err) => {
        order.push(`b:${err}:${"b" in socket.rooms}`);
        resolve();
      });
    });
    expect(order).toEqual([]);
    expect(pending).toHaveLength(3);
    for (const release of pending.splice(0).reverse()) release();
    await done;
    // each callback once its own join is done: b first here, as its answer came first
    expect(order).toEqual(["b:null:true", "forbidden:no such room", "a:null:true"]);
  });
});

describe("origins: a gate on handshakes, polling requests and WebSocket upgrades", () => {
  const GOOD = "https://example.com";
  const EVIL = "https://evil.example.net";

  it("allows any origin by default ('*:*')", async () => {
    const app = await startApp();
    expect(app.io.origins()).toBe("*:*");
    await connected(V2, app.url, { extraHeaders: { origin: EVIL } });
  });

  describe.each(CLIENTS)("with $name", (kind: ClientKind) => {
    it.each(["polling", "websocket"])("refuses another origin over %s", async (transport) => {
      const app = await startApp({ origins: "example.com:443" });
      let connections = 0;
      app.seen.on("connection", () => connections++);
      const refused = client(kind, app.url, {
        transports: [transport],
        extraHeaders: { origin: EVIL },
      });
      await waitFor(refused, "connect_error");
      expect(connections).toBe(0);
      const ok = await connected(kind, app.url, {
        transports: [transport],
        extraHeaders: { origin: GOOD },
      });
      expect(ok.connected).toBe(true);
      expect(connections).toBe(1);
    });
  });

  it("answers Engine.IO's Forbidden: 403 on polling, a refused upgrade, on every request", async () => {
    const app = await startApp({ origins: ["example.com:443"] });
    const hs = `${app.url}/socket.io/?EIO=3&transport=polling`;
    expect(await get(hs, { origin: EVIL })).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: "Forbidden" }),
    });
    const ok = await get(hs, { origin: GOOD });
    expect(ok.status).toBe(200);
    const sid = (/"sid":"([^"]+)"/.exec(ok.body) as RegExpExecArray)[1];
    // a poll of the open session from another origin
    const poll = await get(`${hs}&sid=${sid}`, { origin: EVIL });
    expect(poll.status).toBe(403);
    // its upgrade from another origin, then from the allowed one
    const ws = `ws://127.0.0.1:${app.port}/socket.io/?EIO=3&transport=websocket`;
    expect(await upgrade(`${ws}&sid=${sid}`, { origin: EVIL })).toBe("400 Forbidden");
    expect(await upgrade(ws, { origin: EVIL })).toBe("400 Forbidden");
    expect(await upgrade(ws, { origin: GOOD })).toBe("open");
  });

  it("reads 2.x's forms: protocol//host:port, host:port, host:*, *:port; Referer; no Origin is '*'", async () => {
    const app = await startApp();
    const hs = `${app.url}/socket.io/?EIO=4&transport=polling`;
    const status = async (headers: Record<string, string>): Promise<number> =>
      (await get(hs, headers)).status;
    app.io.origins(["https://example.com:443"]);
    expect(await status({ origin: "https://example.com" })).toBe(200);
    expect(await status({ origin: "http://example.com" })).toBe(403);
    app.io.origins(["example.com:*"]);
    expect(await status({ origin: "http://example.com:8080" })).toBe(200);
    expect(await status({ origin: "http://other.com:8080" })).toBe(403);
    app.io.origins(["*:8080"]);
    expect(await status({ origin: "http://other.com:8080" })).toBe(200);
    // a string is searched as a string, as 2.x did
    app.io.origins("a.com:80 example.com:443");
    expect(await status({ origin: "https://example.com" })).toBe(200);
    expect(await status({ origin: "http://a.com" })).toBe(200);
    expect(await status({ origin: "http://b.com" })).toBe(403);
    // no Origin: the Referer, else "*" (refused unless allowed), as 2.x did
    expect(await status({ referer: "https://example.com/page.html" })).toBe(200);
    expect(await status({})).toBe(403);
    app.io.origins("*:*");
    expect(await status({})).toBe(200);
    // "*", as the 2.x API reference documents the default
    app.io.origins("*");
    expect(await status({ origin: EVIL })).toBe(200);
    app.io.origins(["example.com:443", "*"]);
    expect(await status({ origin: EVIL })).toBe(200);
  });

  it("origins(fn): the function decides, for every request", async () => {
    const app = await startApp();
    const asked: string[] = [];
    expect(
      app.io.origins((origin, callback) => {
        asked.push(origin);
        setImmediate(() => callback(origin === GOOD ? null : "not you", origin === GOOD));
      }),
    ).toBe(app.io);
    expect(typeof app.io.origins()).toBe("function");
    const c = await connected(V2, app.url, {
      transports: ["polling"],
      extraHeaders: { origin: GOOD },
    });
    expect(await ask(c, "ferret", "a")).toEqual(["a says woot"]);
    const hs = `${app.url}/socket.io/?EIO=4&transport=polling`;
    expect(await get(hs, { origin: EVIL })).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: "not you" }),
    });
    expect(await get(hs)).toMatchObject({ status: 403 });
    expect(asked.filter((o) => o === GOOD).length).toBeGreaterThan(1); // every polling request
    expect(asked).toContain(EVIL);
    expect(asked).toContain("*");
  });
});

describe("allowRequest(req, fn)", () => {
  it.each(CLIENTS)("refuses a handshake with fn(err, false) ($name)", async (kind) => {
    const app = await startApp({
      allowRequest: (req, fn) =>
        fn(req.headers["x-allow"] ? null : "go away", !!req.headers["x-allow"]),
    });
    const hs = `${app.url}/socket.io/?EIO=3&transport=polling`;
    expect(await get(hs)).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: "go away" }),
    });
    const refused = client(kind, app.url, { transports: ["polling"] });
    await waitFor(refused, "connect_error");
    await connected(kind, app.url, { transports: ["polling"], extraHeaders: { "x-allow": "1" } });
  });
});

describe("attach, listen, bind, onconnection, of, close", () => {
  it.each([
    ["attach", "httpServer"],
    ["listen", "httpServer"],
    ["attach", "port"],
    ["listen", "port"],
  ] as const)("%s(%s[, options])", async (method, target) => {
    const io = v2();
    let http: HttpServer;
    if (target === "httpServer") {
      http = createServer();
      io[method](http, { path: "/p" });
    } else {
      io[method](0, { path: "/p" });
      http = io.httpServer as HttpServer;
      await once(http, "listening");
    }
    track(io, http);
    expect(io.httpServer).toBe(http);
    const url = await listening(http);
    const c = await connected(V2, url, { path: "/p" });
    expect(c.connected).toBe(true);
  });

  it("bind(engine): an Engine.IO server of one's own", async () => {
    const http = createServer();
    const engine = new EngineServer({ allowEIO3: true });
    engine.attach(http, { path: "/socket.io" });
    const io = v2();
    track(io, http);
    expect(io.bind(engine)).toBe(io);
    expect(io.engine).toBe(engine);
    const url = await listening(http);
    const conn = waitFor<[Socket]>(io, "connection");
    const c = await connected(V2, url);
    const [socket] = await conn;
    expect(socket.conn.id).toBe(c.io.engine.id);
    engine.close();
  });

  it("onconnection(engineSocket): a client from an engine connection", async () => {
    const http = createServer();
    const engine = new EngineServer({ allowEIO3: true });
    engine.attach(http, { path: "/socket.io" });
    const io = v2();
    track(io, http);
    const seen: string[] = [];
    engine.on("connection", (conn: EngineSocket) => {
      seen.push(conn.id);
      expect(io.onconnection(conn)).toBe(io);
    });
    const url = await listening(http);
    const conn = waitFor<[Socket]>(io, "connection");
    const c = await connected(V4, url);
    const [socket] = await conn;
    expect(seen).toEqual([socket.conn.id]);
    expect(c.connected).toBe(true);
    engine.close();
  });

  it("of(nsp[, fn]): created once, by name", async () => {
    const io = v2();
    const chat = io.of("/chat");
    expect(io.of("/chat")).toBe(chat);
    expect(io.of("chat")).toBe(chat);
    expect(io.nsps["/chat"]).toBe(chat);
    expect(Object.keys(io.nsps)).toEqual(["/", "/chat"]);
    const http = createServer();
    track(io, http);
    io.attach(http);
    const url = await listening(http);
    const got = new Promise<Socket>((resolve) => io.of("/news", resolve));
    await connected(V2, url + "/news");
    expect((await got).nsp.name).toBe("/news");
  });

  it("close([callback]): clients disconnected, the port free again", async () => {
    const io = v2(0);
    const http = io.httpServer as HttpServer;
    await once(http, "listening");
    const port = (http.address() as AddressInfo).port;
    const c = await connected(V2, `http://127.0.0.1:${port}`);
    const gone = waitFor(c, "disconnect");
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await gone;
    // as the 2.x documentation shows: the port is free to use
    const server = createServer();
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    await new Promise((resolve) => server.close(resolve));
  });
});
