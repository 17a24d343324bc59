import type { EngineConnectionError, EngineSocket, EngineTransport } from "../../../core/index";
import {
  engineClientV3,
  nextSessionClose,
  rawPush,
  rawRequest,
  rawWebSocket,
  startEngine,
  type ClientSocketV3,
  type EngineHarness,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

/** Connects engine.io-client 3.5.6 and resolves with both ends once open. */
async function connectV3(h: EngineHarness, opts: Record<string, unknown> = {}) {
  const conn = waitFor<[EngineSocket]>(h.engine, "connection");
  const client = engineClientV3(h, opts);
  const [socket] = await conn;
  await waitFor(client, "open");
  return { client, socket };
}

const asBuffer = (data: unknown): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);

/** A raw v3 polling handshake: the sid (payloads are length-prefixed). */
async function rawHandshakeV3(h: EngineHarness, extra = "") {
  const res = await rawRequest(h, `EIO=3&transport=polling${extra}`);
  expect(res.status).toBe(200);
  const colon = res.body.indexOf(":");
  const open = res.body.substring(colon + 1, colon + 1 + Number(res.body.substring(0, colon)));
  return { body: res.body, ...(JSON.parse(open.substring(1)) as { sid: string }) };
}

describe("engine v3 (allowEIO3) with engine.io-client 3.5.6", () => {
  it("connects over polling and exchanges messages", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { client, socket } = await connectV3(h, { transports: ["polling"] });
    expect(socket.protocol).toBe(3);
    expect(socket.transport.name).toBe("polling");
    client.send("from v3");
    expect((await waitFor(socket, "message"))[0]).toBe("from v3");
    socket.send("to v3");
    expect((await waitFor(client, "message"))[0]).toBe("to v3");
  });

  it("sends binary over polling with the binary payload framing", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { client, socket } = await connectV3(h, { transports: ["polling"] });
    socket.send(Buffer.from([1, 2, 3]));
    expect(asBuffer((await waitFor(client, "message"))[0])).toEqual(Buffer.from([1, 2, 3]));
    client.send(Buffer.from([4, 5]));
    expect((await waitFor(socket, "message"))[0]).toEqual(Buffer.from([4, 5]));
  });

  it("sends binary as b64 packets when the client forces base64 (b64=1)", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { client, socket } = await connectV3(h, { transports: ["polling"], forceBase64: true });
    expect((socket.request as { _query: Record<string, string> })._query.b64).toBe("1");
    expect(socket.transport.supportsBinary).toBe(false);
    socket.send(Buffer.from([1, 2, 3]));
    expect(asBuffer((await waitFor(client, "message"))[0])).toEqual(Buffer.from([1, 2, 3]));
  });

  it("writes length-prefixed payloads on the wire", async () => {
    const h = await startEngine({ allowEIO3: true });
    const open = await rawHandshakeV3(h);
    expect(open.body).toMatch(/^\d+:0\{"sid":/);
    h.engine.clients[open.sid].send("hello");
    h.engine.clients[open.sid].send("€");
    const res = await rawRequest(h, `EIO=3&transport=polling&sid=${open.sid}`);
    expect(res.body).toBe("6:4hello2:4€");
  });

  it("writes binary as b<type><base64> with b64=1, raw framing otherwise", async () => {
    const h = await startEngine({ allowEIO3: true });
    const b64 = await rawHandshakeV3(h, "&b64=1");
    h.engine.clients[b64.sid].send(Buffer.from([1, 2, 3]));
    const text = await rawRequest(h, `EIO=3&transport=polling&sid=${b64.sid}`);
    expect(text.body).toBe("6:b4AQID");
    expect(text.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    const bin = await rawHandshakeV3(h);
    h.engine.clients[bin.sid].send(Buffer.from([1, 2]));
    const res = await fetch(h.url(`EIO=3&transport=polling&sid=${bin.sid}`));
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 3, 255, 4, 1, 2]));
  });

  it("accepts an application/octet-stream POST (binary payload) on v3", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { sid } = await rawHandshakeV3(h);
    const socket = h.engine.clients[sid];
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    const body = Buffer.from([0, 3, 255, ...Buffer.from("4hi"), 1, 3, 255, 4, 9, 8]);
    const res = await rawPush(h, sid, body, "EIO=3&transport=polling", {
      "Content-Type": "application/octet-stream",
    });
    expect(res.status).toBe(200);
    expect(messages).toEqual(["hi", Buffer.from([9, 8])]);
  });

  it("closes a v3 session with 'parse error' on a malformed payload", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { sid } = await rawHandshakeV3(h);
    const closed = waitFor(h.engine.clients[sid], "close");
    await rawPush(h, sid, "9:4a", "EIO=3&transport=polling");
    expect((await closed)[0]).toBe("parse error");
  });

  it("connects over websocket and exchanges text and binary", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { client, socket } = await connectV3(h, { transports: ["websocket"] });
    expect(socket.transport.name).toBe("websocket");
    expect(socket.protocol).toBe(3);
    socket.send("ws text");
    expect((await waitFor(client, "message"))[0]).toBe("ws text");
    socket.send(Buffer.from([7, 8]));
    expect(asBuffer((await waitFor(client, "message"))[0])).toEqual(Buffer.from([7, 8]));
    client.send(Buffer.from([1]));
    expect((await waitFor(socket, "message"))[0]).toEqual(Buffer.from([1]));
  });

  it("frames v3 binary on websocket with the type byte", async () => {
    const h = await startEngine({ allowEIO3: true });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h, "EIO=3&transport=websocket");
    expect(((await ws.next()) as string).startsWith("0{")).toBe(true);
    const [socket] = await conn;
    socket.send(Buffer.from([1, 2]));
    expect(await ws.next()).toEqual(Buffer.from([4, 1, 2]));
    const message = waitFor(socket, "message");
    ws.send(Buffer.from([4, 3, 3]));
    expect((await message)[0]).toEqual(Buffer.from([3, 3]));
  });

  it("upgrades a v3 client from polling to websocket", async () => {
    const h = await startEngine({ allowEIO3: true });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClientV3(h);
    const [socket] = await conn;
    const clientUpgrade = waitFor<[{ name: string }]>(client, "upgrade");
    const [transport] = await waitFor<[EngineTransport]>(socket, "upgrade");
    expect(transport.name).toBe("websocket");
    expect((await clientUpgrade)[0].name).toBe("websocket");
    socket.send("after upgrade");
    expect((await waitFor(client, "message"))[0]).toBe("after upgrade");
    client.send("back");
    expect((await waitFor(socket, "message"))[0]).toBe("back");
  });

  it("answers client pings with pongs", async () => {
    const h = await startEngine({ allowEIO3: true, pingInterval: 50, pingTimeout: 1000 });
    const { client, socket } = await connectV3(h, { transports: ["websocket"] });
    const beats = waitFor(socket, "heartbeat");
    await waitFor(client, "ping");
    await waitFor(client, "pong");
    await beats;
    await waitFor(client, "pong");
    expect(socket.readyState).toBe("open");
  });

  it("answers a raw ping with a pong and never pings first", async () => {
    const h = await startEngine({ allowEIO3: true, pingInterval: 30, pingTimeout: 1000 });
    const ws = await rawWebSocket(h, "EIO=3&transport=websocket");
    await ws.next();
    ws.send("2");
    expect(await ws.next()).toBe("3");
    ws.send("2probe-like");
    expect(await ws.next()).toBe("3");
  });

  it("closes a v3 client that stops pinging after pingInterval + pingTimeout", async () => {
    // v3 waits pingInterval + pingTimeout from the last client ping (here: from the open)
    const h = await startEngine({ allowEIO3: true, pingInterval: 100, pingTimeout: 20 });
    const closed = nextSessionClose(h);
    const ws = await rawWebSocket(h, "EIO=3&transport=websocket");
    const { reason, lifetime } = await closed;
    expect(reason).toBe("ping timeout");
    expect(lifetime).toBeGreaterThanOrEqual(80);
    await ws.closed;
  });

  it("closes a v3 client that sends a pong with 'transport error'", async () => {
    const h = await startEngine({ allowEIO3: true });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h, "EIO=3&transport=websocket");
    const [socket] = await conn;
    const closed = waitFor<[string, Error]>(socket, "close");
    ws.send("3");
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("invalid heartbeat direction");
  });

  it("refuses the v3 client with code 5 without allowEIO3 (polling)", async () => {
    const h = await startEngine();
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const client: ClientSocketV3 = engineClientV3(h, { transports: ["polling"] });
    const clientError = waitFor(client, "error");
    const [err] = await error;
    expect(err.code).toBe(5);
    expect(err.message).toBe("Unsupported protocol version");
    expect(err.context).toEqual({ protocol: 3 });
    await clientError;
    expect(h.engine.clientsCount).toBe(0);
  });

  it("refuses the v3 client with code 5 without allowEIO3 (websocket)", async () => {
    const h = await startEngine();
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const client = engineClientV3(h, { transports: ["websocket"] });
    const closed = waitFor(client, "close");
    expect((await error)[0].code).toBe(5);
    await closed;
    await waitUntil(() => h.engine.clientsCount === 0);
  });
});
