import { SessionAwareAdapter as OfficialSessionAwareAdapter } from "socket.io-adapter";
import { Adapter, SessionAwareAdapter } from "../../../core/adapter";
import { nextOffset } from "../../../core/adapter/session-aware-adapter";
import {
  PacketType,
  type BroadcastOptions,
  type Packet,
  type RestoredSession,
  type SessionToPersist,
} from "../../../core/types";
import { setup, type AdapterClass, type FakeServerOptions } from "./fakes";

const MINUTE = 60_000;
const recovery = (maxDisconnectionDuration = 2 * MINUTE): FakeServerOptions => ({
  connectionStateRecovery: { maxDisconnectionDuration },
});

function event(...data: unknown[]): Packet {
  return { type: PacketType.EVENT, nsp: "/", data };
}

function opts(rooms: string[] = [], except: string[] = [], flags = {}): BroadcastOptions {
  return { rooms: new Set(rooms), except: new Set(except), flags };
}

function session(pid: string, rooms: string[], data: unknown = { user: pid }): SessionToPersist {
  return { sid: `sid-${pid}`, pid, rooms, data };
}

function create(max = 2 * MINUTE, Ctor: AdapterClass<any> = SessionAwareAdapter) {
  const ctx = setup(Ctor, "/", recovery(max));
  ctx.nsp.connect("s1", ["a"]);
  return ctx as ReturnType<typeof setup<SessionAwareAdapter>>;
}

/** Broadcasts a packet and returns the offset the adapter appended to it. */
function send(adapter: SessionAwareAdapter, o: BroadcastOptions, ...data: unknown[]): string {
  const packet = event(...data);
  adapter.broadcast(packet, o);
  return packet.data[packet.data.length - 1] as string;
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date("2025-01-01T00:00:00Z") });
});

afterEach(() => {
  jest.useRealTimers();
});

describe("SessionAwareAdapter offsets", () => {
  it("appends a string offset as the last argument before encoding", () => {
    const { nsp, adapter } = create();
    const packet = event("hello", 1);
    adapter.broadcast(packet, opts());
    expect(packet.data).toHaveLength(3);
    const offset = packet.data[2];
    expect(typeof offset).toBe("string");
    expect(nsp.encoder.calls).toEqual([
      { type: PacketType.EVENT, nsp: "/", data: ["hello", 1, offset] },
    ]);
    expect(nsp.writes[0]!.packets).toEqual([`2${JSON.stringify(["hello", 1, offset])}`]);
  });

  it("gives unique offsets, even within one millisecond or when the clock goes back", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(nextOffset());
    jest.setSystemTime(Date.now() - MINUTE);
    for (let i = 0; i < 100; i++) seen.add(nextOffset());
    jest.advanceTimersByTime(2 * MINUTE);
    for (let i = 0; i < 100; i++) seen.add(nextOffset());
    expect(seen.size).toBe(300);
  });

  it("uses the same offset format as socket.io-adapter: base64 time, then .n", () => {
    jest.setSystemTime(Date.now() + 5 * MINUTE); // a millisecond no earlier test used
    const first = nextOffset();
    const second = nextOffset();
    expect(first).toMatch(/^[0-9A-Za-z_-]+$/);
    expect(second).toBe(`${first}.0`);
    expect(nextOffset()).toBe(`${first}.1`);
  });

  it("does not store ack, volatile or non-event packets, nor change them", () => {
    const { nsp, adapter } = create();
    const withAck: Packet = { ...event("a"), id: 3 };
    adapter.broadcast(withAck, opts());
    const volatile = event("v");
    adapter.broadcast(volatile, opts([], [], { volatile: true }));
    const disconnect: Packet = { type: PacketType.DISCONNECT, nsp: "/" };
    adapter.broadcast(disconnect, opts());
    const ack = event("w");
    adapter.broadcastWithAck(
      ack,
      opts(),
      () => {},
      () => {},
    );
    expect(withAck.data).toEqual(["a"]);
    expect(volatile.data).toEqual(["v"]);
    expect(disconnect.data).toBeUndefined();
    expect(ack.data).toEqual(["w"]);
    expect(nsp.writes).toHaveLength(4);
  });

  it("stores packets even when nobody receives them", async () => {
    const { adapter } = create();
    const o1 = send(adapter, opts(["nobody"]), "x");
    adapter.persistSession(session("p1", ["p1", "nobody"]));
    const o0 = send(adapter, opts(["nobody"]), "y");
    const restored = await adapter.restoreSession("p1", o1);
    expect(restored?.missedPackets).toEqual([["y", o0]]);
  });
});

