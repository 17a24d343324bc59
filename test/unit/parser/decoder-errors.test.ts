import { SocketkitError, type ErrorCode } from "../../../core/errors";
import { Decoder, PacketType, type DecoderOptions, type Packet } from "../../../core/parser";

/** Runs fn and returns what it threw (failing the test if it did not throw). */
function thrown(fn: () => void): SocketkitError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SocketkitError);
    return err as SocketkitError;
  }
  throw new Error("expected an error");
}

function expectError(chunks: unknown[], code: ErrorCode, message: string, opts?: DecoderOptions) {
  const decoder = new Decoder(opts);
  const decoded: Packet[] = [];
  decoder.on("decoded", (packet) => decoded.push(packet));
  const last = chunks.length - 1;
  for (let i = 0; i < last; i++) decoder.add(chunks[i]);
  const err = thrown(() => decoder.add(chunks[last]));
  expect({ code: err.code, message: err.message }).toEqual({ code, message });
  expect(decoded).toEqual([]);
  return { decoder, err };
}

const PH0 = '{"_placeholder":true,"num":0}';

describe("Decoder errors: packet type", () => {
  it.each([
    ["7", "unknown packet type 7"],
    ['8["a"]', "unknown packet type 8"],
    ["9", "unknown packet type 9"],
    ["a", "unknown packet type NaN"],
    ['x["a"]', "unknown packet type NaN"],
    ["-1", "unknown packet type NaN"],
    ["/admin,", "unknown packet type NaN"],
    ['["a"]', "unknown packet type NaN"],
    // socket.io-parser reads "" and a leading space as type 0 (Number("") === 0): we refuse them
    ["", "unknown packet type NaN"],
    [" 2", "unknown packet type NaN"],
    ["\n", "unknown packet type NaN"],
  ])("%j -> %s", (wire, message) => {
    expectError([wire], "SIO_ERR_INVALID_PACKET", message);
  });
});

describe("Decoder errors: attachment count", () => {
  it.each([
    ['5-["a"]', "empty count"],
    ['50-["a"]', "zero"],
    ['500-["a"]', "zero with leading zeros"],
    ['5a-["a"]', "not a number"],
    ['51.5-["a"]', "not an integer"],
    ['5-1-["a"]', "negative"],
    ['51["a"]', "no dash"],
    ["5", "nothing after the type"],
    ["61", "no dash, end of string"],
    ['5 1-["a"]', "whitespace"],
    ['51e1-["a"]', "exponent"],
    ["6/admin,1-[]", "namespace first"],
  ])("%j (%s) -> Illegal attachments", (wire) => {
    expectError([wire], "SIO_ERR_ILLEGAL_ATTACHMENTS", "Illegal attachments");
  });

  it.each([
    [`511-["a",${PH0}]`, undefined],
    [`5999999999999999999999999999-["a",${PH0}]`, undefined],
    [`53-["a",${PH0}]`, { maxAttachments: 2 }],
    [`51-["a",${PH0}]`, { maxAttachments: 0 }],
  ])("%j with %j -> too many attachments", (wire, opts) => {
    expectError([wire], "SIO_ERR_TOO_MANY_ATTACHMENTS", "too many attachments", opts);
  });

  it("refuses the count before buffering anything", () => {
    const { decoder } = expectError(
      ["611-[]"],
      "SIO_ERR_TOO_MANY_ATTACHMENTS",
      "too many attachments",
    );
    expect(() => decoder.add(Buffer.from([1]))).toThrow(
      "got binary data when not reconstructing a packet",
    );
  });
});

