import {
  ERROR_PACKET,
  decodePacket,
  decodePacketV3,
  decodePayload,
  decodePayloadV3,
  encodePacket,
  encodePacketV3,
  encodePayload,
  encodePayloadV3,
  type EnginePacket,
} from "../../../core/engine/protocol";

const bin = (...bytes: number[]): Buffer => Buffer.from(bytes);

describe("engine protocol v4", () => {
  describe("encodePacket", () => {
    it.each<[EnginePacket, string]>([
      [{ type: "open", data: '{"sid":"abc"}' }, '0{"sid":"abc"}'],
      [{ type: "close" }, "1"],
      [{ type: "ping" }, "2"],
      [{ type: "ping", data: "probe" }, "2probe"],
      [{ type: "pong", data: "probe" }, "3probe"],
      [{ type: "message", data: "hello €" }, "4hello €"],
      [{ type: "message", data: "" }, "4"],
      [{ type: "upgrade" }, "5"],
      [{ type: "noop" }, "6"],
    ])("encodes %j as %j", (packet, wire) => {
      expect(encodePacket(packet, true)).toBe(wire);
      expect(encodePacket(packet, false)).toBe(wire);
    });

    it("keeps binary data raw when the transport supports binary", () => {
      expect(encodePacket({ type: "message", data: bin(1, 2, 3) }, true)).toEqual(bin(1, 2, 3));
    });

    it("encodes binary data as b + base64 otherwise", () => {
      expect(encodePacket({ type: "message", data: bin(1, 2, 3) }, false)).toBe("bAQID");
    });

    it("accepts ArrayBuffer and typed array views", () => {
      const ab = new Uint8Array([1, 2, 3]).buffer;
      expect(encodePacket({ type: "message", data: ab as unknown as Buffer }, false)).toBe("bAQID");
      const view = new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 4);
      expect(encodePacket({ type: "message", data: view as unknown as Buffer }, false)).toBe(
        "bAQID",
      );
    });
  });

  describe("decodePacket", () => {
    it.each<[string, EnginePacket]>([
      ["0", { type: "open" }],
      ["1", { type: "close" }],
      ["2", { type: "ping" }],
      ["2probe", { type: "ping", data: "probe" }],
      ["3", { type: "pong" }],
      ["4hello", { type: "message", data: "hello" }],
      ["4", { type: "message" }],
      ["5", { type: "upgrade" }],
      ["6", { type: "noop" }],
    ])("decodes %j", (wire, packet) => {
      expect(decodePacket(wire)).toEqual(packet);
    });

    it("decodes b + base64 as a binary message", () => {
      expect(decodePacket("bAQID")).toEqual({ type: "message", data: bin(1, 2, 3) });
    });

    it("decodes a binary frame as a message", () => {
      expect(decodePacket(bin(4, 5))).toEqual({ type: "message", data: bin(4, 5) });
    });

    it.each(["", "7", "9abc", "a", "/", "x4"])("returns the error packet for %j", (wire) => {
      expect(decodePacket(wire)).toEqual({ type: "error", data: "parser error" });
    });
  });

  describe("payloads", () => {
    it("joins packets with \\x1e, binary as base64", () => {
      expect(
        encodePayload([
          { type: "open", data: "{}" },
          { type: "message", data: "a" },
          { type: "message", data: bin(1, 2, 3) },
          { type: "ping" },
        ]),
      ).toBe("0{}\x1e4a\x1ebAQID\x1e2");
    });

    it("encodes a single packet without a separator", () => {
      expect(encodePayload([{ type: "noop" }])).toBe("6");
    });

    it("splits a payload on \\x1e", () => {
      expect(decodePayload("4a\x1e4b\x1ebAQID\x1e1")).toEqual([
        { type: "message", data: "a" },
        { type: "message", data: "b" },
        { type: "message", data: bin(1, 2, 3) },
        { type: "close" },
      ]);
    });

    it("stops at the first packet that cannot be read", () => {
      expect(decodePayload("4a\x1ez\x1e4b")).toEqual([
        { type: "message", data: "a" },
        { type: "error", data: "parser error" },
      ]);
    });

    it("reads an empty payload as an error packet", () => {
      expect(decodePayload("")).toEqual([ERROR_PACKET]);
    });

    it("reads an empty part as an error packet", () => {
      expect(decodePayload("4a\x1e\x1e4b")).toEqual([
        { type: "message", data: "a" },
        { type: "error", data: "parser error" },
      ]);
    });
  });
});

