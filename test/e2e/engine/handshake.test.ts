import type { EngineConnectionError, EngineRequest, EngineSocket } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawRequest,
  rawWebSocket,
  startEngine,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

describe("engine handshake", () => {
  it("answers the v4 handshake with the open packet and defaults", async () => {
    const h = await startEngine();
    const open = await rawHandshake(h);
    expect(open.raw.startsWith("0{")).toBe(true);
    expect(open.sid).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(open.upgrades).toEqual(["websocket"]);
    expect(open.pingInterval).toBe(25000);
    expect(open.pingTimeout).toBe(20000);
    expect(open.maxPayload).toBe(1e6);
    expect(open.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(h.engine.clientsCount).toBe(1);
  });

  it("connects the official client over polling and exchanges messages", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["polling"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    expect(client.transport.name).toBe("polling");
    socket.send("hello");
    const [msg] = await waitFor(client, "message");
    expect(msg).toBe("hello");
    client.send("world");
    const [back] = await waitFor(socket, "message");
    expect(back).toBe("world");
  });

  it("connects the official client over websocket only", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    expect(socket.transport.name).toBe("websocket");
    socket.send(Buffer.from([1, 2, 3]));
    const [msg] = await waitFor<[Buffer]>(client, "message");
    expect(Buffer.from(msg as unknown as ArrayBuffer)).toEqual(Buffer.from([1, 2, 3]));
  });

  it("upgrades from polling to websocket", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const [socket] = await conn;
    await waitFor(socket, "upgrade");
    expect(socket.transport.name).toBe("websocket");
    expect(socket.upgraded).toBe(true);
    socket.send("after upgrade");
    const [msg] = await waitFor(client, "message");
    expect(msg).toBe("after upgrade");
  });

  it("writes the open packet fields in engine.io's order", async () => {
    const h = await startEngine();
    h.engine.generateId = () => "abc";
    const open = await rawHandshake(h);
    expect(open.raw).toBe(
      '0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
  });

  it("reflects custom pingInterval, pingTimeout and maxHttpBufferSize", async () => {
    const h = await startEngine({ pingInterval: 123, pingTimeout: 456, maxHttpBufferSize: 789 });
    const open = await rawHandshake(h);
    expect(open.pingInterval).toBe(123);
    expect(open.pingTimeout).toBe(456);
    expect(open.maxPayload).toBe(789);
  });

  it("answers the handshake over websocket with an empty upgrades list", async () => {
    const h = await startEngine();
    const ws = await rawWebSocket(h);
    const open = (await ws.next()) as string;
    expect(open.startsWith("0{")).toBe(true);
    expect(JSON.parse(open.substring(1))).toMatchObject({
      upgrades: [],
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 1e6,
    });
    expect(h.engine.clientsCount).toBe(1);
  });

  it("refuses a polling handshake with code 0 when only websocket is enabled", async () => {
    const h = await startEngine({ transports: ["websocket"] });
    const res = await rawRequest(h, "EIO=4&transport=polling");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 0, message: "Transport unknown" });
    const ws = await rawWebSocket(h);
    expect(((await ws.next()) as string).startsWith("0{")).toBe(true);
  });

  it("refuses websocket upgrades when only polling is enabled, and announces none", async () => {
    const h = await startEngine({ transports: ["polling"] });
    const open = await rawHandshake(h);
    expect(open.upgrades).toEqual([]);
    expect(h.engine.ws).toBeUndefined();
  });

  it("announces no upgrade when allowUpgrades is false", async () => {
    const h = await startEngine({ allowUpgrades: false });
    const open = await rawHandshake(h);
    expect(open.upgrades).toEqual([]);
    expect(h.engine.upgrades("polling")).toEqual([]);
  });

  it("keeps the polling handshake and upgrade whatever the order of `transports`", async () => {
    const h = await startEngine({ transports: ["websocket", "polling"] });
    const open = await rawHandshake(h);
    expect(open.upgrades).toEqual(["websocket"]);
  });

  it("lets the client's first transport open the session", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    engineClient(h, { transports: ["websocket", "polling"] });
    const [socket] = await conn;
    expect(socket.transport.name).toBe("websocket");
  });

  it("uses a synchronous generateId override", async () => {
    const h = await startEngine();
    const requests: unknown[] = [];
    h.engine.generateId = (req) => {
      requests.push(req);
      return "custom-id";
    };
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const open = await rawHandshake(h);
    expect(open.sid).toBe("custom-id");
    const [socket] = await conn;
    expect(socket.id).toBe("custom-id");
    expect(h.engine.clients["custom-id"]).toBe(socket);
    expect((requests[0] as EngineRequest)._query.transport).toBe("polling");
  });

  it("uses an asynchronous generateId override", async () => {
    const h = await startEngine();
    h.engine.generateId = async () => {
      await sleep(5);
      return "async-id";
    };
    const open = await rawHandshake(h);
    expect(open.sid).toBe("async-id");
    h.engine.generateId = () => Promise.resolve("async-ws");
    const ws = await rawWebSocket(h);
    expect(JSON.parse(((await ws.next()) as string).substring(1)).sid).toBe("async-ws");
  });

  it.each([
    [
      "throws",
      () => {
        throw new Error("boom");
      },
    ],
    ["rejects", () => Promise.reject(new Error("boom"))],
  ])("answers code 3 ID_GENERATION_ERROR when generateId %s", async (_, generateId) => {
    const h = await startEngine();
    h.engine.generateId = generateId;
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawRequest(h, "EIO=4&transport=polling");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 3, message: "Bad request" });
    const [err] = await error;
    expect(err.code).toBe(3);
    expect(err.message).toBe("Bad request");
    expect(err.context.name).toBe("ID_GENERATION_ERROR");
    expect((err.context.error as Error).message).toBe("boom");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("sends initialPacket right after the open packet", async () => {
    const h = await startEngine({ initialPacket: "welcome" });
    const open = await rawHandshake(h);
    expect(open.raw.split("\x1e")[1]).toBe("4welcome");
  });

  it("sends a binary initialPacket as base64 over polling", async () => {
    const h = await startEngine({ initialPacket: Buffer.from([1, 2, 3]) });
    const open = await rawHandshake(h);
    expect(open.raw.split("\x1e")[1]).toBe("bAQID");
  });

  it("emits connection with an open socket carrying protocol 4", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    await rawHandshake(h);
    const [socket] = await conn;
    expect(socket.readyState).toBe("open");
    expect(socket.protocol).toBe(4);
    expect(socket.transport.name).toBe("polling");
    expect(h.engine.clientsCount).toBe(1);
  });
});
