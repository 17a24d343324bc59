/**
 * Engine.IO packet and payload codec, protocol v4 (and v3 for `allowEIO3`). Pure functions, no I/O.
 *
 * v4: a packet is its type digit followed by its data; binary data travels as a raw frame on
 * WebSocket and as `b` + base64 in polling payloads, whose packets are separated by `\x1e`.
 * v3: polling payloads are `<length>:<packet>` (or a binary framing when the client supports
 * binary), binary packets keep their type byte, and base64 packets are `b<type><base64>`.
 */

export type EnginePacketType =
  | "open"
  | "close"
  | "ping"
  | "pong"
  | "message"
  | "upgrade"
  | "noop"
  | "error";

/** Per-packet send options (engine.io's `SendOptions`, plus the pre-encoded broadcast frame). */
export interface EnginePacketOptions {
  compress?: boolean;
  /** A broadcast's Engine.IO text ("4" + Socket.IO packet), shared by all recipients. */
  wsPreEncoded?: string;
  /** The UTF-8 bytes of `wsPreEncoded`, computed once by the first recipient on WebSocket. */
  wsPreEncodedBuffer?: Buffer;
  /**
   * The complete WebSocket frame of this packet (engine.io 6.6's `wsPreEncodedFrame`, as
   * socket.io-adapter builds it with ws's `Sender.frame()`): written as it is on a WebSocket
   * transport without compression, instead of framing the packet again.
   */
  wsPreEncodedFrame?: readonly Uint8Array[];
}

export type EngineData = string | Buffer;

export interface EnginePacket {
  type: EnginePacketType;
  data?: EngineData;
  options?: EnginePacketOptions;
}

export const PROTOCOL = 4;

/** Packet type -> wire digit. */
const TYPE_CHAR: Readonly<Record<Exclude<EnginePacketType, "error">, string>> = {
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
};

/** Wire digit (char code - 48) -> packet type. */
const TYPES: readonly EnginePacketType[] = [
  "open",
  "close",
  "ping",
  "pong",
  "message",
  "upgrade",
  "noop",
];

/** The separator of v4 polling payloads (ASCII record separator). */
export const SEPARATOR = "\x1e";

/** The packet every decoder returns for input it cannot read (as engine.io-parser does). */
export const ERROR_PACKET: Readonly<EnginePacket> = Object.freeze({
  type: "error",
  data: "parser error",
});

function toBuffer(data: Buffer | ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function isBinary(data: unknown): data is Buffer | ArrayBuffer | ArrayBufferView {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

// ---------------------------------------------------------------------------------------------
// v4
// ---------------------------------------------------------------------------------------------

/**
 * Encodes one v4 packet. Binary data is returned as is when the transport takes binary frames
 * (WebSocket), else as `b` + base64.
 */
export function encodePacket(packet: EnginePacket, supportsBinary: boolean): EngineData {
  const data = packet.data;
  if (data !== undefined && typeof data !== "string") {
    const buf = toBuffer(data);
    return supportsBinary ? buf : "b" + buf.toString("base64");
  }
  const type = TYPE_CHAR[packet.type as Exclude<EnginePacketType, "error">];
  return data === undefined ? type : type + data;
}

/** Encodes a v4 polling payload: packets separated by `\x1e`, binary as base64. */
export function encodePayload(packets: readonly EnginePacket[]): string {
  let out = "";
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) out += SEPARATOR;
    out += encodePacket(packets[i], false) as string;
  }
  return out;
}

/** Decodes one v4 packet: a text frame / payload part, or a binary frame (always a message). */
export function decodePacket(encoded: EngineData): EnginePacket {
  if (typeof encoded !== "string") return { type: "message", data: encoded };
  const code = encoded.charCodeAt(0);
  if (code === 98 /* b */) {
    return { type: "message", data: Buffer.from(encoded.substring(1), "base64") };
  }
  const type = TYPES[code - 48];
  if (type === undefined) return ERROR_PACKET;
  return encoded.length > 1 ? { type, data: encoded.substring(1) } : { type };
}

