/**
 * The abuse limits, over polling and WebSocket with the official client: the limited client
 * gets the documented answer (429 + Retry-After; a refused upgrade; a dropped event reported on
 * "error"; a disconnection), the others are unaffected, and io.metrics() counts it.
 */
import type { ManagerOptions, SocketOptions } from "socket.io-client";
import { SocketkitError, type Socket } from "../../../core/index";
import { rawUpgrade, type EngineHarness } from "../../support/engine";
import { connect, createClient, startServer, type ServerHarness } from "../../support/server";
import { sleep, waitUntil, waitFor } from "../../support/wait";
import { closeAll } from "../../support/close-all";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;
const CASES: { name: string; opts: ClientOpts }[] = [
  { name: "polling", opts: { transports: ["polling"] } },
  { name: "websocket", opts: { transports: ["websocket"] } },
];

/** The connect_error of a client that is refused, with the HTTP status when polling. */
async function refused(
  h: ServerHarness,
  opts: ClientOpts,
): Promise<Error & { description?: unknown }> {
  const client = createClient(h, "/", opts);
  const [err] = await waitFor<[Error & { description?: unknown }]>(client, "connect_error");
  expect(client.connected).toBe(false);
  return err;
}

async function stillWorks(client: ReturnType<typeof createClient>): Promise<void> {
  expect(await client.timeout(2000).emitWithAck("ping", 1)).toBe(2);
}

function answerPings(h: ServerHarness): void {
  h.io.on("connection", (socket) => {
    socket.on("ping", (n: number, ack: (n: number) => void) => ack(n + 1));
  });
}

describe("maxConnectionsPerAddress", () => {
  it.each(CASES)("refuses the connection past the limit over $name", async ({ name, opts }) => {
    const h = await startServer({ metrics: true, maxConnectionsPerAddress: 2 });
    answerPings(h);
    const [a] = await connect(h, opts);
    const [b, bSocket] = await connect(h, opts);

    const err = await refused(h, opts);
    if (name === "polling") {
      expect(err.message).toBe("xhr poll error");
      expect(err.description).toBe(429);
    } else {
      expect(err.message).toBe("websocket error");
    }
    // the raw answers: 429 with Retry-After and a JSON body; a refused upgrade
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toEqual({
      code: 4,
      message: "Too many connections from this address (max 2)",
    });
    const upgrade = await rawUpgrade(
      h as unknown as EngineHarness,
      "/socket.io/?EIO=4&transport=websocket",
    );
    expect(upgrade.closed).toBe(true);
    expect(upgrade.response).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\nRetry-After: 1\r\n/);

    // the connected clients are unaffected
    await stillWorks(a);
    await stillWorks(b);
    const m = h.io.metrics();
    expect(m.limits.connectionsPerAddress).toBe(3);
    expect(m.handshakes.refused).toEqual({ TOO_MANY_CONNECTIONS: 3 });
    expect(m.connections.total).toBe(2);

    // a closed connection frees its place
    const gone = waitFor(bSocket, "disconnect");
    b.disconnect();
    await gone;
    await waitUntil(() => h.io.engine.clientsCount === 1);
    const [c] = await connect(h, opts);
    await stillWorks(c);
  });

  it.each(CASES)(
    "takes the address from X-Forwarded-For behind a trusted proxy over $name",
    async ({ opts }) => {
      const h = await startServer({
        maxConnectionsPerAddress: 1,
        trustedProxies: ["127.0.0.1", "10.9.9.9"],
      });
      answerPings(h);
      const from = (xff: string): ClientOpts => ({
        ...opts,
        extraHeaders: { "X-Forwarded-For": xff },
      });
      const [a] = await connect(h, from("203.0.113.1"));
      // the proxy chain: client, then a trusted proxy; the client is the nearest untrusted hop
      const [b, bSocket] = await connect(h, from("198.51.100.7, 10.9.9.9"));
      await refused(h, from("203.0.113.1"));
      await refused(h, from("6.6.6.6, 198.51.100.7"));
      await stillWorks(a);
      await stillWorks(b);
      expect(bSocket.handshake.address).toBe("127.0.0.1"); // the handshake keeps the TCP peer
    },
  );

  it.each(CASES)("ignores X-Forwarded-For without trusted proxies over $name", async ({ opts }) => {
    const h = await startServer({ maxConnectionsPerAddress: 1 });
    await connect(h, { ...opts, extraHeaders: { "X-Forwarded-For": "203.0.113.1" } });
    await refused(h, { ...opts, extraHeaders: { "X-Forwarded-For": "203.0.113.2" } });
  });
});

