import { SocketkitError } from "../../../core/errors";
import {
  deconstructPacket,
  hasBinary,
  isBinary,
  isPacketValid,
  PacketType,
  reconstructPacket,
  RESERVED_EVENTS,
  type Packet,
} from "../../../core/parser";

describe("isBinary", () => {
  it.each<[string, unknown]>([
    ["Buffer", Buffer.from([1])],
    ["ArrayBuffer", new ArrayBuffer(2)],
    ["Uint8Array", new Uint8Array(1)],
    ["Float64Array", new Float64Array(1)],
    ["DataView", new DataView(new ArrayBuffer(1))],
    ["empty Buffer", Buffer.alloc(0)],
  ])("%s is binary", (_name, value) => {
    expect(isBinary(value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["undefined", undefined],
    ["string", "abc"],
    ["number", 1],
    ["array of bytes", [1, 2]],
    ["plain object", { byteLength: 1, buffer: new ArrayBuffer(1) }],
    ["serialized Buffer", { type: "Buffer", data: [1] }],
    ["Date", new Date()],
  ])("%s is not binary", (_name, value) => {
    expect(isBinary(value)).toBe(false);
  });
});

describe("hasBinary", () => {
  it("finds binary at the top, in arrays and in objects", () => {
    expect(hasBinary(Buffer.from([1]))).toBe(true);
    expect(hasBinary(["a", 1, new Uint8Array(1)])).toBe(true);
    expect(hasBinary({ a: { b: [{ c: new ArrayBuffer(1) }] } })).toBe(true);
    expect(hasBinary([[[[new DataView(new ArrayBuffer(1))]]]])).toBe(true);
  });

  it("is false for JSON-only data", () => {
    expect(hasBinary(null)).toBe(false);
    expect(hasBinary(undefined)).toBe(false);
    expect(hasBinary("str")).toBe(false);
    expect(hasBinary(["a", 1, null, { b: [true, "x"] }, []])).toBe(false);
    expect(hasBinary(new Date())).toBe(false);
    expect(hasBinary(new Map([["k", Buffer.from([1])]]))).toBe(false); // JSON-serialized as {}
  });

  it("ignores inherited properties", () => {
    const proto = { inherited: Buffer.from([1]) };
    expect(hasBinary(Object.create(proto))).toBe(false);
  });

  it("looks through toJSON once", () => {
    expect(hasBinary({ toJSON: () => Buffer.from([1]) })).toBe(true);
    expect(hasBinary({ toJSON: () => ({ deep: [new Uint8Array(1)] }) })).toBe(true);
    // the toJSON result hides the original members, as JSON.stringify does
    expect(hasBinary({ b: Buffer.from([1]), toJSON: () => "plain" })).toBe(false);
    // the toJSON of the result itself is not called again (JSON.stringify does not either)
    const nested = { toJSON: () => ({ b: Buffer.from([1]), toJSON: () => "x" }) };
    expect(hasBinary(nested)).toBe(true);
  });

  it("calls toJSON of values nested in the toJSON result", () => {
    const inner = { toJSON: () => [Buffer.from([1])] };
    expect(hasBinary({ toJSON: () => ({ inner }) })).toBe(true);
  });

  it("does not walk into a Buffer's elements or call Buffer#toJSON", () => {
    const buf = Buffer.alloc(1 << 20);
    const spy = jest.spyOn(buf, "toJSON");
    expect(hasBinary(["big", buf])).toBe(true);
    expect(spy).not.toHaveBeenCalled();
  });

  it("stops at the first binary value", () => {
    let reads = 0;
    const tail = {
      get value() {
        reads++;
        return 1;
      },
    };
    expect(hasBinary([Buffer.from([1]), tail])).toBe(true);
    expect(reads).toBe(0);
  });

  it("handles sparse and large arrays", () => {
    const sparse: unknown[] = [];
    sparse[1000] = new Uint8Array(1);
    expect(hasBinary(sparse)).toBe(true);
    expect(hasBinary(new Array(1_000_000).fill("x"))).toBe(false);
  });
});

describe("deconstructPacket", () => {
  it("replaces binary values with numbered placeholders and counts them", () => {
    const a = Buffer.from([1]);
    const b = new Uint8Array([2]);
    const packet: Packet = {
      type: PacketType.BINARY_EVENT,
      nsp: "/x",
      id: 3,
      data: ["e", a, { b }],
    };
    const { packet: out, buffers } = deconstructPacket(packet);
    expect(out).toStrictEqual({
      type: PacketType.BINARY_EVENT,
      attachments: 2,
      nsp: "/x",
      id: 3,
      data: ["e", { _placeholder: true, num: 0 }, { b: { _placeholder: true, num: 1 } }],
    });
    expect(buffers).toEqual([a, Buffer.from([2])]);
    expect(buffers[0]).toBe(a);
  });

  it("copies plain members and leaves primitives and Dates as they are", () => {
    const date = new Date(0);
    const fn = () => 1;
    const { packet } = deconstructPacket({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["e", 0, "", false, null, undefined, date, fn, { n: 1 }],
    });
    expect(packet.data).toEqual(["e", 0, "", false, null, undefined, date, fn, { n: 1 }]);
    expect(packet.data[6]).toBe(date);
  });

  it("takes only own enumerable properties", () => {
    const value = Object.create({ inherited: 1 });
    value.own = Buffer.from([1]);
    Object.defineProperty(value, "hidden", { value: 2, enumerable: false });
    const { packet } = deconstructPacket({ type: PacketType.EVENT, nsp: "/", data: ["e", value] });
    expect(packet.data[1]).toStrictEqual({ own: { _placeholder: true, num: 0 } });
  });

  it("has no attachments for JSON-only data", () => {
    const { packet, buffers } = deconstructPacket({ type: PacketType.ACK, nsp: "/", data: [1] });
    expect(buffers).toEqual([]);
    expect(packet.attachments).toBe(0);
  });
});

describe("reconstructPacket", () => {
  it("puts buffers back in place, in place, and removes attachments", () => {
    const a = Buffer.from([1]);
    const data = [
      "e",
      { _placeholder: true, num: 0 },
      { nested: [{ _placeholder: true, num: 0 }] },
    ];
    const packet: Packet = { type: PacketType.EVENT, nsp: "/", attachments: 1, data };
    const out = reconstructPacket(packet, [a]);
    expect(out).toBe(packet);
    expect(out.data).toBe(data);
    expect(out).toStrictEqual({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["e", a, { nested: [a] }],
    });
  });

  it("replaces a placeholder that is the whole data", () => {
    const a = Buffer.from([1]);
    const packet = reconstructPacket(
      { type: PacketType.ACK, nsp: "/", data: { _placeholder: true, num: 0 } },
      [a],
    );
    expect(packet.data).toBe(a);
  });

  it("throws SIO_ERR_ILLEGAL_ATTACHMENTS for a placeholder out of range", () => {
    let err: unknown;
    try {
      reconstructPacket(
        { type: PacketType.EVENT, nsp: "/", data: [{ _placeholder: true, num: 1 }] },
        [Buffer.from([1])],
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SocketkitError);
    expect(err).toMatchObject({
      code: "SIO_ERR_ILLEGAL_ATTACHMENTS",
      message: "illegal attachments",
    });
  });

  it("round-trips with deconstructPacket", () => {
    const data = ["e", { a: [Buffer.from([1]), "x"], b: Buffer.from([2]) }, 3];
    const { packet, buffers } = deconstructPacket({ type: PacketType.EVENT, nsp: "/", data });
    const restored = reconstructPacket(JSON.parse(JSON.stringify(packet)), buffers);
    expect(restored.data).toEqual(data);
  });
});

describe("RESERVED_EVENTS", () => {
  it("lists socket.io-parser's reserved names", () => {
    expect([...RESERVED_EVENTS].sort()).toEqual(
      [
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
      ].sort(),
    );
  });
});

describe("isPacketValid", () => {
  it.each<[Packet, boolean]>([
    [{ type: PacketType.CONNECT, nsp: "/" }, true],
    [{ type: PacketType.CONNECT, nsp: "/", data: { a: 1 } }, true],
    [{ type: PacketType.CONNECT, nsp: "/", data: [] }, false],
    [{ type: PacketType.DISCONNECT, nsp: "/a" }, true],
    [{ type: PacketType.DISCONNECT, nsp: "/a", data: {} }, false],
    [{ type: PacketType.EVENT, nsp: "/", data: ["e"] }, true],
    [{ type: PacketType.EVENT, nsp: "/", data: [1] }, true],
    [{ type: PacketType.EVENT, nsp: "/", id: 1, data: ["e"] }, true],
    [{ type: PacketType.EVENT, nsp: "/", id: 1.5, data: ["e"] }, false],
    [{ type: PacketType.EVENT, nsp: "/", data: ["disconnect"] }, false],
    [{ type: PacketType.EVENT, nsp: "/", data: [] }, false],
    [{ type: PacketType.EVENT, nsp: "/" }, false],
    [{ type: PacketType.EVENT, nsp: 1 as unknown as string, data: ["e"] }, false],
    [{ type: PacketType.ACK, nsp: "/", id: 1, data: [] }, true],
    [{ type: PacketType.ACK, nsp: "/", id: 1 }, false],
    [{ type: PacketType.CONNECT_ERROR, nsp: "/", data: "no" }, true],
    [{ type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "no" } }, true],
    [{ type: PacketType.CONNECT_ERROR, nsp: "/" }, false],
    [{ type: PacketType.BINARY_EVENT, nsp: "/", data: ["e"] }, false],
    [{ type: 9 as PacketType, nsp: "/" }, false],
  ])("%j -> %s", (packet, valid) => {
    expect(isPacketValid(packet)).toBe(valid);
  });
});
