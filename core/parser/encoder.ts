/**
 * Socket.IO v5 packet encoder: `<type>[<attachments>-][<nsp>,][<ack id>][<JSON data>]`.
 */
import { PacketType, type EncodedPacket, type Packet, type PacketEncoder } from "../types";
import { deconstructPacket, toBuffer } from "./binary";
import { hasBinary, isBinary, tooDeepToEncode } from "./is-binary";

/** A `JSON.stringify` replacer. */
export type JsonReplacer = (this: any, key: string, value: any) => any;

/**
 * Encodes packets for the engine: one string, followed by the binary attachments (as Buffers)
 * when an EVENT or ACK carries binary data (it then goes out as BINARY_EVENT / BINARY_ACK).
 *
 * @example
 * const encoder = new Encoder();
 * encoder.encode({ type: PacketType.EVENT, nsp: "/chat", id: 12, data: ["hello", 1] });
 * // => ['2/chat,12["hello",1]']
 * encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["file", Buffer.from([1, 2])] });
 * // => ['51-["file",{"_placeholder":true,"num":0}]', <Buffer 01 02>]
 */
export class Encoder implements PacketEncoder {
  readonly #replacer: JsonReplacer | undefined;

  /** @param replacer passed to `JSON.stringify` for the packet data. */
  constructor(replacer?: JsonReplacer) {
    this.#replacer = replacer;
  }

  /**
   * Encodes a packet as `[string]`, or `[string, ...attachments]` for binary data. Throws
   * SIO_ERR_PAYLOAD_TOO_DEEP for data nested too deep to encode; nothing is written then.
   */
  encode(packet: Packet): EncodedPacket[] {
    const type = packet.type;
    if ((type === PacketType.EVENT || type === PacketType.ACK) && this.#replacer === undefined) {
      const shape = flatShape(packet.data);
      if (shape === FLAT_TEXT) return [this.#encodeAsString(packet)];
      if (shape === FLAT_BINARY) return encodeFlatBinary(packet, packet.data as unknown[]);
    }
    if ((type === PacketType.EVENT || type === PacketType.ACK) && hasBinary(packet.data)) {
      const { packet: deconstructed, buffers } = deconstructPacket(packet);
      deconstructed.type =
        type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
      const out: EncodedPacket[] = new Array(buffers.length + 1);
      out[0] = this.#encodeAsString(deconstructed);
      for (let i = 0; i < buffers.length; i++) out[i + 1] = buffers[i];
      return out;
    }
    return [this.#encodeAsString(packet)];
  }

  #encodeAsString(packet: Packet): string {
    const type = packet.type;
    let str = "" + type;
    if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
      str += packet.attachments + "-";
    }
    const nsp = packet.nsp;
    if (nsp && nsp !== "/") str += nsp + ",";
    if (packet.id != null) str += packet.id;
    if (packet.data != null) {
      try {
        str += JSON.stringify(packet.data, this.#replacer);
      } catch (err) {
        // V8's serializer is recursive: a value too deep for it is the application's error,
        // reported with a code (a cycle is a TypeError, reported as JSON.stringify does)
        if (err instanceof RangeError) throw tooDeepToEncode(err);
        throw err;
      }
    }
    return str;
  }
}

/** {@link flatShape}: an array of JSON primitives only. */
const FLAT_TEXT = 1;
/** {@link flatShape}: an array of JSON primitives and binary values, at least one binary. */
const FLAT_BINARY = 2;

/**
 * The common shapes of event and ack data: an array of JSON primitives (`emit("chat", "hi")`)
 * or of primitives and binary values (`emit("file", buffer)`, `ack(buffer)`); 0 for anything
 * else (nested objects, functions...), which the general path handles.
 */
function flatShape(data: unknown): number {
  if (!Array.isArray(data)) return 0;
  let shape = FLAT_TEXT;
  for (let i = 0, n = data.length; i < n; i++) {
    const item: unknown = data[i];
    const type = typeof item;
    if (type === "string" || type === "number" || type === "boolean" || item == null) continue;
    if (type === "object" && isBinary(item)) shape = FLAT_BINARY;
    else return 0;
  }
  return shape;
}

/**
 * Encodes a {@link FLAT_BINARY} packet directly: byte for byte what the general path (copy with
 * placeholders, then `JSON.stringify`) writes, without the copy. Only used without a replacer.
 */
function encodeFlatBinary(packet: Packet, data: unknown[]): EncodedPacket[] {
  const buffers: Buffer[] = [];
  let json = "[";
  for (let i = 0, n = data.length; i < n; i++) {
    const item: unknown = data[i];
    if (i > 0) json += ",";
    if (item == null) json += "null";
    else if (typeof item === "object") {
      json += '{"_placeholder":true,"num":' + buffers.length + "}";
      buffers.push(toBuffer(item as ArrayBuffer | ArrayBufferView));
    } else json += JSON.stringify(item);
  }
  let str =
    (packet.type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK) +
    "" +
    buffers.length +
    "-";
  const nsp = packet.nsp;
  if (nsp && nsp !== "/") str += nsp + ",";
  if (packet.id != null) str += packet.id;
  const out: EncodedPacket[] = new Array(buffers.length + 1);
  out[0] = str + json + "]";
  for (let i = 0; i < buffers.length; i++) out[i + 1] = buffers[i];
  return out;
}
