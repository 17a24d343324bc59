import { closeAll, engineClient, rawHandshake, startEngine, waitFor } from "../../support/engine";
import type { EngineSocket } from "../../../core/index";

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
});