describe("engine protocol v3", () => {
  describe("packets", () => {
    it("encodes strings as the type digit and data", () => {
      expect(encodePacketV3({ type: "message", data: "hi" }, true)).toBe("4hi");
      expect(encodePacketV3({ type: "pong" }, false)).toBe("3");
    });

    it("prefixes binary with the type byte when the transport supports binary", () => {
      expect(encodePacketV3({ type: "message", data: bin(1, 2) }, true)).toEqual(bin(4, 1, 2));
    });

    it("encodes binary as b<type><base64> otherwise", () => {
      expect(encodePacketV3({ type: "message", data: bin(1, 2, 3) }, false)).toBe("b4AQID");
    });

    it("decodes a binary frame: type byte then data", () => {
      expect(decodePacketV3(bin(4, 1, 2))).toEqual({ type: "message", data: bin(1, 2) });
    });

    it("decodes b<type><base64>", () => {
      expect(decodePacketV3("b4AQID")).toEqual({ type: "message", data: bin(1, 2, 3) });
    });

    it("decodes strings and rejects unknown types", () => {
      expect(decodePacketV3("2probe")).toEqual({ type: "ping", data: "probe" });
      expect(decodePacketV3("2")).toEqual({ type: "ping" });
      expect(decodePacketV3("8")).toEqual(ERROR_PACKET);
      expect(decodePacketV3(bin(9, 1))).toEqual(ERROR_PACKET);
    });
  });

  describe("string payloads", () => {
    it("length-prefixes each packet (length in UTF-16 units)", () => {
      expect(
        encodePayloadV3(
          [{ type: "message", data: "hello" }, { type: "message", data: "€" }, { type: "ping" }],
          false,
        ),
      ).toBe("6:4hello2:4€1:2");
    });

    it("encodes an empty payload as 0:", () => {
      expect(encodePayloadV3([], false)).toBe("0:");
      expect(encodePayloadV3([], true)).toBe("0:");
    });

    it("encodes binary packets as b64 strings when the client lacks binary support", () => {
      expect(
        encodePayloadV3(
          [
            { type: "message", data: "a" },
            { type: "message", data: bin(1, 2, 3) },
          ],
          false,
        ),
      ).toBe("2:4a6:b4AQID");
    });

    it("keeps the string framing when no packet is binary", () => {
      expect(encodePayloadV3([{ type: "message", data: "a" }], true)).toBe("2:4a");
    });

    it("decodes length-prefixed packets", () => {
      expect(decodePayloadV3("6:4hello2:4€1:20:")).toEqual([
        { type: "message", data: "hello" },
        { type: "message", data: "€" },
        { type: "ping" },
      ]);
    });

    it("decodes b64 packets inside a payload", () => {
      expect(decodePayloadV3("6:b4AQID")).toEqual([{ type: "message", data: bin(1, 2, 3) }]);
    });

    it.each([
      ["empty", ""],
      ["no colon", "4hello"],
      ["empty length", ":4a"],
      ["non-digit length", "x:4a"],
      ["length past the end", "9:4a"],
      ["trailing garbage", "2:4a3"],
      ["unknown packet type", "2:9a"],
    ])("reads a malformed payload (%s) as an error packet", (_, payload) => {
      const packets = decodePayloadV3(payload);
      expect(packets[packets.length - 1]).toEqual(ERROR_PACKET);
      expect(packets.filter((p) => p.type === "error")).toHaveLength(1);
    });
  });

  describe("binary payloads", () => {
    it("frames each packet as <0|1><length digits><255><bytes> when one packet is binary", () => {
      const payload = encodePayloadV3(
        [
          { type: "message", data: "hi" },
          { type: "message", data: bin(1, 2) },
        ],
        true,
      );
      expect(payload).toEqual(
        Buffer.concat([bin(0, 3, 255), Buffer.from("4hi"), bin(1, 3, 255), bin(4, 1, 2)]),
      );
    });

    it("writes multi-digit lengths as one byte per digit", () => {
      const data = Buffer.alloc(11, 7);
      const payload = encodePayloadV3([{ type: "message", data }], true) as Buffer;
      expect(payload.subarray(0, 4)).toEqual(bin(1, 1, 2, 255));
      expect(payload.subarray(4)).toEqual(Buffer.concat([bin(4), data]));
    });

    it("decodes the binary framing (string parts as UTF-8)", () => {
      const euro = Buffer.from("4€");
      const payload = Buffer.concat([bin(0, euro.length, 255), euro, bin(1, 3, 255), bin(4, 1, 2)]);
      expect(decodePayloadV3(payload)).toEqual([
        { type: "message", data: "€" },
        { type: "message", data: bin(1, 2) },
      ]);
    });

    it("reads a truncated binary payload as an error packet", () => {
      expect(decodePayloadV3(bin(1, 9, 255, 4, 1))).toEqual([ERROR_PACKET]);
      expect(decodePayloadV3(bin(0, 1, 2))).toEqual([ERROR_PACKET]);
    });
  });
});
