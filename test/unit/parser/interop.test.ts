/**
 * Cross-checks against the official socket.io-parser (installed with socket.io): same wire
 * output, each side decodes the other's output, same errors for malformed input; and the few
 * deliberate differences, pinned down.
 */
import * as official from "socket.io-parser";
import {
  Decoder,
  Encoder,
  PacketType,
  type EncodedPacket,
  type Packet,
} from "../../../core/parser";

function ourDecode(chunks: unknown[]): Packet[] {
  const decoder = new Decoder();
  const out: Packet[] = [];
  decoder.on("decoded", (packet) => out.push(packet));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

function officialDecode(chunks: unknown[]): Packet[] {
  const decoder = new official.Decoder();
  const out: Packet[] = [];
  decoder.on("decoded", (packet) => out.push(packet as Packet));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

/** Binary chunks as bytes, so a Buffer and an ArrayBuffer with the same content compare equal. */
function normalize(chunks: unknown[]): unknown[] {
  return chunks.map((chunk) => {
    if (typeof chunk === "string") return chunk;
    if (chunk instanceof ArrayBuffer) return Buffer.from(chunk);
    const view = chunk as ArrayBufferView;
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  });
}

/** What a receiver gets for a packet: binary values arrive as Buffers. */
function asReceived(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asReceived);
  if (value && typeof value === "object") {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return asReceived(toJSON.call(value));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asReceived(v)]));
  }
  return value;
}

const packets: [string, () => Packet][] = [
  ["CONNECT /", () => ({ type: PacketType.CONNECT, nsp: "/" })],
  ["CONNECT /admin with auth", () => ({ type: PacketType.CONNECT, nsp: "/admin", data: { t: 1 } })],
  ["DISCONNECT /admin", () => ({ type: PacketType.DISCONNECT, nsp: "/admin" })],
  ["EVENT", () => ({ type: PacketType.EVENT, nsp: "/", data: ["hello", "wörld", 1, null, true] })],
  [
    "EVENT nsp + id",
    () => ({ type: PacketType.EVENT, nsp: "/chat", id: 42, data: ["m", { a: [1] }] }),
  ],
  ["EVENT numeric name", () => ({ type: PacketType.EVENT, nsp: "/", data: [7, "x"] })],
  [
    "EVENT with Date",
    () => ({ type: PacketType.EVENT, nsp: "/", data: ["d", new Date(86400000)] }),
  ],
  ["ACK empty", () => ({ type: PacketType.ACK, nsp: "/", id: 0, data: [] })],
  ["ACK nsp", () => ({ type: PacketType.ACK, nsp: "/a/b", id: 99999, data: [{ ok: true }] })],
  [
    "CONNECT_ERROR object",
    () => ({ type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "x" } }),
  ],
  ["CONNECT_ERROR string", () => ({ type: PacketType.CONNECT_ERROR, nsp: "/x", data: "nope" })],
  ["EVENT Buffer", () => ({ type: PacketType.EVENT, nsp: "/", data: ["b", Buffer.from([1, 2])] })],
  [
    "EVENT nested binary",
    () => ({
      type: PacketType.EVENT,
      nsp: "/files",
      id: 3,
      data: [
        "up",
        { a: [new Uint8Array([1]).buffer, { b: new Uint8Array([2, 3]) }] },
        new DataView(new Uint8Array([4, 5, 6]).buffer, 1, 2),
        "tail",
      ],
    }),
  ],
  [
    "EVENT toJSON with binary",
    () => ({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["j", { toJSON: () => ({ x: Buffer.from("x") }) }],
    }),
  ],
  [
    "EVENT Date next to binary",
    () => ({ type: PacketType.EVENT, nsp: "/", data: ["d", new Date(0), Buffer.from([9])] }),
  ],
  ["ACK binary", () => ({ type: PacketType.ACK, nsp: "/admin", id: 7, data: [Buffer.from("ok")] })],
  [
    "ACK many attachments",
    () => ({
      type: PacketType.ACK,
      nsp: "/",
      id: 1,
      data: Array.from({ length: 10 }, (_, i) => Buffer.from([i])),
    }),
  ],
];

describe("interop: encoding", () => {
  it.each(packets)("%s: same wire output as socket.io-parser", (_name, make) => {
    const ours = new Encoder().encode(make());
    const theirs = new official.Encoder().encode(make());
    expect(normalize(ours)).toEqual(normalize(theirs));
  });

  it("same output with a replacer", () => {
    const replacer = (key: string, value: unknown) => (key === "secret" ? "***" : value);
    const packet = () => ({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["r", { secret: 1, b: Buffer.from([1]) }],
    });
    expect(normalize(new Encoder(replacer).encode(packet()))).toEqual(
      normalize(new official.Encoder(replacer).encode(packet())),
    );
  });
});

