import type { EngineSocket } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawPush,
  nextSessionClose,
  rawWebSocket,
  startEngine,
  type EngineHarness,
  wsSession,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe("engine heartbeat", () => {
  it("pings the official client, which pongs (polling)", async () => {
    const h = await startEngine({ pingInterval: 50, pingTimeout: 1000 });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["polling"] });
    const [socket] = await conn;
    let beats = 0;
    socket.on("heartbeat", () => beats++);
    await waitFor(client, "ping");
    await waitFor(socket, "heartbeat");
    await waitFor(socket, "heartbeat");
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(socket.readyState).toBe("open");
  });

  it("pings the official client, which pongs (websocket)", async () => {
    const h = await startEngine({ pingInterval: 50, pingTimeout: 1000 });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const [socket] = await conn;
    const packets: string[] = [];
    socket.on("packet", (p: { type: string }) => packets.push(p.type));
    await waitFor(socket, "heartbeat");
    await waitFor(client, "heartbeat");
    await waitFor(socket, "heartbeat");
    expect(packets.filter((t) => t === "pong").length).toBeGreaterThanOrEqual(2);
    expect(socket.readyState).toBe("open");
  });

  it("sends a ping packet after pingInterval over the raw websocket", async () => {
    const h = await startEngine({ pingInterval: 50, pingTimeout: 1000 });
    const { ws, socket } = await wsSession(h);
    expect(await ws.next()).toBe("2");
    const beat = waitFor(socket, "heartbeat");
    ws.send("3");
    await beat;
    expect(await ws.next()).toBe("2");
  });

  it("closes a client that never pongs with 'ping timeout' (websocket)", async () => {
    // asymmetric values: a timer armed at the wrong moment would close far too early
    const h = await startEngine({ pingInterval: 100, pingTimeout: 20 });
    const closed = nextSessionClose(h);
    const ws = await rawWebSocket(h);
    await ws.next();
    expect(await ws.next()).toBe("2");
    const { reason, lifetime } = await closed;
    expect(reason).toBe("ping timeout");
    expect(lifetime).toBeGreaterThanOrEqual(80);
    await ws.closed;
    expect(h.engine.clientsCount).toBe(0);
  });

  it("closes a polling client that never pongs with 'ping timeout'", async () => {
    const h = await startEngine({ pingInterval: 100, pingTimeout: 20 });
    const closed = nextSessionClose(h);
    await rawHandshake(h);
    const { reason, lifetime } = await closed;
    expect(reason).toBe("ping timeout");
    expect(lifetime).toBeGreaterThanOrEqual(80);
  });

  it("accepts a pong over polling", async () => {
    const h = await startEngine({ pingInterval: 50, pingTimeout: 1000 });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const { sid } = await rawHandshake(h);
    const [socket] = await conn;
    expect((await rawPoll(h, sid)).body).toBe("2");
    const beat = waitFor(socket, "heartbeat");
    await rawPush(h, sid, "3");
    await beat;
    expect((await rawPoll(h, sid)).body).toBe("2");
    expect(socket.readyState).toBe("open");
  });

  it("closes a v4 client that sends a ping with 'transport error'", async () => {
    const h = await startEngine();
    const { ws, socket } = await wsSession(h);
    const closed = waitFor<[string, Error]>(socket, "close");
    ws.send("2");
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("invalid heartbeat direction");
    await ws.closed;
  });

  it("emits packet events for the ping it sends (packetCreate) and the pong (packet)", async () => {
    const h = await startEngine({ pingInterval: 30, pingTimeout: 1000 });
    const created = new Promise<{ type: string }>((resolve) =>
      h.engine.once("connection", (socket: EngineSocket) => socket.once("packetCreate", resolve)),
    );
    const { ws, socket } = await wsSession(h);
    expect((await created).type).toBe("ping");
    expect(await ws.next()).toBe("2");
    const packet = waitFor<[{ type: string }]>(socket, "packet");
    ws.send("3");
    expect((await packet)[0]).toEqual({ type: "pong" });
  });
});