describe("Decoder errors: placeholders", () => {
  const buf = Buffer.from([1]);

  it.each([
    ['{"_placeholder":true,"num":1}', "out of range"],
    ['{"_placeholder":true,"num":-1}', "negative"],
    ['{"_placeholder":true,"num":0.5}', "not an integer"],
    ['{"_placeholder":true,"num":"0"}', "a string"],
    ['{"_placeholder":true,"num":null}', "null"],
    ['{"_placeholder":true}', "missing"],
    ['{"_placeholder":true,"num":1e400}', "infinite"],
    ['{"deep":[{"_placeholder":true,"num":7}]}', "nested and out of range"],
  ])("%s (%s) -> illegal attachments", (placeholder) => {
    expectError(
      [`51-["a",${placeholder}]`, buf],
      "SIO_ERR_ILLEGAL_ATTACHMENTS",
      "illegal attachments",
    );
  });

  it("refuses a placeholder as the whole ACK payload", () => {
    expectError([`61-${PH0}`], "SIO_ERR_INVALID_PAYLOAD", "invalid payload");
  });

  it("leaves the decoder idle after an illegal placeholder", () => {
    const { decoder } = expectError(
      ['51-["a",{"_placeholder":true,"num":3}]', buf],
      "SIO_ERR_ILLEGAL_ATTACHMENTS",
      "illegal attachments",
    );
    expect(() => decoder.add(buf)).toThrow("got binary data when not reconstructing a packet");
    const out: Packet[] = [];
    decoder.on("decoded", (p) => out.push(p));
    decoder.add('2["ok"]');
    expect(out).toEqual([{ type: PacketType.EVENT, nsp: "/", data: ["ok"] }]);
  });
});

describe("Decoder errors: chunk order", () => {
  it.each([
    ["a Buffer", Buffer.from([1])],
    ["an ArrayBuffer", new ArrayBuffer(1)],
    ["a Uint8Array", new Uint8Array(1)],
    ["a DataView", new DataView(new ArrayBuffer(1))],
  ])("refuses %s when no binary packet is pending", (_name, chunk) => {
    expectError(
      [chunk],
      "SIO_ERR_UNEXPECTED_ATTACHMENT",
      "got binary data when not reconstructing a packet",
    );
  });

  it("refuses a binary chunk after a complete non-binary packet", () => {
    const decoder = new Decoder();
    decoder.add('2["a"]');
    const err = thrown(() => decoder.add(Buffer.from([1])));
    expect(err.code).toBe("SIO_ERR_UNEXPECTED_ATTACHMENT");
  });

  it("refuses a string while reconstructing, and drops the partial packet", () => {
    const { decoder } = expectError(
      [`52-["a",${PH0}]`, Buffer.from([1]), '2["b"]'],
      "SIO_ERR_UNEXPECTED_PLAINTEXT",
      "got plaintext data when reconstructing a packet",
    );
    // the buffered attachment is gone: the next binary chunk is unexpected
    expect(() => decoder.add(Buffer.from([2]))).toThrow(
      "got binary data when not reconstructing a packet",
    );
    const out: Packet[] = [];
    decoder.on("decoded", (p) => out.push(p));
    decoder.add('2["c"]');
    expect(out).toEqual([{ type: PacketType.EVENT, nsp: "/", data: ["c"] }]);
  });

  it("refuses an empty string while reconstructing", () => {
    expectError(
      [`51-["a",${PH0}]`, ""],
      "SIO_ERR_UNEXPECTED_PLAINTEXT",
      "got plaintext data when reconstructing a packet",
    );
  });

  it.each([
    [123, "Unknown type: 123"],
    [null, "Unknown type: null"],
    [undefined, "Unknown type: undefined"],
    [{}, "Unknown type: [object Object]"],
    [["2"], "Unknown type: 2"],
    [true, "Unknown type: true"],
    [Symbol("s"), "Unknown type: Symbol(s)"],
    [Object.create(null), "Unknown type: object"],
  ])("refuses the chunk %p", (chunk, message) => {
    expectError([chunk], "SIO_ERR_INVALID_PACKET", message);
  });
});