describe("interop: flat binary arrays (encoded without the placeholder copy)", () => {
  // values JSON writes differently from what they are (-0, NaN, undefined, holes): same bytes
  const edgy: [string, () => Packet][] = [
    [
      "EVENT flat: primitives and binary side by side",
      () => ({
        type: PacketType.EVENT,
        nsp: "/x",
        id: 12,
        data: [
          "f",
          'q"\\\u2028\ud800',
          -0,
          NaN,
          Infinity,
          1.5e300,
          false,
          null,
          undefined,
          new Uint16Array([1, 2]),
          new ArrayBuffer(3),
          Buffer.from("z"),
        ],
      }),
    ],
    [
      "ACK flat with a hole",
      () => ({ type: PacketType.ACK, nsp: "/", id: 4, data: [, Buffer.alloc(0)] }),
    ],
  ];
  it.each(edgy)("%s: same wire output as socket.io-parser", (_name, make) => {
    expect(normalize(new Encoder().encode(make()))).toEqual(
      normalize(new official.Encoder().encode(make())),
    );
  });

  // random arrays of primitives and binary values: the same bytes as socket.io-parser's
  const pick = (seed: number): unknown => {
    switch (seed % 9) {
      case 0:
        return Buffer.from([seed & 255]);
      case 1:
        return "s" + seed + (seed % 2 ? '\n"' : "é");
      case 2:
        return seed / 7;
      case 3:
        return seed % 2 === 0;
      case 4:
        return null;
      case 5:
        return undefined;
      case 6:
        return new Uint8Array([1, seed & 255]).buffer;
      case 7:
        return new Float32Array([seed]);
      default:
        return -seed;
    }
  };
  it("200 random flat arrays", () => {
    let seed = 1;
    for (let n = 0; n < 200; n++) {
      const data: unknown[] = [];
      const length = n % 7;
      for (let i = 0; i < length; i++) data.push(pick((seed = (seed * 48271) % 2147483647)));
      const make = (): Packet => ({
        type: n % 2 ? PacketType.EVENT : PacketType.ACK,
        nsp: n % 3 ? "/" : "/n",
        id: n % 4 ? n : undefined,
        data: data.slice(),
      });
      const ours = new Encoder().encode(make());
      expect(normalize(ours)).toEqual(normalize(new official.Encoder().encode(make())));
      // and what the general path (forced by a replacer that changes nothing) writes
      expect(normalize(ours)).toEqual(normalize(new Encoder((_k, v) => v).encode(make())));
    }
  });
});

describe("interop: decoding each other's output", () => {
  it.each(packets)("%s: socket.io-parser decodes ours", (_name, make) => {
    const chunks: EncodedPacket[] = new Encoder().encode(make());
    expect(officialDecode(chunks)).toStrictEqual([asReceived(make())]);
  });

  it.each(packets)("%s: we decode socket.io-parser's", (_name, make) => {
    const chunks = normalize(new official.Encoder().encode(make()));
    expect(ourDecode(chunks)).toStrictEqual([asReceived(make())]);
  });

  it.each([
    "0",
    "0/admin,",
    '0{"token":"x"}',
    "1/admin,",
    '2["a"]',
    '2/admin,12["a",{"b":[1,2]}]',
    '20["a"]',
    '2[1,"x"]',
    '2["Connect"]',
    '31["connect"]',
    "3/admin,456[]",
    '4{"message":"m","data":{"x":1}}',
    '4"str"',
    // accepted quirks shared with socket.io-parser
    "2",
    "4",
    "3/x,5",
    "0/admin",
    '2/admin["a"]',
    "0123",
    '2007["a"]',
    '29007199254740991["a"]',
  ])("%j decodes as socket.io-parser decodes it", (wire) => {
    expect(ourDecode([wire])).toStrictEqual(officialDecode([wire]));
  });

  it("binary packets decode alike", () => {
    const buf = Buffer.from([1, 2]);
    const chunks = [
      '52-/x,4["b",{"k":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":0}]',
      buf,
      buf,
    ];
    expect(ourDecode(chunks)).toStrictEqual(officialDecode(chunks));
  });
});

