/**
 * A second WebSocket opened with the sid of a live session, as the official `ws` client (what the
 * Engine.IO v4 protocol suite uses) and engine.io-client see it.
 * - The session has upgraded from polling: engine.io 6.6 accepts the connection and then closes
 *   it (the protocol suite's "ignores WebSocket connection with same sid after upgrade"); the
 *   first WebSocket keeps working.
 * - The session was opened over WebSocket: socketkit refuses the upgrade (400) before the
 *   handshake, so no second WebSocket can be probed into the session (engine.io would answer its
 *   probe and move the session over to it): `ours`, listed in README's Differences.
 */
import type { EngineSocket } from "../../../core/index";
import { WebSocket } from "ws";
import {
  engineClient,
  ours,
  rawHandshake,
  rawWebSocket,
  startEngine,
  type EngineHarness,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

/** Every message of every session is sent back, as in the protocol suite's server. */
async function echoEngine(): Promise<{ h: EngineHarness; connectionErrors: unknown[] }> {
  const h = await startEngine();
  h.engine.on("connection", (socket: EngineSocket) => {
    socket.on("message", (data: string) => socket.send(data));
  });
  const connectionErrors: unknown[] = [];
  h.engine.on("connection_error", (err: { code: number; context: unknown }) =>
    connectionErrors.push({ code: err.code, context: err.context }),
  );
  return { h, connectionErrors };
}

/** The events the official `ws` client emits for a WebSocket to `query`, up to its close. */
function webSocketEvents(h: EngineHarness, query: string): Promise<string[]> {
  const ws = new WebSocket(h.wsUrl(query));
  const events: string[] = [];
  ws.on("open", () => events.push("open"));
  ws.on("message", (data: Buffer) => events.push(`message ${data.toString()}`));
  ws.on("error", (err: Error) => events.push(`error ${err.message}`));
  return new Promise((resolve) =>
    ws.on("close", (code: number) => {
      events.push(`close ${code}`);
      resolve(events);
    }),
  );
}

describe("a second WebSocket for a session upgraded from polling", () => {
  it("is accepted then closed (open, close 1005, no error); the first WebSocket keeps working", async () => {
    const { h, connectionErrors } = await echoEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const { sid } = await rawHandshake(h);
    const [socket] = await conn;
    const first = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${sid}`);
    first.send("2probe");
    expect(await first.next()).toBe("3probe");
    const upgraded = waitFor(socket, "upgrade");
    first.send("5");
    await upgraded;

    const events = await webSocketEvents(h, `EIO=4&transport=websocket&sid=${sid}`);
    expect(events).toEqual(["open", "close 1005"]);

    first.send("4hello");
    expect(await first.next()).toBe("4hello");
    expect(socket.readyState).toBe("open");
    expect(socket.transport.name).toBe("websocket");
    expect(connectionErrors).toEqual([]);
  });

  it("leaves an engine.io-client upgraded session untouched", async () => {
    const { h, connectionErrors } = await echoEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h);
    const seen: string[] = [];
    client.on("close", (reason: string) => seen.push(`close ${reason}`));
    client.on("error", (err: string | Error) => seen.push(`error ${String(err)}`));
    const [socket] = await conn;
    await Promise.all([waitFor(socket, "upgrade"), waitFor(client, "upgrade")]);

    const events = await webSocketEvents(h, `EIO=4&transport=websocket&sid=${socket.id}`);
    expect(events).toEqual(["open", "close 1005"]);

    const echoed = waitFor(client, "message");
    client.send("hello");
    expect((await echoed)[0]).toBe("hello");
    expect(client.readyState).toBe("open");
    expect(client.transport.name).toBe("websocket");
    expect(seen).toEqual([]);
    expect(connectionErrors).toEqual([]);
  });
});

describe("a second WebSocket for a session opened over WebSocket", () => {
  const refusal = {
    code: 3,
    context: { name: "TRANSPORT_MISMATCH", transport: "websocket", previousTransport: "websocket" },
  };

  ours(
    "is refused with 400 before the handshake (error, close 1006); the session goes on",
    async () => {
      const { h, connectionErrors } = await echoEngine();
      const conn = waitFor<[EngineSocket]>(h.engine, "connection");
      const first = await rawWebSocket(h);
      const { sid } = JSON.parse(((await first.next()) as string).substring(1)) as { sid: string };
      const [socket] = await conn;

      const events = await webSocketEvents(h, `EIO=4&transport=websocket&sid=${sid}`);
      // never opened, so never probed
      expect(events).toEqual(["error Unexpected server response: 400", "close 1006"]);

      first.send("4hello");
      expect(await first.next()).toBe("4hello");
      expect(socket.readyState).toBe("open");
      expect(socket.upgrading).toBe(false);
      expect(connectionErrors).toEqual([refusal]);
    },
  );

  ours("is refused for an engine.io-client WebSocket-only session, which goes on", async () => {
    const { h, connectionErrors } = await echoEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["websocket"] });
    const seen: string[] = [];
    client.on("close", (reason: string) => seen.push(`close ${reason}`));
    client.on("error", (err: string | Error) => seen.push(`error ${String(err)}`));
    const [socket] = await conn;
    await waitFor(client, "open");

    const events = await webSocketEvents(h, `EIO=4&transport=websocket&sid=${socket.id}`);
    expect(events).toEqual(["error Unexpected server response: 400", "close 1006"]);

    const echoed = waitFor(client, "message");
    client.send("hello");
    expect((await echoed)[0]).toBe("hello");
    expect(seen).toEqual([]);
    expect(connectionErrors).toEqual([refusal]);
  });
});
