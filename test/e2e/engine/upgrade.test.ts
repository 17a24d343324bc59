import type { EngineSocket, EngineTransport } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawRequest,
  rawWebSocket,
  startEngine,
  type EngineHarness,
  pollingSession,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

describe("engine upgrade", () => {
  it("upgrades the official client, with upgrading/upgrade events on both sides", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const clientUpgrading = waitFor<[{ name: string }]>(client, "upgrading");
    const clientUpgrade = waitFor<[{ name: string }]>(client, "upgrade");
    const [socket] = await conn;
    expect(socket.transport.name).toBe("polling");
    const [upgrading] = await waitFor<[EngineTransport]>(socket, "upgrading");
    expect(upgrading.name).toBe("websocket");
    expect(socket.upgrading).toBe(true);
    const [upgraded] = await waitFor<[EngineTransport]>(socket, "upgrade");
    expect(upgraded).toBe(upgrading);
    expect(socket.transport).toBe(upgraded);
    expect(socket.upgrading).toBe(false);
    expect(socket.upgraded).toBe(true);
    expect((await clientUpgrading)[0].name).toBe("websocket");
    expect((await clientUpgrade)[0].name).toBe("websocket");
    expect(client.transport.name).toBe("websocket");
  });

  it("loses no message sent both ways during the upgrade", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const [socket] = await conn;
    const N = 100;
    const fromClient: unknown[] = [];
    const fromServer: unknown[] = [];
    socket.on("message", (m) => fromClient.push(m));
    client.on("message", (m) => fromServer.push(m));
    const transportsUsed = new Set<string>();
    // the server writes while the probe runs (after "upgrading", before "upgrade")
    socket.once("upgrading", () => {
      for (let i = 0; i < N / 2; i++) socket.send(`s${i}`);
      transportsUsed.add(socket.transport.name);
    });
    socket.once("upgrade", () => {
      for (let i = N / 2; i < N; i++) socket.send(`s${i}`);
    });
    // the client writes as soon as it starts upgrading (its polling is paused meanwhile)
    client.once("upgrading", () => {
      for (let i = 0; i < N; i++) client.send(`c${i}`);
    });
    await waitFor(socket, "upgrade");
    await waitUntil(() => fromClient.length >= N && fromServer.length >= N);
    expect(transportsUsed).toEqual(new Set(["polling"]));
    expect(fromClient).toEqual(Array.from({ length: N }, (_, i) => `c${i}`));
    expect(fromServer).toEqual(Array.from({ length: N }, (_, i) => `s${i}`));
  });

  it("loses no message the server sends in bursts across the upgrade", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const [socket] = await conn;
    const received: unknown[] = [];
    client.on("message", (m) => received.push(m));
    let i = 0;
    while (!socket.upgraded) {
      socket.send(`m${i++}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let j = 0; j < 10; j++) socket.send(`m${i++}`);
    await waitUntil(() => received.length === i);
    expect(received).toEqual(Array.from({ length: i }, (_, k) => `m${k}`));
  });

  it("runs the raw probe: 2probe -> 3probe, pending GET answered with noop, then 5", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const poll = rawPoll(h, sid);
    await waitUntil(() => socket.transport.writable);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    const upgrading = waitFor(socket, "upgrading");
    ws.send("2probe");
    expect(await ws.next()).toBe("3probe");
    await upgrading;
    // the pending poll is released with a noop so the client can pause polling
    expect((await poll).body).toBe("6");
    expect(socket.transport.name).toBe("polling");
    const upgrade = waitFor(socket, "upgrade");
    ws.send("5");
    await upgrade;
    expect(socket.transport.name).toBe("websocket");
    socket.send("over ws");
    expect(await ws.next()).toBe("4over ws");
    const message = waitFor(socket, "message");
    ws.send("4from ws");
    expect((await message)[0]).toBe("from ws");
  });

  it("flushes the packets buffered during the probe over the websocket", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    ws.send("2probe");
    expect(await ws.next()).toBe("3probe");
    socket.send("a");
    socket.send("b");
    ws.send("5");
    await waitFor(socket, "upgrade");
    expect(await ws.next()).toBe("4a");
    expect(await ws.next()).toBe("4b");
  });

  it("refuses polling requests once upgraded", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    ws.send("2probe");
    await ws.next();
    ws.send("5");
    await waitFor(socket, "upgrade");
    const res = await rawRequest(h, `EIO=4&transport=polling&sid=${sid}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 3, message: "Bad request" });
    expect(socket.readyState).toBe("open");
  });

  it("ends the probe and closes the websocket on an unexpected probe packet", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    ws.send("4hello");
    await ws.closed;
    expect(messages).toEqual([]);
    expect(socket.upgrading).toBe(false);
    expect(socket.transport.name).toBe("polling");
    expect(socket.readyState).toBe("open");
  });

  it("ends the probe when the probing websocket closes, and the session stays", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    ws.send("2probe");
    await ws.next();
    ws.ws.close();
    await ws.closed;
    await waitUntil(() => !socket.upgrading);
    expect(socket.readyState).toBe("open");
    socket.send("still polling");
    expect((await rawPoll(h, sid)).body).toContain("4still polling");
  });

  it("closes the probing websocket when the session closes", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    ws.send("2probe");
    await ws.next();
    socket.close(true);
    await ws.closed;
    expect(socket.readyState).toBe("closed");
  });

  it("completes an upgrade started while the socket is closing, then closes", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    ws.send("2probe");
    await ws.next();
    const closed = waitFor(socket, "close");
    socket.close();
    expect(socket.readyState).toBe("closing");
    ws.send("5");
    expect((await closed)[0]).toBe("forced close");
    await ws.closed;
  });

  it("does not upgrade when allowUpgrades is false, and the client stays on polling", async () => {
    const h = await startEngine({ allowUpgrades: false });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const [socket] = await conn;
    await waitFor(client, "open");
    socket.send("x");
    await waitFor(client, "message");
    expect(client.transport.name).toBe("polling");
    expect(socket.upgraded).toBe(false);
  });
});