describe("interop: same errors as socket.io-parser", () => {
  const PH0 = '{"_placeholder":true,"num":0}';
  const buf = Buffer.from([1]);

  it.each<[string, unknown[]]>([
    ["unknown type 7", ["7"]],
    ["unknown type letter", ["x"]],
    ["empty attachment count", ['5-["a"]']],
    ["zero attachments", ['50-["a"]']],
    ["non-numeric attachments", ['5a-["a"]']],
    ["fractional attachments", ['51.5-["a"]']],
    ["no dash", ['51["a"]']],
    ["too many attachments", [`511-["a",${PH0}]`]],
    ["huge attachment count", ["5999999999-[]"]],
    ["invalid JSON", ['2["a"']],
    ["trailing garbage", ['2["a"]x']],
    ["reserved name", ['2["disconnect"]']],
    ["reserved name, binary", [`51-["connect",${PH0}]`]],
    ["empty event", ["2[]"]],
    ["object event", ["2{}"]],
    ["CONNECT array", ["0[]"]],
    ["CONNECT null", ["0null"]],
    ["DISCONNECT with data", ["1{}"]],
    ["CONNECT_ERROR array", ["4[]"]],
    ["ACK object", ["3{}"]],
    ["placeholder out of range", [`51-["a",{"_placeholder":true,"num":1}]`, buf]],
    ["negative placeholder", [`51-["a",{"_placeholder":true,"num":-1}]`, buf]],
    ["string placeholder", [`51-["a",{"_placeholder":true,"num":"0"}]`, buf]],
    ["binary first", [buf]],
    ["string while reconstructing", [`52-["a",${PH0}]`, buf, '2["b"]']],
    ["unknown chunk", [42]],
  ])("%s", (_name, chunks) => {
    const messageOf = (decode: (c: unknown[]) => unknown) => {
      try {
        decode(chunks);
      } catch (err) {
        return (err as Error).message;
      }
      return "no error";
    };
    const theirs = messageOf(officialDecode);
    expect(theirs).not.toBe("no error");
    expect(messageOf(ourDecode)).toBe(theirs);
  });
});

describe("interop: deliberate differences (stricter than socket.io-parser)", () => {
  const PH0 = '{"_placeholder":true,"num":0}';

  function ourError(chunks: unknown[]): string {
    try {
      ourDecode(chunks);
    } catch (err) {
      return (err as Error).message;
    }
    return "no error";
  }

  it('"" and leading whitespace: socket.io-parser reads type 0 (CONNECT), we refuse', () => {
    for (const wire of ["", " ", "\t2"]) {
      expect(officialDecode([wire])[0]!.type).toBe(PacketType.CONNECT);
      expect(ourError([wire])).toBe("unknown packet type NaN");
    }
  });

  it("whitespace before the data: socket.io-parser reads it as ack id 0, we as JSON whitespace", () => {
    expect(officialDecode(['2 ["a"]'])).toStrictEqual([
      { type: PacketType.EVENT, nsp: "/", id: 0, data: ["a"] },
    ]);
    expect(ourDecode(['2 ["a"]'])).toStrictEqual([
      { type: PacketType.EVENT, nsp: "/", data: ["a"] },
    ]);
  });

  it("attachment counts must be plain digits (no exponent, spaces or sign)", () => {
    for (const wire of [`51e0-["a",${PH0}]`, `5 1-["a",${PH0}]`, `51.0-["a",${PH0}]`]) {
      expect(officialDecode([wire, Buffer.from([1])])).toHaveLength(1);
      expect(ourError([wire])).toBe("Illegal attachments");
    }
  });

  it("placeholder num must be an integer (socket.io-parser puts undefined for 0.5)", () => {
    const chunks = ['51-["a",{"_placeholder":true,"num":0.5}]', Buffer.from([1])];
    expect(officialDecode(chunks)[0]!.data).toEqual(["a", undefined]);
    expect(ourError(chunks)).toBe("illegal attachments");
  });

  it("ack ids must be safe integers (socket.io-parser rounds them)", () => {
    const wire = '212345678901234567890["a"]';
    expect(officialDecode([wire])[0]!.id).toBe(12345678901234567000);
    expect(ourError([wire])).toBe("invalid ack id");
  });

  it("after an error the partial binary packet is dropped (socket.io-parser keeps it)", () => {
    const theirs = new official.Decoder();
    const ours = new Decoder();
    const got: unknown[] = [];
    theirs.on("decoded", (p) => got.push(p));
    for (const decoder of [theirs, ours]) {
      decoder.add(`51-["a",${PH0}]`);
      expect(() => decoder.add('2["b"]')).toThrow(
        "got plaintext data when reconstructing a packet",
      );
    }
    theirs.add(Buffer.from([1]));
    expect(got).toHaveLength(1); // the stale packet completes
    expect(() => ours.add(Buffer.from([1]))).toThrow(
      "got binary data when not reconstructing a packet",
    );
  });
});