/** Decodes a v4 polling payload; stops at the first packet that cannot be read. */
export function decodePayload(payload: string): EnginePacket[] {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    const end = payload.indexOf(SEPARATOR, start);
    const packet = decodePacket(
      end === -1 ? payload.substring(start) : payload.substring(start, end),
    );
    packets.push(packet);
    if (packet.type === "error" || end === -1) return packets;
    start = end + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// v3 (allowEIO3)
// ---------------------------------------------------------------------------------------------

/**
 * Encodes one v3 packet. Binary data keeps its type byte in front when the transport takes
 * binary, else becomes `b<type><base64>`.
 */
export function encodePacketV3(packet: EnginePacket, supportsBinary: boolean): EngineData {
  const data = packet.data;
  const type = TYPE_CHAR[packet.type as Exclude<EnginePacketType, "error">];
  if (data !== undefined && typeof data !== "string") {
    const buf = toBuffer(data);
    if (!supportsBinary) return "b" + type + buf.toString("base64");
    const out = Buffer.allocUnsafe(buf.length + 1);
    out[0] = type.charCodeAt(0) - 48;
    buf.copy(out, 1);
    return out;
  }
  return data === undefined ? type : type + data;
}

/** Decodes one v3 packet (a WebSocket frame or one payload part). */
export function decodePacketV3(encoded: EngineData): EnginePacket {
  if (typeof encoded !== "string") {
    const type = TYPES[encoded[0]];
    if (type === undefined) return ERROR_PACKET;
    return { type, data: encoded.subarray(1) };
  }
  const code = encoded.charCodeAt(0);
  if (code === 98 /* b */) {
    const type = TYPES[encoded.charCodeAt(1) - 48];
    if (type === undefined) return ERROR_PACKET;
    return { type, data: Buffer.from(encoded.substring(2), "base64") };
  }
  const type = TYPES[code - 48];
  if (type === undefined) return ERROR_PACKET;
  return encoded.length > 1 ? { type, data: encoded.substring(1) } : { type };
}

/**
 * Encodes a v3 polling payload: `<length>:<packet>` strings, or, when the client takes binary
 * and a packet is binary, the binary framing `<0|1><length digits as bytes><255><bytes>`.
 */
export function encodePayloadV3(
  packets: readonly EnginePacket[],
  supportsBinary: boolean,
): EngineData {
  if (supportsBinary && packets.some((p) => p.data !== undefined && isBinary(p.data))) {
    const parts: Buffer[] = [];
    for (const packet of packets) {
      const encoded = encodePacketV3(packet, true);
      const bytes = typeof encoded === "string" ? Buffer.from(encoded, "utf8") : encoded;
      const digits = String(bytes.length);
      const header = Buffer.allocUnsafe(digits.length + 2);
      header[0] = typeof encoded === "string" ? 0 : 1;
      for (let i = 0; i < digits.length; i++) header[i + 1] = digits.charCodeAt(i) - 48;
      header[header.length - 1] = 255;
      parts.push(header, bytes);
    }
    return Buffer.concat(parts);
  }
  if (packets.length === 0) return "0:";
  let out = "";
  for (const packet of packets) {
    const encoded = encodePacketV3(packet, false) as string;
    out += encoded.length + ":" + encoded;
  }
  return out;
}

/** Decodes a v3 polling payload (string or binary framing); an error packet ends it. */
export function decodePayloadV3(payload: EngineData): EnginePacket[] {
  return typeof payload === "string"
    ? decodeStringPayloadV3(payload)
    : decodeBinaryPayloadV3(payload);
}

function decodeStringPayloadV3(payload: string): EnginePacket[] {
  const packets: EnginePacket[] = [];
  if (payload === "") return [ERROR_PACKET];
  let i = 0;
  while (i < payload.length) {
    const colon = payload.indexOf(":", i);
    if (colon === -1 || colon === i) return [...packets, ERROR_PACKET];
    let n = 0;
    for (let j = i; j < colon; j++) {
      const d = payload.charCodeAt(j) - 48;
      if (d < 0 || d > 9) return [...packets, ERROR_PACKET];
      n = n * 10 + d;
    }
    const start = colon + 1;
    if (start + n > payload.length) return [...packets, ERROR_PACKET];
    if (n > 0) {
      const packet = decodePacketV3(payload.substring(start, start + n));
      if (packet.type === "error") return [...packets, ERROR_PACKET];
      packets.push(packet);
    }
    i = start + n;
  }
  return packets;
}

function decodeBinaryPayloadV3(payload: Buffer): EnginePacket[] {
  const packets: EnginePacket[] = [];
  let i = 0;
  while (i < payload.length) {
    const isString = payload[i] === 0;
    let n = 0;
    let j = i + 1;
    for (; j < payload.length && payload[j] !== 255; j++) {
      if (j - i > 310 || payload[j] > 9) return [...packets, ERROR_PACKET];
      n = n * 10 + payload[j];
    }
    const start = j + 1;
    if (j >= payload.length || start + n > payload.length) return [...packets, ERROR_PACKET];
    const bytes = payload.subarray(start, start + n);
    const packet = decodePacketV3(isString ? bytes.toString("utf8") : bytes);
    if (packet.type === "error") return [...packets, ERROR_PACKET];
    packets.push(packet);
    i = start + n;
  }
  return packets;
}
