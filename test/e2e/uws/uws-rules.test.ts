/**
 * µWebSockets.js's rules, each kept by the uWS host (core/http/uws/), tested through a real uWS
 * app and real clients: nothing is written after a client went (uWS aborts the process on a
 * write to an aborted response), data is copied out of uWS's buffers before the handler returns,
 * backpressure counts in maxBufferedBytes, idleTimeout and the heartbeat are not two timers.
 */
import { request } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { WebSocket } from "ws";
import { io as ioc } from "socket.io-client";
import { Server, type EngineSocket } from "../../../core/index";
import {
  pollingSession,
  rawHandshake,
  rawPoll,
  rawPush,
  rawWebSocket,
  startUwsEngine,
  wsSession,
} from "../../support/engine";
import { connect, startUwsServer } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor, waitUntil } from "../../support/wait";
import { listenApp } from "../../support/uws";

afterEach(closeAll);

describe("uWS host: nothing after onAborted", () => {
  it("survives a pending poll whose client went, then answers the next one", async () => {
    const h = await startUwsEngine();
    const { sid, socket } = await pollingSession(h);
    // a long poll, aborted by the client while the server holds it
    const pending = request(h.url(`EIO=4&transport=polling&sid=${sid}`));
    pending.on("error", () => {});
    pending.end();
    await waitUntil(() => socket.transport.writable);
    const closed = waitFor<[string]>(socket, "close");
    pending.destroy();
    // the server learns it through onAborted; sending now must not touch that response
    expect((await closed)[0]).toBe("transport error");
    socket.send("late");
    // the engine goes on with other sessions
    const nextConn = waitFor<[EngineSocket]>(h.engine, "connection");
    const next = await rawHandshake(h);
    (await nextConn)[0].send("hi");
    expect(await rawPoll(h, next.sid)).toMatchObject({ status: 200, body: "4hi" });
  });

  it("writes nothing when the client of an upgrade goes while allowRequest is pending", async () => {
    let release!: () => void;
    const decided = new Promise<void>((resolve) => (release = resolve));
    const asked = jest.fn();
    const h = await startUwsEngine({
      allowRequest: (req, fn) => {
        asked();
        void decided.then(() => fn(null, true));
      },
    });
    const opened = jest.fn();
    h.engine.on("connection", opened);
    const ws = new WebSocket(h.wsUrl());
    ws.on("error", () => {});
    await waitUntil(() => asked.mock.calls.length === 1);
    ws.terminate();
    await sleep(50); // uWS runs the abort handler on its next loop turn
    release();
    await decided;
    // the engine still serves, and opened the later connection only (a late session for the
    // aborted upgrade would be counted here)
    release = () => {};
    const raw = await rawWebSocket(h);
    expect(String(await raw.next())).toMatch(/^0\{/);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(h.engine.clientsCount).toBe(1);
  });
});

describe("uWS host: data copied out before the handler returns", () => {
  it("keeps a received binary message intact after the handler returned", async () => {
    const h = await startUwsEngine();
    const { ws: raw, socket } = await wsSession(h);
    const kept: Buffer[] = [];
    socket.on("message", (data: Buffer) => kept.push(data));
    for (let i = 0; i < 3; i++) raw.send(Buffer.alloc(64, i + 1));
    await waitUntil(() => kept.length === 3);
    await sleep(10); // uWS has neutered its buffers by now
    expect(kept.map((b) => [b.length, b[0], b[63]])).toEqual([
      [64, 1, 1],
      [64, 2, 2],
      [64, 3, 3],
    ]);
  });

  it("reads a POST body that arrives in chunks while an async middleware runs", async () => {
    const h = await startUwsEngine();
    h.engine.use((req, res, next) => void sleep(30).then(() => next()));
    const { sid, socket } = await pollingSession(h);
    const messages: string[] = [];
    socket.on("message", (m: string) => messages.push(m));
    const body = ["4one", "4two", "4" + "x".repeat(100_000)].join("\x1e");
    const req = request(h.url(`EIO=4&transport=polling&sid=${sid}`), {
      method: "POST",
      headers: { "Content-Length": String(Buffer.byteLength(body)) },
    });
    for (let i = 0; i < body.length; i += 8192) {
      req.write(body.slice(i, i + 8192));
      await sleep(1);
    }
    req.end();
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    expect(res.statusCode).toBe(200);
    res.resume();
    expect(messages).toEqual(["one", "two", "x".repeat(100_000)]);
  });

  it("answers 413 to a body over maxHttpBufferSize and keeps serving", async () => {
    const h = await startUwsEngine({ maxHttpBufferSize: 1000 });
    const { sid } = await rawHandshake(h);
    const res = await rawPush(h, sid, "4" + "x".repeat(50_000));
    expect(res.status).toBe(413);
    expect((await rawHandshake(h)).sid).toBeTruthy();
  });
});

describe("uWS host: backpressure and timers", () => {
  it("counts uWS's buffered bytes in maxBufferedBytes (a client that does not read is closed)", async () => {
    const h = await startUwsEngine({ maxBufferedBytes: 1 << 20 });
    const { ws: raw, socket } = await wsSession(h);
    raw.ws.pause();
    const closed = waitFor<[string, Error]>(socket, "close");
    const chunk = "y".repeat(256 * 1024);
    for (let i = 0; i < 64; i++) {
      if (socket.readyState !== "open") break;
      socket.send(chunk);
      await sleep(5);
    }
    const [reason, error] = await closed;
    expect(reason).toBe("transport error");
    expect(String((error as { description?: unknown }).description ?? error.message)).toMatch(
      /write buffer full/,
    );
  });

  it("refuses an idleTimeout shorter than the heartbeat (two timers for one job)", () => {
    const io = new Server();
    const app = { any: jest.fn(), get: jest.fn(), ws: jest.fn() };
    expect(() => io.attachApp(app, { idleTimeout: 8 })).toThrow(
      expect.objectContaining({ code: "SIO_ERR_INVALID_OPTION" }),
    );
  });

  it("leaves uWS's idle timeout and automatic pings off: the Engine.IO heartbeat is the one timer", () => {
    const io = new Server();
    const app = { any: jest.fn(), get: jest.fn(), ws: jest.fn() };
    io.attachApp(app);
    const behavior = app.ws.mock.calls[0][1] as Record<string, unknown>;
    expect(behavior).toMatchObject({
      idleTimeout: 0,
      sendPingsAutomatically: false,
      maxPayloadLength: 1e6,
      compression: 0,
    });
    expect(behavior.maxBackpressure).toBe(16 * 1024 * 1024 + 1e6);
    io.close();
  });

  it("closes a dead client by the Engine.IO heartbeat", async () => {
    const h = await startUwsEngine({ pingInterval: 50, pingTimeout: 50 });
    const { ws: raw, socket } = await wsSession(h);
    const [reason] = await waitFor<[string]>(socket, "close", 2000);
    expect(reason).toBe("ping timeout");
  });
});

describe("uWS host beside a Node host", () => {
  it("serves two Servers in one process, one on node:http and one on uWS, each with its rooms", async () => {
    const onUws = await startUwsServer();
    const http = createServer();
    const onNode = new Server(http);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    try {
      const nodeUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const [uwsClient, uwsSocket] = await connect(onUws);
      uwsSocket.join("room");
      const nodeConn = waitFor<[import("../../../core/index").Socket]>(onNode, "connection");
      const nodeClient = ioc(nodeUrl, { forceNew: true, reconnection: false });
      const [nodeSocket] = await nodeConn;
      nodeSocket.join("room");
      await waitFor(nodeClient, "connect");
      const gotUws = waitFor<[string]>(uwsClient, "news");
      const gotNode = waitFor<[string]>(nodeClient, "news");
      onUws.io.to("room").emit("news", "from uws");
      onNode.to("room").emit("news", "from node");
      expect((await gotUws)[0]).toBe("from uws");
      expect((await gotNode)[0]).toBe("from node");
      nodeClient.disconnect();
    } finally {
      await onNode.close();
    }
  });

  it("exits cleanly: closing the app ends its connections", async () => {
    const io = new Server();
    const uws = await listenApp((app) => io.attachApp(app));
    const client = ioc(`http://127.0.0.1:${uws.port}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
    });
    await waitFor(client, "connect");
    const gone = waitFor(client, "disconnect");
    await io.close();
    uws.close();
    await gone;
  });
});
