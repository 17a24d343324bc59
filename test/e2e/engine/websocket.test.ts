import { once } from "node:events";
import { WebSocket } from "ws";
import type { EngineSocket } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawPush,
  rawWebSocket,
  startEngine,
  type EngineHarness,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";
import { UWS_HOST } from "../../support/uws";

afterEach(closeAll);

/** A raw websocket session: the connection (open packet read) and the server side socket. */
async function wsSession(h: EngineHarness, options = {}) {
  const conn = waitFor<[EngineSocket]>(h.engine, "connection");
  const ws = await rawWebSocket(h, undefined, options);
  const open = JSON.parse(((await ws.next()) as string).substring(1)) as { sid: string };
  const [socket] = await conn;
  return { ws, socket, sid: open.sid };
}

describe("engine websocket", () => {
  it("connects the official client over websocket only and exchanges text", async () => {
    const h = await startEngine({ transports: ["websocket"] });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    expect(socket.transport.name).toBe("websocket");
    client.send("ping?");
    expect((await waitFor(socket, "message"))[0]).toBe("ping?");
    socket.send("pong!");
    expect((await waitFor(client, "message"))[0]).toBe("pong!");
  });

  it("sends binary data as a raw binary frame, without type byte", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    socket.send(Buffer.from([1, 2, 3]));
    expect(await ws.next()).toEqual(Buffer.from([1, 2, 3]));
    socket.send("text");
    expect(await ws.next()).toBe("4text");
  });

  it("receives a binary frame as a Buffer message", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const message = waitFor<[Buffer]>(socket, "message");
    ws.send(Buffer.from([4, 5, 6]));
    expect((await message)[0]).toEqual(Buffer.from([4, 5, 6]));
  });

  it("exchanges binary with the official client", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    client.send(new Uint8Array([1, 2]));
    expect((await waitFor(socket, "message"))[0]).toEqual(Buffer.from([1, 2]));
    socket.send(Buffer.from([3, 4]));
    const [data] = await waitFor<[ArrayBuffer]>(client, "message");
    expect(Buffer.from(data)).toEqual(Buffer.from([3, 4]));
  });

  it("closes the connection cleanly on a message over maxHttpBufferSize", async () => {
    const h = await startEngine({ maxHttpBufferSize: 100 });
    const { ws, socket } = await wsSession(h);
    const other = await wsSession(h);
    const closed = waitFor<[string, Error & { type: string }]>(socket, "close");
    ws.send("4" + "a".repeat(200));
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("RangeError: Max payload size exceeded");
    expect(description.type).toBe("TransportError");
    // ws answers 1009 (Message Too Big); uWS drops the connection without a close frame
    expect(await ws.closed).toBe(UWS_HOST ? 1006 : 1009);
    // the server goes on serving the other sessions
    const message = waitFor(other.socket, "message");
    other.ws.send("4still here");
    expect((await message)[0]).toBe("still here");
    expect(h.engine.clientsCount).toBe(1);
  });

  it("accepts a message at maxHttpBufferSize", async () => {
    const h = await startEngine({ maxHttpBufferSize: 100 });
    const { ws, socket } = await wsSession(h);
    const message = waitFor(socket, "message");
    ws.send("4" + "a".repeat(99));
    expect((await message)[0]).toBe("a".repeat(99));
  });

  it("does not negotiate permessage-deflate by default", async () => {
    const h = await startEngine();
    const { ws } = await wsSession(h);
    expect(ws.ws.extensions).toBe("");
  });

  it("negotiates permessage-deflate with perMessageDeflate and compresses large messages", async () => {
    const h = await startEngine({ perMessageDeflate: true });
    const { ws, socket } = await wsSession(h);
    expect(ws.ws.extensions).toContain("permessage-deflate");
    const tcp = (ws.ws as unknown as { _socket: { bytesRead: number } })._socket;
    const before = tcp.bytesRead;
    const big = "y".repeat(20000);
    socket.send(big);
    expect(await ws.next()).toBe("4" + big);
    expect(tcp.bytesRead - before).toBeLessThan(2000);
    // and decompresses what the client compressed
    const message = waitFor(socket, "message");
    ws.send("4" + big);
    expect((await message)[0]).toBe(big);
  });

  it("refuses a websocket upgrade for an unknown sid", async () => {
    const h = await startEngine();
    const ws = new WebSocket(h.wsUrl("EIO=4&transport=websocket&sid=unknown"));
    ws.on("error", () => {});
    const [, res] = await once(ws, "unexpected-response");
    expect(res.statusCode).toBe(400);
    ws.terminate();
  });

  // a second WebSocket for a live session (upgraded, or opened over WebSocket): second-websocket.test.ts

  it("closes a second upgrade attempt while one is in progress", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const { sid } = await rawHandshake(h);
    const [socket] = await conn;
    const first = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    await waitUntil(() => socket.upgrading);
    const second = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    await second.closed;
    first.send("2probe");
    expect(await first.next()).toBe("3probe");
    first.send("5");
    await waitFor(socket, "upgrade");
    expect(socket.transport.name).toBe("websocket");
  });

  it("closes a probe that never sends 2probe after upgradeTimeout; the session stays on polling", async () => {
    const h = await startEngine({ upgradeTimeout: 100 });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const { sid } = await rawHandshake(h);
    const [socket] = await conn;
    const probe = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    await probe.closed;
    expect(socket.upgrading).toBe(false);
    expect(socket.upgraded).toBe(false);
    expect(socket.transport.name).toBe("polling");
    // the session still works over polling
    const message = waitFor(socket, "message");
    await rawPush(h, sid, "4hello");
    expect((await message)[0]).toBe("hello");
    socket.send("back");
    expect((await rawPoll(h, sid)).body).toBe("4back");
    // and a new upgrade may be tried
    const again = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    again.send("2probe");
    expect(await again.next()).toBe("3probe");
  });

  it("closes the session with 'transport close' when the client closes the websocket", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor(socket, "close");
    ws.ws.close();
    expect((await closed)[0]).toBe("transport close");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("closes the session with 'parse error' on a garbage frame", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor(socket, "close");
    ws.send("garbage");
    expect((await closed)[0]).toBe("parse error");
    await ws.closed;
  });

  it("closes the websocket when the server closes the socket", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor(socket, "close");
    socket.close();
    expect((await closed)[0]).toBe("forced close");
    await ws.closed;
  });

  it("takes the remote address from the websocket connection", async () => {
    const h = await startEngine();
    const { socket } = await wsSession(h);
    expect(socket.remoteAddress).toBe("127.0.0.1");
  });
});
