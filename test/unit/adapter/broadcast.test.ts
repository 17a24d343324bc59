import { Adapter as OfficialAdapter } from "socket.io-adapter";
import { Adapter } from "../../../core/adapter";
import { textFrame } from "../../../core/util/ws-frame";
import { PacketType, type BroadcastOptions, type Packet } from "../../../core/types";
import { comparable, setup, type AdapterClass, type FakeNamespace } from "./fakes";

/** The write options of a single-string broadcast: its text, bytes and one WebSocket frame. */
function framed(text: string, flags: Record<string, unknown> = {}): Record<string, unknown> {
  const bytes = Buffer.from(text);
  return {
    preEncoded: true,
    ...flags,
    wsPreEncoded: text,
    wsPreEncodedBuffer: bytes,
    wsPreEncodedFrame: textFrame(bytes),
  };
}

function event(...data: unknown[]): Packet {
  return { type: PacketType.EVENT, nsp: "", data };
}

function opts(rooms: string[] = [], except: string[] = [], flags = {}): BroadcastOptions {
  return { rooms: new Set(rooms), except: new Set(except), flags };
}

/** s1: a | s2: a, b | s3: b, c | s4: (own room only) */
function populated() {
  const ctx = setup(Adapter);
  ctx.nsp.connect("s1", ["a"]);
  ctx.nsp.connect("s2", ["a", "b"]);
  ctx.nsp.connect("s3", ["b", "c"]);
  ctx.nsp.connect("s4");
  return ctx;
}

describe("Adapter.broadcast recipients", () => {
  it("sends to every socket of the namespace when no room is given", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts());
    expect(nsp.recipients()).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("sends to the members of one room", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["b"]));
    expect(nsp.recipients()).toEqual(["s2", "s3"]);
  });

  it("sends once to each socket of several rooms", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["a", "b", "s3", "s4"]));
    expect(nsp.recipients()).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("a socket's own id is a room", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["s3"]));
    expect(nsp.recipients()).toEqual(["s3"]);
  });

  it("skips the sockets in the except rooms", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts([], ["a"]));
    expect(nsp.recipients()).toEqual(["s3", "s4"]);
  });

  it("skips the sockets of several except rooms, including socket ids", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["a", "b", "c"], ["c", "s1", "unknown"]));
    expect(nsp.recipients()).toEqual(["s2"]);
  });

  it("an unknown except room excludes nobody", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["a"], ["unknown"]));
    expect(nsp.recipients()).toEqual(["s1", "s2"]);
  });

  it("sends to nobody for unknown rooms", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["unknown"]));
    expect(nsp.recipients()).toEqual([]);
  });

  it("works without except and without flags", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), { rooms: new Set(["c"]) });
    expect(nsp.recipients()).toEqual(["s3"]);
    expect(nsp.writes[0]!.opts).toEqual(framed('42["hi"]'));
  });

  it("skips ids that are not sockets of the namespace", () => {
    const { nsp, adapter } = populated();
    adapter.addAll("ghost", new Set(["ghost", "a"]));
    adapter.broadcast(event("hi"), opts(["a"]));
    adapter.broadcast(event("hi"), opts());
    expect(nsp.recipients()).toEqual(["s1", "s2", "s1", "s2", "s3", "s4"]);
  });

  it("reaches 1000 sockets, each once, with the same chunks and options", () => {
    const { nsp, adapter } = setup(Adapter);
    for (let i = 0; i < 1000; i++) nsp.connect(`s${i}`, [i % 2 ? "odd" : "even", "all"]);
    adapter.broadcast(event("hi"), opts(["odd", "all", "even"], ["s0"]));
    expect(nsp.writes).toHaveLength(999);
    expect(new Set(nsp.recipients()).size).toBe(999);
    expect(nsp.recipients()).not.toContain("s0");
    const [first] = nsp.writes;
    for (const write of nsp.writes) {
      expect(write.packets).toBe(first!.packets);
      expect(write.opts).toBe(first!.opts);
    }
    expect(nsp.encoder.calls).toHaveLength(1);
  });
});