describe("Decoder errors: JSON", () => {
  it.each([
    '2["a"',
    "2[a]",
    "2['a']",
    '2["a"]x',
    "2{",
    '2/admin,["a",]',
    "0{token}",
    '4"unterminated',
    "3/admin,1[",
    `51-["a",${PH0}`,
    '2,["a"]', // comma without namespace: the data starts with ","
    "2undefined",
    "2NaN",
  ])("%j -> invalid payload", (wire) => {
    const { err } = expectError([wire], "SIO_ERR_INVALID_PAYLOAD", "invalid payload");
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it("reports a throwing reviver as an invalid payload", () => {
    const reviver = () => {
      throw new Error("no");
    };
    expectError(['2["a"]'], "SIO_ERR_INVALID_PAYLOAD", "invalid payload", { reviver });
  });
});

describe("Decoder errors: payload shape per type", () => {
  it.each([
    ["0null", "CONNECT null"],
    ['0"token"', "CONNECT string"],
    ["0[]", "CONNECT array"],
    ["0true", "CONNECT boolean"],
    ["0/admin,false", "CONNECT false"],
    ["1{}", "DISCONNECT object"],
    ["1[]", "DISCONNECT array"],
    ['1/admin,"x"', "DISCONNECT string"],
    ["1null", "DISCONNECT null"],
    ["2{}", "EVENT object"],
    ["2[]", "EVENT empty array"],
    ["2[{}]", "EVENT object name"],
    ["2[null]", "EVENT null name"],
    ["2[true]", "EVENT boolean name"],
    ['2[["a"]]', "EVENT array name"],
    ['2"a"', "EVENT string"],
    ["2 5", "EVENT number"],
    ["3{}", "ACK object"],
    ['31"a"', "ACK string"],
    ["31null", "ACK null"],
    ["4[]", "CONNECT_ERROR array"],
    ["4null", "CONNECT_ERROR null"],
    ["4 5", "CONNECT_ERROR number"],
    ["4true", "CONNECT_ERROR boolean"],
    [`51-{"a":${PH0}}`, "BINARY_EVENT object"],
    [`51-[${PH0}]`, "BINARY_EVENT placeholder as name"],
    [`61-${PH0}`, "BINARY_ACK object"],
  ])("%j (%s) -> invalid payload", (wire) => {
    expectError([wire], "SIO_ERR_INVALID_PAYLOAD", "invalid payload");
  });

  it.each([
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
  ])("refuses the reserved event name %s", (name) => {
    expectError([`2["${name}",1]`], "SIO_ERR_RESERVED_EVENT", "invalid payload");
    expectError([`2/admin,3["${name}"]`], "SIO_ERR_RESERVED_EVENT", "invalid payload");
    expectError([`51-["${name}",${PH0}]`], "SIO_ERR_RESERVED_EVENT", "invalid payload");
  });

  it("refuses a reserved name produced by the reviver", () => {
    const reviver = (_key: string, value: unknown) => (value === "hello" ? "disconnect" : value);
    expectError(['2["hello"]'], "SIO_ERR_RESERVED_EVENT", "invalid payload", { reviver });
  });
});

describe("Decoder errors: ack id", () => {
  it.each([
    ['212345678901234567["a"]', "17 digits"],
    ['29007199254740992["a"]', "MAX_SAFE_INTEGER + 1"],
    ['29999999999999999["a"]', "16 nines"],
    ["3/admin," + "9".repeat(10_000) + "[]", "10,000 digits"],
  ])("%s (%s) -> invalid ack id", (wire) => {
    expectError([wire], "SIO_ERR_INVALID_PACKET", "invalid ack id");
  });
});

describe("Decoder options", () => {
  it.each<[unknown, string]>([
    [-1, "maxAttachments must be a non-negative integer, got -1"],
    [1.5, "maxAttachments must be a non-negative integer, got 1.5"],
    [NaN, "maxAttachments must be a non-negative integer, got NaN"],
    ["3", "maxAttachments must be a non-negative integer, got 3"],
    [-Infinity, "maxAttachments must be a non-negative integer, got -Infinity"],
  ])("refuses maxAttachments %p", (maxAttachments, message) => {
    const err = thrown(() => new Decoder({ maxAttachments: maxAttachments as number }));
    expect({ code: err.code, message: err.message }).toEqual({
      code: "SIO_ERR_INVALID_OPTION",
      message,
    });
  });

  it("refuses a reviver that is not a function", () => {
    const err = thrown(() => new Decoder({ reviver: "no" as unknown as undefined }));
    expect({ code: err.code, message: err.message }).toEqual({
      code: "SIO_ERR_INVALID_OPTION",
      message: "reviver must be a function",
    });
  });

  it("uses the default limit when maxAttachments is undefined", () => {
    expectError([`511-["a",${PH0}]`], "SIO_ERR_TOO_MANY_ATTACHMENTS", "too many attachments", {
      maxAttachments: undefined,
    });
  });
});