describe("SessionAwareAdapter.restoreSession", () => {
  it("returns the session with the packets broadcast after the offset", async () => {
    const { adapter } = create();
    const before = send(adapter, opts(), "before");
    const s = session("p1", ["sid-p1", "a"], { n: 1 });
    adapter.persistSession(s);
    const o1 = send(adapter, opts(), "one", 1);
    const o2 = send(adapter, opts(["a"]), "two");
    const restored = await adapter.restoreSession("p1", before);
    expect(restored).toEqual({
      disconnectedAt: Date.now(),
      sid: "sid-p1",
      pid: "p1",
      rooms: ["sid-p1", "a"],
      data: { n: 1 },
      missedPackets: [
        ["one", 1, o1],
        ["two", o2],
      ],
    });
    expect(await adapter.restoreSession("p1", o1)).toMatchObject({ missedPackets: [["two", o2]] });
    expect(await adapter.restoreSession("p1", o2)).toMatchObject({ missedPackets: [] });
  });

  it("keeps the session restorable until it expires", async () => {
    const { adapter } = create();
    const offset = send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"]));
    expect(await adapter.restoreSession("p1", offset)).not.toBeNull();
    expect(await adapter.restoreSession("p1", offset)).not.toBeNull();
  });

  it("returns null for an unknown session", async () => {
    const { adapter } = create();
    const offset = send(adapter, opts(), "x");
    expect(await adapter.restoreSession("nope", offset)).toBeNull();
  });

  it("returns null for an unknown offset", async () => {
    const { adapter } = create();
    send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"]));
    expect(await adapter.restoreSession("p1", "unknown")).toBeNull();
  });

  it("returns null once the session has expired (on the monotonic clock)", async () => {
    const { adapter } = create(10_000);
    const offset = send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"]));
    jest.advanceTimersByTime(10_000);
    expect(await adapter.restoreSession("p1", offset)).not.toBeNull();
    jest.advanceTimersByTime(1);
    expect(await adapter.restoreSession("p1", offset)).toBeNull();
    // the expired session was dropped: moving the wall clock back does not bring it back
    jest.setSystemTime(Date.now() - 5_000);
    expect(await adapter.restoreSession("p1", offset)).toBeNull();
  });

  it("ignores steps of the wall clock (NTP, VM resume)", async () => {
    const { adapter } = create(10_000);
    const offset = send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"]));
    jest.setSystemTime(Date.now() + 60_000); // the wall clock jumps forward
    expect(await adapter.restoreSession("p1", offset)).not.toBeNull();
    jest.setSystemTime(Date.now() - 120_000); // and back
    jest.advanceTimersByTime(10_001);
    expect(await adapter.restoreSession("p1", offset)).toBeNull();
  });

  it("a second persistSession for the same pid replaces the first", async () => {
    const { adapter } = create();
    const offset = send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"], 1));
    adapter.persistSession(session("p1", ["p1", "a"], 2));
    expect(await adapter.restoreSession("p1", offset)).toMatchObject({
      rooms: ["p1", "a"],
      data: 2,
    });
  });
});

describe("SessionAwareAdapter missed packets filtering", () => {
  async function missed(rooms: string[], o: BroadcastOptions) {
    const { adapter } = create();
    const offset = send(adapter, opts(), "start");
    adapter.persistSession(session("p1", rooms));
    send(adapter, o, "packet");
    const restored = (await adapter.restoreSession("p1", offset)) as RestoredSession;
    return restored.missedPackets.length;
  }

  it.each([
    ["everyone", ["p1"], opts(), 1],
    ["one of its rooms", ["p1", "a", "b"], opts(["b"]), 1],
    ["its own-id room", ["p1", "a"], opts(["x", "p1"]), 1],
    ["other rooms only", ["p1", "a"], opts(["b", "c"]), 0],
    ["everyone except one of its rooms", ["p1", "a"], opts([], ["a"]), 0],
    ["everyone except its own id", ["p1", "a"], opts([], ["p1"]), 0],
    ["everyone except other rooms", ["p1", "a"], opts([], ["b"]), 1],
    ["its room, except another of its rooms", ["p1", "a", "b"], opts(["a"], ["b"]), 0],
    ["its room, except other rooms", ["p1", "a"], opts(["a"], ["b"]), 1],
  ] as const)("broadcast to %s", async (_name, rooms, o, count) => {
    expect(await missed([...rooms], o)).toBe(count);
  });

  it("handles options without except", async () => {
    const { adapter } = create();
    const offset = send(adapter, opts(), "start");
    adapter.persistSession(session("p1", ["p1", "a"]));
    const o = send(adapter, { rooms: new Set(["a"]) }, "x");
    send(adapter, { rooms: new Set(["b"]) }, "y");
    expect(await adapter.restoreSession("p1", offset)).toMatchObject({ missedPackets: [["x", o]] });
  });

  it("leaves volatile and ack packets out", async () => {
    const { adapter } = create();
    const offset = send(adapter, opts(), "start");
    adapter.persistSession(session("p1", ["p1"]));
    adapter.broadcast(event("volatile"), opts([], [], { volatile: true }));
    adapter.broadcast({ ...event("ack"), id: 1 }, opts());
    adapter.broadcastWithAck(
      event("ack2"),
      opts(),
      () => {},
      () => {},
    );
    const o = send(adapter, opts(), "kept");
    expect(await adapter.restoreSession("p1", offset)).toMatchObject({
      missedPackets: [["kept", o]],
    });
  });
});

