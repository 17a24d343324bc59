/**
 * The host seam: `io.handleRequest(req, res)` / `io.handleUpgrade(req, socket, head)` answer
 * Socket.IO's path (Engine.IO requests and upgrades, the client bundle) and say whether they took
 * the request; `attach()` is those plus a path guard, leaving other requests to other listeners.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from "node:http";
import { connect as netConnect, type AddressInfo } from "node:net";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server, type ServerOptions, type Socket } from "../../../core/index";
import { waitFor } from "../../support/wait";

const opened: { io: Server; http: HttpServer }[] = [];
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const { io, http } of opened.splice(0)) {
    http.closeAllConnections();
    await io.close();
    if (http.listening) await new Promise((r) => http.close(r));
  }
});

/** A plain http.Server that routes through the seam itself, answering other paths with "other". */
async function seamServer(opts: Partial<ServerOptions> = {}) {
  const io = new Server(opts);
  const seen: { requests: boolean[]; upgrades: boolean[] } = { requests: [], upgrades: [] };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const took = io.handleRequest(req, res);
    seen.requests.push(took);
    if (!took) res.writeHead(200, { "content-type": "text/plain" }).end("other");
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const took = io.handleUpgrade(req, socket, head);
    seen.upgrades.push(took);
    if (!took) socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  opened.push({ io, http });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { io, http, url, seen };
}

function get(url: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends a raw upgrade request for `path` and resolves with what came back before the close. */
function rawUpgrade(url: string, path: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(port), "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => (answer += c));
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
  });
}

function client(url: string, transports: ("polling" | "websocket")[]): ClientSocket {
  const socket = ioc(url, { forceNew: true, reconnection: false, transports });
  clients.push(socket);
  return socket;
}

describe("io.handleRequest / io.handleUpgrade on a plain http.Server", () => {
  it("a Server neither attached nor bound gets its engine at the first Socket.IO request", async () => {
    const { io, url, seen } = await seamServer();
    expect(io.engine).toBeUndefined();
    const socket = client(url, ["polling"]);
    const [serverSocket] = await Promise.all([
      waitFor<[{ id: string }]>(io, "connection"),
      waitFor(socket, "connect"),
    ]);
    expect(io.engine).toBeDefined();
    expect(serverSocket[0].id).toBe(socket.id);
    expect(seen.requests.length).toBeGreaterThan(0);
    expect(seen.requests.every((took) => took)).toBe(true);
  });

  it("upgrades to WebSocket through handleUpgrade, and a WebSocket-only client connects", async () => {
    const { io, url, seen } = await seamServer();
    const upgrading = client(url, ["polling", "websocket"]);
    // the manager opens its engine at once: listen before the upgrade can happen
    await Promise.all([waitFor(upgrading, "connect"), waitFor(upgrading.io.engine, "upgrade")]);
    expect(upgrading.io.engine.transport.name).toBe("websocket");
    const connection = waitFor<[Socket]>(io, "connection");
    const wsOnly = client(url, ["websocket"]);
    const [[serverSocket]] = await Promise.all([connection, waitFor(wsOnly, "connect")]);
    const echoed = waitFor<unknown[]>(serverSocket, "ping");
    wsOnly.emit("ping", 42);
    expect(await echoed).toEqual([42]);
    expect(seen.upgrades).toEqual([true, true]);
  });

  it("returns false for other paths and answers nothing: the host answers them", async () => {
    const { url, seen } = await seamServer();
    const other = await get(url + "/api/things");
    expect(other).toMatchObject({ status: 200, body: "other" });
    // a path that only starts like the Socket.IO path is not Socket.IO's
    expect((await get(url + "/socket.iox/?EIO=4&transport=polling")).body).toBe("other");
    expect(seen.requests).toEqual([false, false]);
    const answer = await rawUpgrade(url, "/elsewhere");
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(seen.upgrades).toEqual([false]);
  });

  it("serves the client bundle, and returns false for it when serveClient is off", async () => {
    const served = await seamServer();
    const bundle = await get(served.url + "/socket.io/socket.io.min.js");
    expect(bundle.status).toBe(200);
    expect(bundle.type).toBe("application/javascript; charset=utf-8");
    expect(bundle.body.length).toBeGreaterThan(1000);
    expect(served.seen.requests).toEqual([true]);
    expect(served.io.engine).toBeUndefined(); // the bundle needs no engine

    const off = await seamServer({ serveClient: false });
    const notServed = await get(off.url + "/socket.io/socket.io.min.js");
    // not the bundle: the path is the engine's, which refuses a request without a transport
    expect(notServed.status).toBe(400);
    expect(off.seen.requests).toEqual([true]);
  });

  it("answers a custom path only", async () => {
    const { url, seen } = await seamServer({ path: "/rt" });
    expect((await get(url + "/socket.io/?EIO=4&transport=polling")).body).toBe("other");
    const socket = ioc(url, { forceNew: true, reconnection: false, path: "/rt" });
    clients.push(socket);
    await waitFor(socket, "connect");
    expect(seen.requests[0]).toBe(false);
    expect(seen.requests.slice(1).every((took) => took)).toBe(true);
  });
});

describe("attach(): the seam behind a path guard", () => {
  async function listen(http: HttpServer): Promise<string> {
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  it("listeners present before attach see every other request and none of Socket.IO's", async () => {
    const before: string[] = [];
    const http = createServer((req, res) => {
      before.push(req.url ?? "");
      res.writeHead(404).end("app");
    });
    const io = new Server(http);
    opened.push({ io, http });
    const url = await listen(http);
    const socket = client(url, ["polling"]);
    await waitFor(socket, "connect");
    expect((await get(url + "/socket.io/socket.io.js")).status).toBe(200);
    expect(await get(url + "/health")).toMatchObject({ status: 404, body: "app" });
    expect(before).toEqual(["/health"]);
  });

  it("moves nothing when the server has no request listener yet; later listeners see all", async () => {
    const http = createServer();
    const io = new Server(http);
    opened.push({ io, http });
    expect(http.listenerCount("request")).toBe(1);
    const later: string[] = [];
    http.on("request", (req: IncomingMessage, res: ServerResponse) => {
      later.push(req.url ?? "");
      if (!res.headersSent) res.end("later");
    });
    const url = await listen(http);
    expect((await get(url + "/x")).body).toBe("later");
    const socket = client(url, ["websocket"]);
    await waitFor(socket, "connect");
    expect(later).toContain("/x");
  });

  it("ends an upgrade for another path that nobody answers (destroyUpgradeTimeout)", async () => {
    const http = createServer();
    const io = new Server(http, { destroyUpgradeTimeout: 20 });
    opened.push({ io, http });
    const url = await listen(http);
    // resolves on the close: nothing was written, the socket was ended by the timer
    expect(await rawUpgrade(url, "/not-socket-io")).toBe("");
  });
});