describe("Adapter.broadcast encoding and writes", () => {
  it("sets the namespace name and encodes once", () => {
    const { nsp, adapter } = setup(Adapter, "/chat");
    nsp.connect("s1");
    nsp.connect("s2");
    const packet = event("hi", 1);
    adapter.broadcast(packet, opts());
    expect(packet.nsp).toBe("/chat");
    expect(nsp.encoder.calls).toEqual([{ type: PacketType.EVENT, nsp: "/chat", data: ["hi", 1] }]);
    expect(nsp.writes.map((w) => w.packets)).toEqual([['2/chat,["hi",1]'], ['2/chat,["hi",1]']]);
  });

  it("writes pre-encoded packets with the volatile and compress flags", () => {
    const { nsp, adapter } = populated();
    adapter.broadcast(event("hi"), opts(["c"], [], { volatile: true, compress: false }));
    expect(nsp.writes[0]!.opts).toEqual(framed('42["hi"]', { volatile: true, compress: false }));
  });

  it("has no wsPreEncoded when the packet has binary attachments", () => {
    const { nsp, adapter } = populated();
    const attachment = Buffer.from([1, 2, 3]);
    nsp.encoder.attachments = [attachment];
    adapter.broadcast(event("bin"), opts(["c"], [], { compress: true }));
    expect(nsp.writes[0]!.packets).toEqual(['2["bin"]', attachment]);
    expect(nsp.writes[0]!.opts).toEqual({ preEncoded: true, compress: true });
    expect(nsp.writes[0]!.opts.wsPreEncoded).toBeUndefined();
    expect(nsp.writes[0]!.opts.wsPreEncodedFrame).toBeUndefined();
  });

  it("notifies the outgoing listeners of each socket right before writing to it", () => {
    const { nsp, adapter } = populated();
    nsp.journal.length = 0;
    const packet = event("hi");
    adapter.broadcast(packet, opts(["b"]));
    expect(nsp.journal).toEqual(["notify s2", "write s2", "notify s3", "write s3"]);
    expect(nsp.sockets.get("s2")!.outgoing).toEqual([packet]);
    expect(nsp.sockets.get("s2")!.outgoing[0]).toBe(packet);
  });

  it("works with sockets that have no notifyOutgoingListeners", () => {
    const { nsp, adapter } = populated();
    for (const socket of nsp.sockets.values()) {
      Object.defineProperty(socket, "notifyOutgoingListeners", { value: undefined });
    }
    adapter.broadcast(event("hi"), opts());
    expect(nsp.recipients()).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("does not change the options it was given", () => {
    const { adapter } = populated();
    const o = opts(["a"], ["b"], { volatile: true });
    adapter.broadcast(event("hi"), o);
    expect(o).toEqual(opts(["a"], ["b"], { volatile: true }));
  });
});

describe("Adapter.broadcastWithAck", () => {
  it("gives the packet the next namespace ack id and registers the ack on each recipient", () => {
    const { nsp, adapter } = populated();
    nsp._ids = 7;
    const ack = jest.fn();
    const count = jest.fn();
    const packet = event("ask");
    adapter.broadcastWithAck(packet, opts(["a", "b"], ["s3"]), count, ack);
    expect(packet.id).toBe(7);
    expect(nsp._ids).toBe(8);
    expect(count).toHaveBeenCalledTimes(1);
    expect(count).toHaveBeenCalledWith(2);
    expect(nsp.recipients()).toEqual(["s1", "s2"]);
    expect(nsp.sockets.get("s1")!.acks.get(7)).toBe(ack);
    expect(nsp.sockets.get("s2")!.acks.get(7)).toBe(ack);
    expect(nsp.sockets.get("s3")!.acks.size).toBe(0);
    expect(nsp.encoder.calls).toEqual([{ type: PacketType.EVENT, nsp: "/", id: 7, data: ["ask"] }]);
    expect(nsp.writes[0]!.packets).toEqual(['27["ask"]']);
    expect(nsp.writes[0]!.opts).toEqual(framed('427["ask"]'));
    expect(ack).not.toHaveBeenCalled();
  });

  it("reports a count of 0 when nobody matches, and still uses an id", () => {
    const { nsp, adapter } = populated();
    const count = jest.fn();
    adapter.broadcastWithAck(event("ask"), opts(["unknown"]), count, jest.fn());
    expect(count).toHaveBeenCalledWith(0);
    expect(nsp._ids).toBe(1);
    expect(nsp.writes).toEqual([]);
  });

  it("registers the ack before notifying and writing", () => {
    const { nsp, adapter } = populated();
    const seen: boolean[] = [];
    const socket = nsp.sockets.get("s4")!;
    const notify = socket.notifyOutgoingListeners.bind(socket);
    socket.notifyOutgoingListeners = (packet) => {
      seen.push(socket.acks.has(packet.id!));
      notify(packet);
    };
    adapter.broadcastWithAck(
      event("ask"),
      opts(["s4"]),
      () => {},
      () => {},
    );
    expect(seen).toEqual([true]);
  });

  it("passes the volatile and compress flags", () => {
    const { nsp, adapter } = populated();
    adapter.broadcastWithAck(
      event("ask"),
      opts(["c"], [], { volatile: true, compress: true, timeout: 100 }),
      () => {},
      () => {},
    );
    expect(nsp.writes[0]!.opts).toMatchObject({ preEncoded: true, volatile: true, compress: true });
  });
});

describe("Adapter.broadcast matches socket.io-adapter", () => {
  type Case = [string, BroadcastOptions];
  const cases: Case[] = [
    ["all", opts()],
    ["one room", opts(["b"])],
    ["rooms", opts(["c", "a", "b"])],
    ["except", opts([], ["b"])],
    ["rooms and except", opts(["a", "c"], ["s2", "s3"])],
    ["unknown", opts(["x"], ["y"])],
    ["flags", opts(["a"], [], { volatile: true, compress: true })],
  ];

  function run(Ctor: AdapterClass<any>, o: BroadcastOptions, withAck: boolean) {
    const { nsp, adapter } = setup(Ctor, "/ns");
    nsp.connect("s1", ["a"]);
    nsp.connect("s2", ["a", "b"]);
    nsp.connect("s3", ["b", "c"]);
    nsp.connect("s4", ["c"]);
    nsp.connect("s5");
    adapter.addAll("ghost", new Set(["a"]));
    nsp.journal.length = 0;
    const counts: number[] = [];
    if (withAck)
      adapter.broadcastWithAck(
        event("x", 1),
        o,
        (n: number) => counts.push(n),
        () => {},
      );
    else adapter.broadcast(event("x", 1), o);
    return observe(nsp, counts);
  }

  function observe(nsp: FakeNamespace, counts: number[]) {
    return {
      journal: nsp.journal,
      encoded: nsp.encoder.calls,
      packets: nsp.writes.map((w) => w.packets),
      opts: nsp.writes.map((w) => comparable(w.opts)),
      acks: [...nsp.sockets.values()].map((s) => [...s.acks.keys()]),
      ids: nsp._ids,
      counts,
    };
  }

  it.each(cases)("broadcast: %s", (_name, o) => {
    expect(run(Adapter, o, false)).toEqual(run(OfficialAdapter, o, false));
  });

  it.each(cases)("broadcastWithAck: %s", (_name, o) => {
    expect(run(Adapter, o, true)).toEqual(run(OfficialAdapter, o, true));
  });
});
