import {
  Decoder,
  DEFAULT_MAX_ATTACHMENTS,
  Encoder,
  PacketType,
  protocol,
  type DecoderOptions,
  type JsonReviver,
  type Packet,
} from "../../../core/parser";
import * as parserModule from "../../../core/parser";
import type { Parser } from "../../../core/types";

/** Feeds the chunks to a fresh decoder and returns what it emitted. */
function decode(chunks: unknown[], opts?: DecoderOptions | JsonReviver): Packet[] {
  const decoder = new Decoder(opts);
  const out: Packet[] = [];
  decoder.on("decoded", (packet) => out.push(packet));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

function decodeOne(wire: string): Packet {
  const out = decode([wire]);
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe("Decoder: string packets", () => {
  it("implements protocol 5", () => {
    expect(protocol).toBe(5);
  });

  it.each<[string, Packet]>([
    ["0", { type: PacketType.CONNECT, nsp: "/" }],
    ["0/admin,", { type: PacketType.CONNECT, nsp: "/admin" }],
    ['0{"token":"123"}', { type: PacketType.CONNECT, nsp: "/", data: { token: "123" } }],
    [
      '0/admin,{"token":"123"}',
      { type: PacketType.CONNECT, nsp: "/admin", data: { token: "123" } },
    ],
    ["1", { type: PacketType.DISCONNECT, nsp: "/" }],
    ["1/admin,", { type: PacketType.DISCONNECT, nsp: "/admin" }],
    ['2["hello",1]', { type: PacketType.EVENT, nsp: "/", data: ["hello", 1] }],
    [
      '2/admin,456["project:delete",123]',
      { type: PacketType.EVENT, nsp: "/admin", id: 456, data: ["project:delete", 123] },
    ],
    ['20["a"]', { type: PacketType.EVENT, nsp: "/", id: 0, data: ["a"] }],
    ['2[42,{"a":null}]', { type: PacketType.EVENT, nsp: "/", data: [42, { a: null }] }],
    ['31["ok"]', { type: PacketType.ACK, nsp: "/", id: 1, data: ["ok"] }],
    ["3/admin,456[]", { type: PacketType.ACK, nsp: "/admin", id: 456, data: [] }],
    [
      '4/admin,{"message":"Not authorized"}',
      { type: PacketType.CONNECT_ERROR, nsp: "/admin", data: { message: "Not authorized" } },
    ],
    [
      '4"Invalid namespace"',
      { type: PacketType.CONNECT_ERROR, nsp: "/", data: "Invalid namespace" },
    ],
    ['2["msg","é€😀\\"\\\\\\n"]', { type: PacketType.EVENT, nsp: "/", data: ["msg", 'é€😀"\\\n'] }],
    ['2/a/b-c_d,["x"]', { type: PacketType.EVENT, nsp: "/a/b-c_d", data: ["x"] }],
    ['2007["a"]', { type: PacketType.EVENT, nsp: "/", id: 7, data: ["a"] }],
    [
      '29007199254740991["a"]',
      { type: PacketType.EVENT, nsp: "/", id: 9007199254740991, data: ["a"] },
    ],
  ])("%s", (wire, expected) => {
    expect(decodeOne(wire)).toStrictEqual(expected);
  });

  it("emits packets without keys for absent id and data", () => {
    const packet = decodeOne("0/admin,");
    expect(Object.keys(packet)).toEqual(["type", "nsp"]);
  });

  it("accepts a packet without payload for every type, as socket.io-parser does", () => {
    expect(decodeOne("2")).toStrictEqual({ type: PacketType.EVENT, nsp: "/" });
    expect(decodeOne("3/admin,12")).toStrictEqual({ type: PacketType.ACK, nsp: "/admin", id: 12 });
    expect(decodeOne("4")).toStrictEqual({ type: PacketType.CONNECT_ERROR, nsp: "/" });
  });

  it("reads the namespace up to the end when there is no comma, as socket.io-parser does", () => {
    expect(decodeOne("0/admin")).toStrictEqual({ type: PacketType.CONNECT, nsp: "/admin" });
    // the JSON is swallowed by the namespace: same as socket.io-parser
    expect(decodeOne('2/admin["a"]')).toStrictEqual({ type: PacketType.EVENT, nsp: '/admin["a"]' });
  });

  it("keeps an ack id on any packet type, as socket.io-parser does", () => {
    expect(decodeOne("0123")).toStrictEqual({ type: PacketType.CONNECT, nsp: "/", id: 123 });
  });

  it("keeps the event name of an ACK free (reserved names only matter for EVENT)", () => {
    expect(decodeOne('31["connect"]').data).toEqual(["connect"]);
  });

  it("accepts names that only look like reserved ones", () => {
    expect(decodeOne('2["Connect"]').data).toEqual(["Connect"]);
    expect(decodeOne('2["connect "]').data).toEqual(["connect "]);
    expect(decodeOne('2["disconnected"]').data).toEqual(["disconnected"]);
  });

  it("passes the reviver to JSON.parse (as an option or as the only argument)", () => {
    const reviver: JsonReviver = (key, value) => (key === "at" ? new Date(value) : value);
    const wire = '2["e",{"at":"2020-01-01T00:00:00.000Z"}]';
    for (const opts of [reviver, { reviver }]) {
      const [packet] = decode([wire], opts);
      expect(packet!.data[1].at).toEqual(new Date("2020-01-01T00:00:00.000Z"));
    }
  });

  it("decodes several packets in a row", () => {
    expect(decode(['2["a"]', "0/x,", '31["b"]'])).toStrictEqual([
      { type: PacketType.EVENT, nsp: "/", data: ["a"] },
      { type: PacketType.CONNECT, nsp: "/x" },
      { type: PacketType.ACK, nsp: "/", id: 1, data: ["b"] },
    ]);
  });
});

describe("Decoder: binary packets", () => {
  it("waits for the attachments, then emits an EVENT with the buffers in place", () => {
    const decoder = new Decoder();
    const out: Packet[] = [];
    decoder.on("decoded", (packet) => out.push(packet));
    const a = Buffer.from([1]);
    const b = Buffer.from([2, 3]);
    decoder.add(
      '52-/files,9["upload",{"a":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":0}]',
    );
    expect(out).toHaveLength(0);
    decoder.add(a);
    expect(out).toHaveLength(0);
    decoder.add(b);
    expect(out).toStrictEqual([
      { type: PacketType.EVENT, nsp: "/files", id: 9, data: ["upload", { a: b }, a] },
    ]);
    expect(out[0]!.data[2]).toBe(a);
    expect("attachments" in out[0]!).toBe(false);
  });

  it("emits a BINARY_ACK as an ACK", () => {
    const buf = Buffer.from("x");
    const out = decode(['61-/admin,456[{"_placeholder":true,"num":0}]', buf]);
    expect(out).toStrictEqual([{ type: PacketType.ACK, nsp: "/admin", id: 456, data: [buf] }]);
  });

  it("takes ArrayBuffer, typed array and DataView chunks as they come", () => {
    const ab = new Uint8Array([1]).buffer;
    const u8 = new Uint8Array([2]);
    const dv = new DataView(new ArrayBuffer(1));
    const placeholders = [0, 1, 2].map((n) => `{"_placeholder":true,"num":${n}}`).join(",");
    const out = decode([`53-["bin",${placeholders}]`, ab, u8, dv]);
    expect(out[0]!.data[1]).toBe(ab);
    expect(out[0]!.data[2]).toBe(u8);
    expect(out[0]!.data[3]).toBe(dv);
  });

  it("takes {base64} chunks as attachments, as socket.io-parser does", () => {
    const chunk = { base64: true, data: "AQ==" };
    const out = decode(['51-["b",{"_placeholder":true,"num":0}]', chunk]);
    expect(out[0]!.data[1]).toBe(chunk);
  });

  it("lets unreferenced attachments and repeated placeholders through", () => {
    const a = Buffer.from([1]);
    const b = Buffer.from([2]);
    const wire = '52-["r",{"_placeholder":true,"num":1},{"_placeholder":true,"num":1}]';
    expect(decode([wire, a, b])[0]!.data).toEqual(["r", b, b]);
  });

  it("only treats _placeholder: true as a placeholder", () => {
    const buf = Buffer.from([1]);
    const wire =
      '51-["p",{"_placeholder":"true","num":0},{"_placeholder":false},{"_placeholder":true,"num":0}]';
    expect(decode([wire, buf])[0]!.data).toEqual([
      "p",
      { _placeholder: "true", num: 0 },
      { _placeholder: false },
      buf,
    ]);
  });

  it("reconstructs placeholders deep inside the data", () => {
    let json = '{"_placeholder":true,"num":0}';
    for (let i = 0; i < 50; i++) json = i % 2 ? `[${json}]` : `{"k":${json}}`;
    const buf = Buffer.from([1]);
    let value: any = decode([`51-["deep",${json}]`, buf])[0]!.data[1];
    for (let i = 49; i >= 0; i--) value = i % 2 ? value[0] : value.k;
    expect(value).toBe(buf);
  });

  it("does not overflow the stack on very deep data", () => {
    const depth = 200_000;
    const wire = '51-["deep",' + "[".repeat(depth) + "]".repeat(depth) + "]";
    const buf = Buffer.from([1]);
    expect(() => decode([wire, buf])).not.toThrow();
  });

  it("applies the reviver before the attachments are put back", () => {
    const seen: unknown[] = [];
    const reviver: JsonReviver = (key, value) => {
      if (key === "num") seen.push(value);
      return value;
    };
    const buf = Buffer.from([1]);
    const out = decode(['51-["r",{"_placeholder":true,"num":0}]', buf], { reviver });
    expect(seen).toEqual([0]);
    expect(out[0]!.data[1]).toBe(buf);
  });

  it("accepts up to maxAttachments (10 by default)", () => {
    expect(DEFAULT_MAX_ATTACHMENTS).toBe(10);
    const placeholders = Array.from({ length: 10 }, (_, n) => `{"_placeholder":true,"num":${n}}`);
    const buffers = Array.from({ length: 10 }, (_, n) => Buffer.from([n]));
    const out = decode([`510-["ten",${placeholders.join(",")}]`, ...buffers]);
    expect(out[0]!.data.slice(1)).toEqual(buffers);
  });

  it("accepts a custom maxAttachments, including Infinity", () => {
    const placeholders = Array.from({ length: 12 }, (_, n) => `{"_placeholder":true,"num":${n}}`);
    const buffers = Array.from({ length: 12 }, (_, n) => Buffer.from([n]));
    const wire = `512-["twelve",${placeholders.join(",")}]`;
    expect(decode([wire, ...buffers], { maxAttachments: 12 })).toHaveLength(1);
    expect(decode([wire, ...buffers], { maxAttachments: Infinity })).toHaveLength(1);
  });

  it("accepts leading zeros in the attachment count", () => {
    const buf = Buffer.from([1]);
    expect(decode(['501-["z",{"_placeholder":true,"num":0}]', buf])[0]!.data).toEqual(["z", buf]);
  });

  it("starts afresh after a binary packet", () => {
    const buf = Buffer.from([1]);
    const out = decode(['51-["a",{"_placeholder":true,"num":0}]', buf, '2["b"]']);
    expect(out.map((p) => p.data[0])).toEqual(["a", "b"]);
  });
});

describe("Decoder: lifecycle", () => {
  it("the module has the Parser shape the server's `parser` option takes", () => {
    const parser: Parser = parserModule;
    expect(new parser.Decoder()).toBeInstanceOf(Decoder);
    expect(new parser.Encoder()).toBeInstanceOf(Encoder);
  });

  it("is a node EventEmitter with socket.io-parser's add/destroy shape", () => {
    const decoder = new Decoder();
    expect(typeof decoder.add).toBe("function");
    expect(typeof decoder.destroy).toBe("function");
    expect(decoder.removeAllListeners("decoded")).toBe(decoder);
  });

  it("drops a partial binary packet on destroy()", () => {
    const decoder = new Decoder();
    const out: Packet[] = [];
    decoder.on("decoded", (packet) => out.push(packet));
    decoder.add('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    decoder.add(Buffer.from([1]));
    decoder.destroy();
    // no longer reconstructing: a binary chunk is unexpected, a string decodes normally
    expect(() => decoder.add(Buffer.from([2]))).toThrow(
      "got binary data when not reconstructing a packet",
    );
    decoder.add('2["b"]');
    expect(out).toStrictEqual([{ type: PacketType.EVENT, nsp: "/", data: ["b"] }]);
  });

  it("can be destroyed twice and when idle", () => {
    const decoder = new Decoder();
    const out: Packet[] = [];
    decoder.on("decoded", (packet: Packet) => out.push(packet));
    decoder.destroy();
    decoder.destroy();
    decoder.add("0");
    // still usable afterwards, as socket.io-parser's decoder is
    expect(out).toStrictEqual([{ type: PacketType.CONNECT, nsp: "/" }]);
  });

  it("lets a listener's error through, with the decoder left idle", () => {
    const decoder = new Decoder();
    decoder.on("decoded", () => {
      throw new Error("listener failed");
    });
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    expect(() => decoder.add(Buffer.from([1]))).toThrow("listener failed");
    expect(() => decoder.add(Buffer.from([1]))).toThrow(
      "got binary data when not reconstructing a packet",
    );
  });
});

describe("Encoder -> Decoder round trips", () => {
  const encoder = new Encoder();

  function roundTrip(packet: Packet): Packet {
    const out = decode(encoder.encode(packet));
    expect(out).toHaveLength(1);
    return out[0]!;
  }

  it.each<[string, Packet]>([
    ["CONNECT", { type: PacketType.CONNECT, nsp: "/" }],
    ["CONNECT with auth", { type: PacketType.CONNECT, nsp: "/a", data: { token: "t", n: 1 } }],
    ["DISCONNECT", { type: PacketType.DISCONNECT, nsp: "/a" }],
    ["EVENT", { type: PacketType.EVENT, nsp: "/", data: ["e", 1, "two", { three: [3] }, null] }],
    ["EVENT with id", { type: PacketType.EVENT, nsp: "/chat", id: 123456, data: ["e"] }],
    ["EVENT with numeric name", { type: PacketType.EVENT, nsp: "/", data: [1, 2] }],
    ["ACK", { type: PacketType.ACK, nsp: "/chat", id: 0, data: [] }],
    [
      "CONNECT_ERROR",
      { type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "no", data: 1 } },
    ],
    ["CONNECT_ERROR string", { type: PacketType.CONNECT_ERROR, nsp: "/x", data: "bad" }],
  ])("%s", (_name, packet) => {
    expect(roundTrip(packet)).toStrictEqual(packet);
  });

  it("round-trips binary EVENT and ACK packets (buffers come back as Buffers)", () => {
    const ab = new Uint8Array([1, 2]).buffer;
    const packet: Packet = {
      type: PacketType.EVENT,
      nsp: "/bin",
      id: 5,
      data: ["bin", { ab, u8: new Uint8Array([3]), buf: Buffer.from([4]) }, [Buffer.from([5])]],
    };
    expect(roundTrip(packet)).toStrictEqual({
      type: PacketType.EVENT,
      nsp: "/bin",
      id: 5,
      data: [
        "bin",
        { ab: Buffer.from([1, 2]), u8: Buffer.from([3]), buf: Buffer.from([4]) },
        [Buffer.from([5])],
      ],
    });
    const ack = roundTrip({ type: PacketType.ACK, nsp: "/", id: 1, data: [Buffer.from("z")] });
    expect(ack).toStrictEqual({ type: PacketType.ACK, nsp: "/", id: 1, data: [Buffer.from("z")] });
  });

  it("round-trips a Date as its ISO string", () => {
    const date = new Date(1234567890123);
    const packet = roundTrip({ type: PacketType.EVENT, nsp: "/", data: ["d", date] });
    expect(packet.data).toEqual(["d", date.toISOString()]);
  });
});