describe("maxHandshakesPerSecond", () => {
  it.each(CASES)("refuses handshakes past the rate over $name", async ({ name, opts }) => {
    const h = await startServer({ metrics: true, maxHandshakesPerSecond: 2 });
    answerPings(h);
    const [a] = await connect(h, opts);
    const [b] = await connect(h, opts);
    const err = await refused(h, opts);
    if (name === "polling") expect(err.description).toBe(429);
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as { message: string }).message).toBe(
      "Too many handshakes from this address (max 2 per second)",
    );
    // requests of open sessions are not handshakes: the connected clients go on
    await stillWorks(a);
    await stillWorks(b);
    const m = h.io.metrics();
    expect(m.limits.handshakeRate).toBe(2);
    expect(m.handshakes.refused).toEqual({ HANDSHAKE_RATE: 2 });
  });
});

describe("eventRateLimit", () => {
  it.each(CASES)("drops the events past the burst and says so over $name", async ({ opts }) => {
    const h = await startServer({
      metrics: true,
      eventRateLimit: { rate: 1, burst: 5, policy: "drop" },
    });
    const received = new Map<string, number>();
    const dropped: Error[] = [];
    h.io.on("connection", (socket) => {
      socket.on("error", (err) => dropped.push(err));
      socket.on("msg", () => received.set(socket.id, (received.get(socket.id) ?? 0) + 1));
    });
    const [noisy, noisySocket] = await connect(h, opts);
    const [quiet, quietSocket] = await connect(h, opts);
    for (let i = 0; i < 10; i++) noisy.emit("msg", i);
    for (let i = 0; i < 3; i++) quiet.emit("msg", i);
    await waitUntil(() => dropped.length === 5 && received.get(quietSocket.id) === 3);
    expect(received.get(noisySocket.id)).toBe(5);
    expect(dropped[0]).toBeInstanceOf(SocketkitError);
    expect((dropped[0] as SocketkitError).code).toBe("SIO_ERR_EVENT_RATE_LIMITED");
    expect(dropped[0].message).toBe('event "msg" dropped: more than 1 events per second');
    expect(noisy.connected).toBe(true);
    expect(h.io.metrics().limits.eventRate).toBe(5);
  });

  it.each(CASES)(
    "disconnects the socket with the documented reason over $name",
    async ({ opts }) => {
      const h = await startServer({
        metrics: true,
        eventRateLimit: { rate: 1, burst: 3, policy: "disconnect" },
      });
      answerPings(h);
      const [noisy, noisySocket] = await connect(h, opts);
      const [quiet] = await connect(h, opts);
      const serverSide = waitFor<[string]>(noisySocket, "disconnect");
      const clientSide = waitFor<[string]>(noisy, "disconnect");
      for (let i = 0; i < 10; i++) noisy.emit("msg", i);
      expect((await serverSide)[0]).toBe("event rate limit exceeded");
      // the client is told (no automatic reconnection after a server disconnect)
      expect((await clientSide)[0]).toBe("io server disconnect");
      await stillWorks(quiet);
      const m = h.io.metrics();
      expect(m.limits.eventRate).toBe(1);
      expect(m.disconnects).toEqual({ "event rate limit exceeded": 1 });
    },
  );

  it("refills the bucket over time", async () => {
    const h = await startServer({ eventRateLimit: { rate: 50, burst: 1 } });
    const got: number[] = [];
    h.io.on("connection", (socket: Socket) => socket.on("msg", (n: number) => got.push(n)));
    const [client] = await connect(h, { transports: ["websocket"] });
    client.emit("msg", 1);
    client.emit("msg", 2); // past the burst of 1: dropped
    await waitUntil(() => got.length === 1);
    await sleep(60); // 50/s: a token every 20 ms
    client.emit("msg", 3);
    await waitUntil(() => got.length === 2);
    expect(got).toEqual([1, 3]);
  });
});
