/**
 * io.drain() on one node: new handshakes get 503 + Retry-After, connections close so that the
 * official client reconnects (reason "transport close", not "io server disconnect"), a
 * connection waits for its pending acknowledgements, the deadline closes the rest.
 */
import { SocketkitError } from "../../../core/index";
import { rawUpgrade, type EngineHarness } from "../../support/engine";
import { connect, startServer } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

/** Server-side reasons after which connection state recovery keeps the session. */
const RECOVERABLE = ["forced close", "forced server close"];

const CASES = [
  { name: "polling", opts: { transports: ["polling"] } },
  { name: "websocket", opts: { transports: ["websocket"] } },
];

describe("io.drain()", () => {
  it.each(CASES)(
    "closes $name clients so that they reconnect, refusing new sessions",
    async ({ opts }) => {
      const h = await startServer({ metrics: true });
      const clients = await Promise.all(
        [1, 2, 3].map(() => connect(h, { ...opts, reconnection: true })),
      );
      const reasons = clients.map(([client]) => waitFor<[string]>(client, "disconnect"));
      const serverReasons = clients.map(([, socket]) => waitFor<[string]>(socket, "disconnect"));
      // each client tries to come back at once, and is refused while the node drains
      const retries = clients.map(([client]) =>
        waitFor<[Error & { description?: unknown }]>(client, "connect_error"),
      );

      const result = await h.io.drain({ timeout: 5000, retryAfter: 7 });
      expect(result).toEqual({ closed: 3, forced: 0, durationMs: expect.any(Number) });
      expect(h.io.engine.clientsCount).toBe(0);
      for (const r of await Promise.all(reasons)) expect(r[0]).toBe("transport close");
      for (const r of await Promise.all(serverReasons)) expect(RECOVERABLE).toContain(r[0]);
      await Promise.all(retries);

      const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toEqual({ code: 4, message: "Server is draining" });
      const upgrade = await rawUpgrade(
        h as unknown as EngineHarness,
        "/socket.io/?EIO=4&transport=websocket",
      );
      expect(upgrade.response).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\nRetry-After: 7\r\n/);

      const m = h.io.metrics();
      expect(m.draining).toBe(true);
      expect(m.limits.draining).toBeGreaterThanOrEqual(5); // 3 client retries at least, 2 raw
      // "forced close" when the transport closed at once, else "forced server close"
      const counted = Object.entries(m.disconnects);
      for (const [reason] of counted) expect(RECOVERABLE).toContain(reason);
      expect(counted.reduce((sum, [, n]) => sum + n, 0)).toBe(3);
      for (const [client] of clients) client.disconnect();
    },
  );

  it("waits for a connection's pending acknowledgement before closing it", async () => {
    const h = await startServer();
    const [slow, slowSocket] = await connect(h, { transports: ["websocket"] });
    const [fast] = await connect(h, { transports: ["websocket"] });
    const asked = waitFor<[(answer: string) => void]>(slow, "question");
    const answer = slowSocket.timeout(5000).emitWithAck("question");
    const [reply] = await asked;

    const fastGone = waitFor(fast, "disconnect");
    const drained = h.io.drain({ timeout: 5000 });
    await fastGone; // closed at once: nothing pending
    expect(slow.connected).toBe(true);
    const slowGone = waitFor<[string]>(slow, "disconnect");
    reply("42");
    expect(await answer).toBe("42");
    expect((await slowGone)[0]).toBe("transport close");
    expect(await drained).toMatchObject({ closed: 2, forced: 0 });
  });

  it("closes the connections still waiting at the deadline, settling their acks", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, { transports: ["polling"] });
    client.on("question", () => {}); // never answers
    const asked = waitFor(client, "question");
    const answer = socket.emitWithAck("question");
    await asked;
    const result = await h.io.drain({ timeout: 100 });
    expect(result).toMatchObject({ closed: 0, forced: 1 });
    expect(result.durationMs).toBeGreaterThanOrEqual(100);
    await expect(answer).rejects.toBeInstanceOf(SocketkitError);
    await expect(answer).rejects.toMatchObject({ code: "SIO_ERR_ACK_DISCONNECTED" });
    expect(h.io.engine.clientsCount).toBe(0);
  });

  it("drains before io.close() with drainOnClose", async () => {
    const h = await startServer({ drainOnClose: { timeout: 5000 } });
    const [client, socket] = await connect(h, { transports: ["websocket"] });
    const asked = waitFor<[(answer: string) => void]>(client, "question");
    const answer = socket.timeout(5000).emitWithAck("question");
    const [reply] = await asked;
    let closed = false;
    const closing = h.io.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false); // still waiting for the acknowledgement
    expect((await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(503);
    reply("done");
    expect(await answer).toBe("done");
    await closing;
    expect(h.io.engine.clientsCount).toBe(0);
  });

  it("validates its options", () => {
    return startServer().then((h) => {
      expect(() => h.io.drain({ timeout: -1 })).toThrow(
        'invalid option "timeout": expected a number >= 0, got -1',
      );
      expect(() => h.io.drain({ retryAfter: 0.5 })).toThrow(
        'invalid option "retryAfter": expected a positive integer, got 0.5',
      );
    });
  });
});
