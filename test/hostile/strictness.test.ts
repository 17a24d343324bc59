/**
 * Class 4: protocol strictness. An EVENT or ACK without its array is malformed ("parse error"),
 * and a session already on WebSocket refuses a second upgrade.
 */
import { connect } from "../support/server";
import {
  expectHealthy,
  nextDisconnect,
  rawSioPolling,
  rawSioWebSocket,
  startTarget,
} from "./support";
import { closeHostile } from "./support";
import WebSocket from "ws";

afterEach(closeHostile);

describe("EVENT and ACK packets without payload", () => {
  for (const packet of ["42", "421", "43", "431", "42/,"]) {
    it(`"${packet}" over websocket closes that connection (parse error)`, async () => {
      const h = await startTarget();
      const [bystander] = await connect(h, { transports: ["websocket"] });
      const reason = nextDisconnect(h);
      const raw = await rawSioWebSocket(h);
      raw.send(packet);
      expect(await reason).toBe("parse error");
      await raw.closed;
      expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
    });
  }

  it('"451-" and its attachment (a binary event without data) closes it too', async () => {
    const h = await startTarget();
    const reason = nextDisconnect(h);
    const raw = await rawSioWebSocket(h);
    raw.send("451-");
    raw.send(Buffer.from([1]));
    expect(await reason).toBe("parse error");
  });

  for (const packet of ["42", "421"]) {
    it(`"${packet}" over polling closes that connection (parse error)`, async () => {
      const h = await startTarget();
      const reason = nextDisconnect(h);
      const raw = await rawSioPolling(h);
      await raw.post(packet);
      expect(await reason).toBe("parse error");
      await expectHealthy(h);
    });
  }

  it('"42" on a v3 session (allowEIO3) closes it too', async () => {
    const h = await startTarget({ allowEIO3: true });
    const reason = nextDisconnect(h);
    const raw = await rawSioWebSocket(h, 3);
    raw.send("42");
    expect(await reason).toBe("parse error");
  });
});

describe("a second WebSocket upgrade", () => {
  it("is refused (400) for a session opened over WebSocket, which goes on", async () => {
    const h = await startTarget();
    const [client, socket] = await connect(h, { transports: ["websocket"] });
    const sid = socket.conn.id;
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`,
      );
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => {
        ws.terminate();
        resolve(101);
      });
      ws.on("error", () => {});
    });
    expect(status).toBe(400);
    expect(socket.connected).toBe(true);
    expect(await client.timeout(5000).emitWithAck("echo", "ok")).toBe("ok");
  });
});
