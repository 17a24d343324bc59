import { Encoder, PacketType, type EncodedPacket, type Packet } from "../../../core/parser";

const encoder = new Encoder();

function encode(packet: Packet): EncodedPacket[] {
  return encoder.encode(packet);
}

describe("Encoder: string packets", () => {
  it.each<[string, Packet, string]>([
    ["CONNECT to /", { type: PacketType.CONNECT, nsp: "/" }, "0"],
    ["CONNECT to /admin", { type: PacketType.CONNECT, nsp: "/admin" }, "0/admin,"],
    [
      "CONNECT with auth",
      { type: PacketType.CONNECT, nsp: "/", data: { token: "123" } },
      '0{"token":"123"}',
    ],
    [
      "CONNECT to /admin with sid",
      { type: PacketType.CONNECT, nsp: "/admin", data: { sid: "oSO0OpakMV_3jnilAAAA" } },
      '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}',
    ],
    ["DISCONNECT from /", { type: PacketType.DISCONNECT, nsp: "/" }, "1"],
    ["DISCONNECT from /admin", { type: PacketType.DISCONNECT, nsp: "/admin" }, "1/admin,"],
    ["EVENT", { type: PacketType.EVENT, nsp: "/", data: ["hello", 1] }, '2["hello",1]'],
    [
      "EVENT with nsp and ack id",
      { type: PacketType.EVENT, nsp: "/admin", id: 456, data: ["project:delete", 123] },
      '2/admin,456["project:delete",123]',
    ],
    ["EVENT with ack id 0", { type: PacketType.EVENT, nsp: "/", id: 0, data: ["a"] }, '20["a"]'],
    [
      "EVENT with a numeric event name",
      { type: PacketType.EVENT, nsp: "/", data: [42, { a: null }] },
      '2[42,{"a":null}]',
    ],
    ["EVENT without data", { type: PacketType.EVENT, nsp: "/" }, "2"],
    ["ACK", { type: PacketType.ACK, nsp: "/", id: 1, data: ["ok"] }, '31["ok"]'],
    [
      "ACK with nsp, empty",
      { type: PacketType.ACK, nsp: "/admin", id: 456, data: [] },
      "3/admin,456[]",
    ],
    [
      "CONNECT_ERROR object",
      { type: PacketType.CONNECT_ERROR, nsp: "/admin", data: { message: "Not authorized" } },
      '4/admin,{"message":"Not authorized"}',
    ],
    [
      "CONNECT_ERROR string (v2 style)",
      { type: PacketType.CONNECT_ERROR, nsp: "/", data: "Invalid namespace" },
      '4"Invalid namespace"',
    ],
    [
      "unicode and escapes",
      { type: PacketType.EVENT, nsp: "/", data: ["msg", 'é€😀"\\\n'] },
      '2["msg","é€😀\\"\\\\\\n"]',
    ],
    [
      "nested namespace with special chars",
      { type: PacketType.EVENT, nsp: "/a/b-c_d", data: ["x"] },
      '2/a/b-c_d,["x"]',
    ],
  ])("%s", (_name, packet, wire) => {
    expect(encode(packet)).toEqual([wire]);
  });

  it('omits an empty nsp like "/"', () => {
    expect(encode({ type: PacketType.EVENT, nsp: "", data: ["a"] })).toEqual(['2["a"]']);
  });

  it("omits null and undefined id and data", () => {
    expect(encode({ type: PacketType.EVENT, nsp: "/", id: undefined, data: null })).toEqual(["2"]);
    expect(
      encode({ type: PacketType.ACK, nsp: "/", id: null as unknown as number, data: [] }),
    ).toEqual(["3[]"]);
  });

  it("serializes a Date as its ISO string", () => {
    const date = new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6));
    expect(encode({ type: PacketType.EVENT, nsp: "/", data: ["d", date] })).toEqual([
      '2["d","2020-01-02T03:04:05.006Z"]',
    ]);
  });

  it("serializes objects with toJSON as JSON.stringify does", () => {
    const value = { toJSON: () => ({ kind: "custom", n: 1 }) };
    expect(encode({ type: PacketType.EVENT, nsp: "/", data: ["v", value] })).toEqual([
      '2["v",{"kind":"custom","n":1}]',
    ]);
  });

  it("drops undefined and function members as JSON.stringify does", () => {
    const data = ["e", { a: undefined, b: () => 1, c: 2 }, undefined];
    expect(encode({ type: PacketType.EVENT, nsp: "/", data })).toEqual(['2["e",{"c":2},null]']);
  });

  it("encodes a CONNECT packet with binary data as JSON (only EVENT/ACK are binary)", () => {
    const out = encode({ type: PacketType.CONNECT, nsp: "/", data: { b: Buffer.from([1]) } });
    expect(out).toEqual(['0{"b":{"type":"Buffer","data":[1]}}']);
  });

  it("passes the replacer to JSON.stringify", () => {
    const replacing = new Encoder((key, value) =>
      typeof value === "bigint" ? value.toString() : key === "secret" ? undefined : value,
    );
    const packet = { type: PacketType.EVENT, nsp: "/", data: ["e", { n: 10n, secret: "x" }] };
    expect(replacing.encode(packet)).toEqual(['2["e",{"n":"10"}]']);
  });
});

