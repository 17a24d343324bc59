/**
 * core/ops units: option validation messages, the client address behind trusted proxies, the
 * per-address buckets and counts, the drain loop over a fake set of sessions.
 */
import type { IncomingMessage } from "node:http";
import { Server } from "../../../core/index";
import { clientAddress } from "../../../core/ops/address";
import { ConnectionsPerAddress, HandshakesPerSecond } from "../../../core/ops/limits";
import { Drainer, type DrainTarget } from "../../../core/ops/drain";

function req(remoteAddress: string, xff?: string | string[]): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: xff === undefined ? {} : { "x-forwarded-for": xff },
  } as unknown as IncomingMessage;
}

describe("operations options", () => {
  it.each([
    [{ metrics: "yes" }, 'invalid option "metrics": expected a boolean, got "yes"'],
    [
      { maxConnectionsPerAddress: 0 },
      'invalid option "maxConnectionsPerAddress": expected a positive integer, got 0',
    ],
    [
      { maxConnectionsPerAddress: 1.5 },
      'invalid option "maxConnectionsPerAddress": expected a positive integer, got 1.5',
    ],
    [
      { maxHandshakesPerSecond: -1 },
      'invalid option "maxHandshakesPerSecond": expected a positive number, got -1',
    ],
    [
      { trustedProxies: "127.0.0.1" },
      'invalid option "trustedProxies": expected an array of IP addresses, got "127.0.0.1"',
    ],
    [
      { eventRateLimit: 10 },
      'invalid option "eventRateLimit": expected an object { rate, burst?, policy? }, got 10',
    ],
    [
      { eventRateLimit: {} },
      'invalid option "eventRateLimit.rate": expected a positive number, got undefined',
    ],
    [
      { eventRateLimit: { rate: 5, burst: 0.5 } },
      'invalid option "eventRateLimit.burst": expected a number >= 1, got 0.5',
    ],
    [
      { eventRateLimit: { rate: 5, policy: "kick" } },
      'invalid option "eventRateLimit.policy": expected "drop" or "disconnect", got "kick"',
    ],
    [
      { drainOnClose: { timeout: "soon" } },
      'invalid option "drainOnClose.timeout": expected a number >= 0, got "soon"',
    ],
  ])("refuses %j", (opts, message) => {
    expect(() => new Server(opts as never)).toThrow(message);
    try {
      new Server(opts as never);
    } catch (e) {
      expect((e as { code?: string }).code).toBe("SIO_ERR_INVALID_OPTION");
    }
  });

  it("accepts the documented shapes", () => {
    const io = new Server({
      metrics: true,
      maxConnectionsPerAddress: 10,
      maxHandshakesPerSecond: 2.5,
      trustedProxies: ["10.0.0.1"],
      eventRateLimit: { rate: 10, burst: 20, policy: "disconnect" },
      drainOnClose: true,
    });
    expect(io.metrics().enabled).toBe(true);
    void io.close();
  });
});

describe("clientAddress", () => {
  const trusted = new Set(["10.0.0.1", "10.0.0.2"]);
  it("is the TCP peer without trusted proxies, whatever the header says", () => {
    expect(clientAddress(req("1.2.3.4", "5.6.7.8"), null)).toBe("1.2.3.4");
    expect(clientAddress(req("::ffff:1.2.3.4"), null)).toBe("1.2.3.4");
  });
  it("is the peer when the peer is not a trusted proxy", () => {
    expect(clientAddress(req("1.2.3.4", "5.6.7.8"), trusted)).toBe("1.2.3.4");
  });
  it("is the nearest untrusted hop behind trusted proxies", () => {
    expect(clientAddress(req("10.0.0.1", "5.6.7.8"), trusted)).toBe("5.6.7.8");
    expect(clientAddress(req("10.0.0.1", "6.6.6.6, 5.6.7.8, 10.0.0.2"), trusted)).toBe("5.6.7.8");
    expect(clientAddress(req("::ffff:10.0.0.1", ["6.6.6.6", "5.6.7.8"]), trusted)).toBe("5.6.7.8");
  });
  it("is the peer when the header is missing or names only proxies", () => {
    expect(clientAddress(req("10.0.0.1"), trusted)).toBe("10.0.0.1");
    expect(clientAddress(req("10.0.0.1", "10.0.0.2, "), trusted)).toBe("10.0.0.1");
  });
});

describe("per-address limits", () => {
  it("counts open connections per address", () => {
    const limit = new ConnectionsPerAddress(2);
    limit.opened("a");
    expect(limit.admit("a")).toBeUndefined();
    limit.opened("a");
    expect(limit.admit("a")).toMatchObject({ status: 429, retryAfter: 1 });
    expect(limit.admit("b")).toBeUndefined();
    limit.closed("a");
    expect(limit.admit("a")).toBeUndefined();
    limit.closed("a");
    expect(limit.count("a")).toBe(0);
  });

  it("allows a second's worth of handshakes per address, then says when to come back", () => {
    const limit = new HandshakesPerSecond(2);
    expect(limit.admit("a")).toBeUndefined();
    expect(limit.admit("a")).toBeUndefined();
    expect(limit.admit("a")).toMatchObject({
      status: 429,
      reason: "HANDSHAKE_RATE",
      retryAfter: 1,
    });
    expect(limit.admit("b")).toBeUndefined();
    limit.stop();
  });

  it("rounds Retry-After up to whole seconds for slow rates", () => {
    const limit = new HandshakesPerSecond(0.25); // one every 4 s
    expect(limit.admit("a")).toBeUndefined();
    expect(limit.admit("a")).toMatchObject({ status: 429, retryAfter: 4 });
    limit.stop();
  });
});

describe("Drainer", () => {
  interface Fake {
    acks: number;
    open: boolean;
    gone: boolean;
  }
  function target(sessions: Fake[]): DrainTarget<Fake> {
    return {
      sessions: () => sessions.filter((s) => !s.gone),
      pendingAcks: (s) => s.acks,
      isOpen: (s) => s.open,
      close: (s) => {
        s.open = false;
        s.gone = true;
      },
      forceClose: (s) => {
        s.open = false;
        s.gone = true;
      },
    };
  }

  it("closes sessions without pending acks at once, the others when they settle", async () => {
    const sessions: Fake[] = [
      { acks: 0, open: true, gone: false },
      { acks: 1, open: true, gone: false },
    ];
    const drainer = new Drainer();
    const done = drainer.drain(target(sessions), { timeout: 5000 });
    expect(drainer.draining).toBe(true);
    expect(drainer.admit()).toMatchObject({ status: 503, retryAfter: 5, reason: "DRAINING" });
    expect(sessions[0].gone).toBe(true);
    expect(sessions[1].gone).toBe(false);
    sessions[1].acks = 0;
    expect(await done).toMatchObject({ closed: 2, forced: 0 });
    // a second call returns the same drain
    expect(drainer.drain(target([]), {})).toBe(done);
  });

  it("forces the rest at the deadline", async () => {
    const sessions: Fake[] = [{ acks: 3, open: true, gone: false }];
    const result = await new Drainer().drain(target(sessions), { timeout: 30, retryAfter: 9 });
    expect(result).toMatchObject({ closed: 0, forced: 1 });
    expect(sessions[0].gone).toBe(true);
  });
});
