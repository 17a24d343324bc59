/**
 * engine.io's public fields that applications read and write, as engine.io 6.6 has them:
 * `socket.writeBuffer` (an ordinary array at every moment), `socket.request._query` (the parsed
 * query) and the polling transport's `dataReq` (the data request in flight). Through
 * engine.io-client and raw HTTP / `ws`; the reference run checks each against engine.io.
 */
import type { EnginePacket, EngineRequest, EngineSocket } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawWebSocket,
  startEngine,
  type EngineHarness,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

/** What `socket.writeBuffer` is at one moment: an ordinary array, and what it holds. */
function bufferFacts(socket: EngineSocket): {
  array: boolean;
  extensible: boolean;
  data: unknown[];
} {
  const buffer = socket.writeBuffer;
  return {
    array: Array.isArray(buffer),
    extensible: Object.isExtensible(buffer),
    data: buffer.map((p) => p.data),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe("socket.writeBuffer", () => {
  it.each(["polling", "websocket"])(
    "is an ordinary array on an idle %s session: what is pushed into it leaves with the next send",
    async (transport) => {
      const h = await startEngine();
      const conn = waitFor<[EngineSocket]>(h.engine, "connection");
      const client = engineClient(h, { transports: [transport] });
      const [socket] = await conn;
      await waitFor(client, "open");
      expect(bufferFacts(socket)).toEqual({ array: true, extensible: true, data: [] });

      const received: string[] = [];
      client.on("message", (data: string) => received.push(data));
      const packet: EnginePacket = { type: "message", data: "pushed" };
      socket.writeBuffer.push(packet);
      expect(bufferFacts(socket).data).toEqual(["pushed"]);
      const second = new Promise<void>((resolve) =>
        client.on("message", (data: string) => data === "sent" && resolve()),
      );
      socket.send("sent");
      await second;
      expect(received).toEqual(["pushed", "sent"]);
      // and after that flush, an ordinary (empty) array again
      expect(bufferFacts(socket)).toEqual({ array: true, extensible: true, data: [] });
    },
  );

  it("close() waits for what was pushed into it: the next poll carries it, then the close", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const { sid } = await rawHandshake(h);
    const [socket] = await conn;
    const closed = waitFor<[string]>(socket, "close");
    socket.writeBuffer.push({ type: "message", data: "before close" });
    socket.close();
    expect(socket.readyState).toBe("closing");
    expect((await rawPoll(h, sid)).body).toBe("4before close");
    // the poll that finds the close pending: a noop with the close packet appended
    expect((await rawPoll(h, sid)).body).toBe("6\x1e1");
    expect((await closed)[0]).toBe("forced close");
  });

  it("still holds the unsent packets in close listeners when an error ends the session, and is emptied right after", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next(); // the open packet
    const [socket] = await conn;
    socket.writeBuffer.push({ type: "message", data: "unsent" });
    const inListener = new Promise<{ reason: string; facts: ReturnType<typeof bufferFacts> }>(
      (resolve) =>
        socket.on("close", (reason: string) => resolve({ reason, facts: bufferFacts(socket) })),
    );
    ws.send("garbage");
    expect(await inListener).toEqual({
      reason: "parse error",
      facts: { array: true, extensible: true, data: ["unsent"] },
    });
    await tick();
    expect(bufferFacts(socket)).toEqual({ array: true, extensible: true, data: [] });
    socket.writeBuffer.push({ type: "message", data: "late" });
    expect(bufferFacts(socket).data).toEqual(["late"]);
  });
});

describe("socket.request._query", () => {
  it.each(["polling", "websocket"])(
    "is the parsed query of the request that opened the session (%s)",
    async (transport) => {
      const h = await startEngine();
      const conn = waitFor<[EngineSocket]>(h.engine, "connection");
      engineClient(h, { transports: [transport], query: { token: "abc", room: "a b" } });
      const [socket] = await conn;
      const query = (socket.request as EngineRequest)._query;
      expect(query).toMatchObject({ token: "abc", room: "a b", EIO: "4", transport });
    },
  );
});

describe("the polling transport's dataReq", () => {
  /** The polling transport as engine.io-client's suite and applications read it. */
  type PollingFields = { dataReq?: EngineRequest | null };

  it("is the data request while its packets are handled (headers readable), null once answered", async () => {
    const h: EngineHarness = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, {
      transports: ["polling"],
      extraHeaders: { "x-custom": "present" },
    });
    const [socket] = await conn;
    await waitFor(client, "open");
    const transport = socket.transport as unknown as PollingFields;
    expect(transport.dataReq).toBeUndefined(); // no data request yet

    const seen = new Promise<Record<string, unknown>>((resolve) =>
      socket.on("message", () => {
        const req = transport.dataReq;
        resolve({ method: req?.method, header: req?.headers["x-custom"] });
      }),
    );
    const drained = waitFor(client, "drain");
    client.send("hello");
    expect(await seen).toEqual({ method: "POST", header: "present" });
    await drained;
    expect(transport.dataReq).toBeNull();
  });
});