describe("Encoder: binary packets", () => {
  it("turns an EVENT with a Buffer into a BINARY_EVENT with one attachment", () => {
    const buf = Buffer.from([1, 2, 3]);
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["hello", buf] });
    expect(out).toHaveLength(2);
    expect(out[0]).toBe('51-["hello",{"_placeholder":true,"num":0}]');
    expect(out[1]).toBe(buf); // no copy
  });

  it("turns an ACK with binary into a BINARY_ACK with nsp and id", () => {
    const buf = Buffer.from("abc");
    const out = encode({ type: PacketType.ACK, nsp: "/admin", id: 456, data: [buf] });
    expect(out).toEqual(['61-/admin,456[{"_placeholder":true,"num":0}]', buf]);
  });

  it("numbers nested attachments in depth-first order", () => {
    const ab = new Uint8Array([1, 2]).buffer;
    const u8 = new Uint8Array([3]);
    const view = new DataView(new Uint8Array([4, 5, 6]).buffer);
    const data = ["upload", { a: [ab, { b: u8 }], c: view, d: "text" }, Buffer.from([7])];
    const out = encode({ type: PacketType.EVENT, nsp: "/files", id: 7, data });
    expect(out[0]).toBe(
      '54-/files,7["upload",{"a":[{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}],' +
        '"c":{"_placeholder":true,"num":2},"d":"text"},{"_placeholder":true,"num":3}]',
    );
    expect(out.slice(1)).toEqual([
      Buffer.from([1, 2]),
      Buffer.from([3]),
      Buffer.from([4, 5, 6]),
      Buffer.from([7]),
    ]);
    for (const chunk of out.slice(1)) expect(Buffer.isBuffer(chunk)).toBe(true);
  });

  it("returns attachments as Buffers sharing the memory of the original views", () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const window = backing.subarray(2, 5);
    const u16 = new Uint16Array([0x0102, 0x0304]);
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["w", window, u16] });
    expect(out[1]).toEqual(Buffer.from([2, 3, 4]));
    expect((out[1] as Buffer).buffer).toBe(backing.buffer);
    expect((out[2] as Buffer).byteLength).toBe(4);
    expect((out[2] as Buffer).buffer).toBe(u16.buffer);
  });

  it("takes a DataView over part of a buffer", () => {
    const ab = new Uint8Array([9, 8, 7, 6]).buffer;
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["dv", new DataView(ab, 1, 2)] });
    expect(out).toEqual(['51-["dv",{"_placeholder":true,"num":0}]', Buffer.from([8, 7])]);
  });

  it("takes an empty buffer as an attachment", () => {
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["e", Buffer.alloc(0)] });
    expect(out).toEqual(['51-["e",{"_placeholder":true,"num":0}]', Buffer.alloc(0)]);
  });

  it("sends the same buffer twice as two attachments", () => {
    const buf = Buffer.from([1]);
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["twice", buf, buf] });
    expect(out[0]).toBe('52-["twice",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    expect(out).toHaveLength(3);
  });

  it("looks through toJSON for binary (and serializes the toJSON result)", () => {
    const value = { secret: 1, toJSON: () => ({ payload: Buffer.from([1]) }) };
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["j", value] });
    expect(out).toEqual(['51-["j",{"payload":{"_placeholder":true,"num":0}}]', Buffer.from([1])]);
  });

  it("keeps a Date as its ISO string inside a binary packet", () => {
    const date = new Date(0);
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["d", date, Buffer.from([1])] });
    expect(out[0]).toBe('51-["d","1970-01-01T00:00:00.000Z",{"_placeholder":true,"num":0}]');
  });

  it("applies the replacer to the binary packet's JSON", () => {
    const replacing = new Encoder((key, value) => (key === "drop" ? undefined : value));
    const out = replacing.encode({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["r", { drop: 1, keep: Buffer.from([5]) }],
    });
    expect(out).toEqual(['51-["r",{"keep":{"_placeholder":true,"num":0}}]', Buffer.from([5])]);
  });

  it("does not mutate the packet or its data", () => {
    const buf = Buffer.from([1]);
    const inner = { b: buf };
    const data = ["m", inner];
    const packet: Packet = { type: PacketType.EVENT, nsp: "/", data };
    encode(packet);
    expect(packet).toEqual({ type: PacketType.EVENT, nsp: "/", data: ["m", { b: buf }] });
    expect(packet.data).toBe(data);
    expect(data[1]).toBe(inner);
    expect(inner.b).toBe(buf);
    expect("attachments" in packet).toBe(false);
  });

  it("returns a single string for a non-binary EVENT", () => {
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["x", { y: [1, 2, 3] }] });
    expect(out).toEqual(['2["x",{"y":[1,2,3]}]']);
  });

  it("encodes a huge array without binary as one string", () => {
    const big = new Array(100_000).fill(1);
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["big", big] });
    expect(out).toHaveLength(1);
    expect((out[0] as string).startsWith('2["big",[1,1,')).toBe(true);
  });

  it("finds one buffer at the end of a huge array", () => {
    const big: unknown[] = new Array(100_000).fill(0);
    big.push(Buffer.from([1]));
    const out = encode({ type: PacketType.EVENT, nsp: "/", data: ["big", big] });
    expect(out).toHaveLength(2);
    expect((out[0] as string).endsWith('0,{"_placeholder":true,"num":0}]]')).toBe(true);
  });
});
