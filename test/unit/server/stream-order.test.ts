/**
 * The log order of a cluster adapter's deliveries (core/server/stream-order.ts), on an adapter
 * object shaped as socket.io-adapter's ClusterAdapter: `onMessage(message, offset)` is its
 * reader's entry point, `broadcast()` resolves after the local delivery.
 */
import {
  StreamOrder,
  STALL_MS,
  trailingOffset,
  type OrderedWriter,
} from "../../../core/server/stream-order";

describe("trailingOffset", () => {
  it("reads the stream offset an encoded event ends with", () => {
    expect(trailingOffset('2["room","a",1,"1733-0"]')).toBe("1733-0");
    expect(trailingOffset('2/chat,["x","17330000000-12"]')).toBe("17330000000-12");
    expect(trailingOffset('51-["b",{"_placeholder":true,"num":0},"5-3"]')).toBe("5-3");
    expect(trailingOffset('2["1-2"]')).toBe("1-2");
  });

  it("is undefined for anything else", () => {
    for (const text of [
      '2["room","a",1]',
      '2["room","x1-2"]',
      '2["room","1-"]',
      '2["room","-2"]',
      '2["room","12"]',
      '2["room",{"a":"1-2"}]',
      "",
      "]",
    ]) {
      expect(trailingOffset(text)).toBeUndefined();
    }
    expect(trailingOffset(Buffer.from('"1-2"]'))).toBeUndefined();
  });
});

interface Entry {
  uid: string;
  type: string;
  data: { packet: { type: number; data: unknown[] }; opts: { flags: Record<string, unknown> } };
}

/** An adapter with ClusterAdapter's shape; `delivered` is what its sockets got, in order. */
function fakeAdapter() {
  const delivered: string[] = [];
  const pending: (() => void)[] = [];
  const adapter = {
    uid: "me",
    onMessage(message: Entry, offset?: string) {
      if (message.uid === "me") return;
      delivered.push(`${message.data.packet.data[0] as string}@${offset}`);
    },
    /** The append's answer arrives when the test calls the returned function. */
    broadcast(_packet: { data: unknown[] }, _opts: unknown) {
      return new Promise<void>((resolve) => {
        pending.push(() => resolve());
      }).then(() => undefined);
    },
  };
  return { adapter, delivered, pending };
}

function entry(uid: string, name: string, flags: Record<string, unknown> = {}): Entry {
  return { uid, type: "3", data: { packet: { type: 2, data: [name] }, opts: { flags } } };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("StreamOrder", () => {
  it("is only installed on an adapter with a cluster adapter's shape", () => {
    expect(StreamOrder.install({})).toBeNull();
    expect(StreamOrder.install({ uid: "x", broadcast() {} })).toBeNull();
    expect(StreamOrder.install(fakeAdapter().adapter)).toBeInstanceOf(StreamOrder);
  });

  it("holds a local write the reader has not reached, releases it when the reader does", () => {
    const { adapter } = fakeAdapter();
    const order = StreamOrder.install(adapter)!;
    // no entry read yet: nothing to order against
    expect(order.mustWait("5-0")).toBe(false);
    adapter.onMessage(entry("other", "w"), "4-0");
    expect(order.mustWait("4-0")).toBe(false);
    expect(order.mustWait("5-0")).toBe(true);
    const released: (string | null)[] = [];
    const writer: OrderedWriter = {
      releaseOrdered: (o, through) => {
        expect(o).toBe(order);
        released.push(through);
        order.drop(writer);
      },
    };
    order.hold(writer);
    adapter.onMessage(entry("other", "w2"), "4-1");
    adapter.onMessage(entry("other", "w3"), "5-0");
    expect(released).toEqual(["4-1"]);
  });

  it("makes the reader wait for an own broadcast's local delivery", async () => {
    const { adapter, delivered, pending } = fakeAdapter();
    StreamOrder.install(adapter);
    adapter.onMessage(entry("other", "a"), "1-0");
    const packet = { type: 2, data: ["mine"] };
    const sent = adapter.broadcast(packet, {}) as Promise<void>;
    // the reader meets the own entry before the append's answer: later entries wait
    adapter.onMessage(entry("me", "mine"), "2-0");
    adapter.onMessage(entry("other", "b"), "3-0");
    expect(delivered).toEqual(["a@1-0"]);
    packet.data.push("2-0"); // what the adapter does before its local delivery
    pending.shift()!();
    await sent;
    await flush();
    expect(delivered).toEqual(["a@1-0", "b@3-0"]);
  });

  it("does not wait for entries without an offset in their delivery (volatile)", () => {
    const { adapter, delivered } = fakeAdapter();
    StreamOrder.install(adapter);
    adapter.onMessage(entry("other", "a"), "1-0");
    adapter.onMessage(entry("me", "v", { volatile: true }), "2-0");
    adapter.onMessage(entry("other", "b"), "3-0");
    expect(delivered).toEqual(["a@1-0", "b@3-0"]);
  });

  it("does not wait when the own delivery came first", async () => {
    const { adapter, delivered, pending } = fakeAdapter();
    StreamOrder.install(adapter);
    adapter.onMessage(entry("other", "a"), "1-0");
    const packet = { type: 2, data: ["mine", "2-0"] };
    const sent = adapter.broadcast(packet, {}) as Promise<void>;
    pending.shift()!();
    await sent;
    await flush();
    adapter.onMessage(entry("me", "mine"), "2-0");
    adapter.onMessage(entry("other", "b"), "3-0");
    expect(delivered).toEqual(["a@1-0", "b@3-0"]);
  });

  it("releases everything when the reader makes no progress (the broker is gone)", () => {
    jest.useFakeTimers();
    try {
      const { adapter, delivered } = fakeAdapter();
      const order = StreamOrder.install(adapter)!;
      adapter.onMessage(entry("other", "a"), "1-0");
      adapter.onMessage(entry("me", "mine"), "2-0"); // its delivery never comes
      adapter.onMessage(entry("other", "b"), "3-0");
      const released: (string | null)[] = [];
      const writer: OrderedWriter = {
        releaseOrdered: (_o, through) => {
          released.push(through);
          order.drop(writer);
        },
      };
      order.hold(writer);
      jest.advanceTimersByTime(STALL_MS - 1);
      expect(released).toEqual([]);
      // within two checks of no progress
      jest.advanceTimersByTime(STALL_MS + 1);
      expect(released).toEqual([null]);
      expect(delivered).toEqual(["a@1-0", "b@3-0"]);
    } finally {
      jest.useRealTimers();
    }
  });
});
