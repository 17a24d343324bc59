import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { EngineServer, type EngineSocket } from "../../../core/index";
import {
  engineClient,
  listen,
  newEngine,
  rawHandshake,
  rawPoll,
  rawUpgrade,
  rawWebSocket,
  startEngine,
  REFERENCE,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";
import { nodeHostOnly } from "../../support/uws";

afterEach(closeAll);

describe("the engine under test", () => {
  it("is engine.io's in the reference run (ENGINE_REFERENCE=1), socketkit's otherwise", () => {
    const engine = newEngine();
    expect(engine instanceof EngineServer).toBe(!REFERENCE);
    engine.close();
  });
});

describe("engine server API", () => {
  it("serves handleRequest/handleUpgrade on a plain http server without attach()", async () => {
    const engine = newEngine();
    const http = createServer((req, res) => {
      if (req.url?.startsWith("/engine.io/")) engine.handleRequest(req as never, res);
      else res.writeHead(404).end();
    });
    http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      engine.handleUpgrade(req, socket, head),
    );
    const h = await listen(engine, http);
    const conn = waitFor<[EngineSocket]>(engine, "connection");
    const client = engineClient(h);
    const [socket] = await conn;
    await waitFor(socket, "upgrade");
    socket.send("direct");
    expect((await waitFor(client, "message"))[0]).toBe("direct");
    expect((await fetch(`${h.origin}/other`)).status).toBe(404);
  });

  it("leaves the http server's other request listeners working after attach()", async () => {
    const http = createServer((req, res) => res.end(`other ${req.url}`));
    const h = await startEngine({}, {}, http);
    const res = await fetch(`${h.origin}/hello`);
    expect(await res.text()).toBe("other /hello");
    const open = await rawHandshake(h);
    expect(open.sid).toBeTruthy();
  });

  it("destroys an upgrade for another path nobody answers after destroyUpgradeTimeout", async () => {
    const h = await startEngine({}, { destroyUpgradeTimeout: 50 });
    const res = await rawUpgrade(h, "/other", {}, 2000);
    expect(res).toEqual({ response: "", closed: true });
  });

  nodeHostOnly("leaves such upgrades alone with destroyUpgrade: false", async () => {
    const h = await startEngine({}, { destroyUpgrade: false, destroyUpgradeTimeout: 20 });
    const res = await rawUpgrade(h, "/other", {}, 200);
    expect(res.closed).toBe(false);
  });

  nodeHostOnly("does not destroy an upgrade another listener answered", async () => {
    const h = await startEngine({}, { destroyUpgradeTimeout: 20 });
    h.http.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      if (req.url === "/mine") socket.write("HTTP/1.1 418 I'm a teapot\r\n\r\n");
    });
    const res = await rawUpgrade(h, "/mine", {}, 200);
    expect(res.response).toBe("HTTP/1.1 418 I'm a teapot\r\n\r\n");
    expect(res.closed).toBe(false);
  });

  it("closes every session on close()", async () => {
    const h = await startEngine();
    const sockets: EngineSocket[] = [];
    h.engine.on("connection", (s: EngineSocket) => sockets.push(s));
    const pollingClient = engineClient(h, { transports: ["polling"] });
    const wsClient = engineClient(h, { transports: ["websocket"] });
    await Promise.all([waitFor(pollingClient, "open"), waitFor(wsClient, "open")]);
    const raw = await rawHandshake(h);
    await waitUntil(() => sockets.length === 3);
    expect(h.engine.clientsCount).toBe(3);
    expect(Object.keys(h.engine.clients).sort()).toEqual(sockets.map((s) => s.id).sort());
    const reasons: string[] = [];
    for (const s of sockets) s.on("close", (reason: string) => reasons.push(reason));
    const clientsClosed = Promise.all([
      waitFor(pollingClient, "close"),
      waitFor(wsClient, "close"),
    ]);
    h.engine.close();
    expect(h.engine.clientsCount).toBe(0);
    expect(h.engine.clients).toEqual({});
    expect(reasons).toEqual(["forced close", "forced close", "forced close"]);
    await clientsClosed;
    expect((await rawPoll(h, raw.sid)).status).toBe(400);
  });

  it("keeps clients and clientsCount in step with sessions", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const [socket] = await conn;
    expect(h.engine.clients[socket.id]).toBe(socket);
    expect(h.engine.clientsCount).toBe(1);
    const closed = waitFor(socket, "close");
    client.close();
    expect((await closed)[0]).toBe("transport close");
    expect(h.engine.clients[socket.id]).toBeUndefined();
    expect(h.engine.clientsCount).toBe(0);
  });

  nodeHostOnly("closes the engine when the http server closes", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    await rawHandshake(h);
    const [socket] = await conn;
    const closed = waitFor(socket, "close");
    h.http.close();
    h.http.closeAllConnections();
    expect((await closed)[0]).toBe("forced close");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("emits flush and drain on the server with the socket", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next();
    const [socket] = await conn;
    const flush = waitFor<[EngineSocket, { type: string; data: string }[]]>(h.engine, "flush");
    const drain = waitFor<[EngineSocket]>(h.engine, "drain");
    socket.send("x");
    const [flushed, buffer] = await flush;
    expect(flushed).toBe(socket);
    expect(buffer.map((p) => [p.type, p.data])).toEqual([["message", "x"]]);
    expect((await drain)[0]).toBe(socket);
  });
});