describe("SessionAwareAdapter cleanup", () => {
  it("drops expired sessions and packets every minute", async () => {
    const { adapter } = create(90_000);
    const old = send(adapter, opts(), "old");
    adapter.persistSession(session("p1", ["p1"]));
    jest.advanceTimersByTime(60_000);
    const recent = send(adapter, opts(), "recent");
    adapter.persistSession(session("p2", ["p2"]));
    jest.advanceTimersByTime(60_000); // t=120s: "old" and p1 are past 90s
    // move the clock back: only the cleanup can explain a miss now
    jest.setSystemTime(Date.now() - 60_000);
    expect(await adapter.restoreSession("p1", recent)).toBeNull();
    expect(await adapter.restoreSession("p2", old)).toBeNull();
    expect(await adapter.restoreSession("p2", recent)).toMatchObject({ missedPackets: [] });
  });

  it("keeps what has not expired yet", async () => {
    const { adapter } = create(90_000);
    const offset = send(adapter, opts(), "x");
    adapter.persistSession(session("p1", ["p1"]));
    jest.advanceTimersByTime(60_000);
    const o2 = send(adapter, opts(), "y");
    expect(await adapter.restoreSession("p1", offset)).toMatchObject({
      missedPackets: [["y", o2]],
    });
  });

  it("runs one unref'ed timer per adapter, which close() clears", () => {
    const before = jest.getTimerCount();
    const setInterval = jest.spyOn(global, "setInterval");
    const { adapter } = create();
    expect(jest.getTimerCount()).toBe(before + 1);
    const timer = setInterval.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    setInterval.mockRestore();
    adapter.close();
    expect(jest.getTimerCount()).toBe(before);
    adapter.close();
  });
});

describe("SessionAwareAdapter options", () => {
  it("reads maxDisconnectionDuration from nsp.server.opts.connectionStateRecovery", () => {
    const { adapter } = setup(SessionAwareAdapter, "/", recovery(1234));
    expect(adapter.maxDisconnectionDuration).toBe(1234);
    adapter.close();
  });

  it("prefers the constructor option", () => {
    const { nsp } = setup(Adapter, "/", recovery(1234));
    const adapter = new SessionAwareAdapter(nsp, { maxDisconnectionDuration: 42 });
    expect(adapter.maxDisconnectionDuration).toBe(42);
    adapter.close();
  });

  it("defaults to 2 minutes", () => {
    const { adapter } = setup(SessionAwareAdapter);
    expect(adapter.maxDisconnectionDuration).toBe(2 * MINUTE);
    adapter.close();
  });

  it("is an Adapter", () => {
    const { adapter } = create();
    expect(adapter).toBeInstanceOf(Adapter);
    adapter.close();
  });
});

describe("SessionAwareAdapter matches socket.io-adapter", () => {
  async function scenario(Ctor: AdapterClass<any>) {
    const start = Date.now();
    const { nsp, adapter } = create(100_000, Ctor);
    const offsets = [send(adapter, opts(), "start")];
    adapter.persistSession(session("p1", ["p1", "a"]));
    const cases: [string[], string[], object][] = [
      [[], [], {}],
      [["a"], [], {}],
      [["b"], [], { compress: true }],
      [[], ["a"], {}],
      [["a", "b"], ["p2"], {}],
      [[], [], { volatile: true }],
    ];
    for (const [rooms, except, flags] of cases) {
      offsets.push(send(adapter, opts(rooms, except, flags), rooms.join()));
      jest.advanceTimersByTime(20_000);
      if (offsets.length === 3) adapter.persistSession(session("p2", ["p2", "b"]));
    }
    const results: unknown[] = [];
    const restoreAll = async () => {
      for (const pid of ["p1", "p2", "p3"]) {
        for (const offset of offsets) {
          const restored = await adapter.restoreSession(pid, offset);
          results.push(
            restored && {
              ...restored,
              disconnectedAt: restored.disconnectedAt - start,
              missedPackets: restored.missedPackets.length,
            },
          );
        }
      }
    };
    // t=120s: the cleanup at 60s dropped nothing, the one at 120s dropped p1 and early packets
    await restoreAll();
    jest.setSystemTime(Date.now() - 50_000);
    await restoreAll();
    jest.advanceTimersByTime(100_000); // p2 expires
    await restoreAll();
    adapter.close?.();
    return { results, writes: nsp.writes.length, encoded: nsp.encoder.calls.length };
  }

  it("restores the same sessions with the same number of missed packets", async () => {
    const ours = await scenario(SessionAwareAdapter);
    jest.setSystemTime(new Date("2025-01-02T00:00:00Z"));
    const official = await scenario(OfficialSessionAwareAdapter);
    expect(ours).toEqual(official);
    expect(ours.results.filter((r) => r !== null).length).toBeGreaterThan(5);
  });
});
