/**
 * Socket.IO v5 packet decoder: parses packet strings by scanning char codes (no regex, one
 * `JSON.parse`), validates them as socket.io-parser does, and reassembles binary packets from
 * their attachments.
 */
import { createError, type SocketkitError } from "../errors";
import { PacketType, type Packet, type PacketDecoder } from "../types";
import { TypedEventEmitter } from "../util/event-emitter";
import { reconstructPacket } from "./binary";
import { isBinary } from "./is-binary";
import { payloadError } from "./validation";
import { exceedsDepth, type DEFAULT_MAX_DEPTH } from "./depth";

/** A `JSON.parse` reviver. */
export type JsonReviver = (this: any, key: string, value: any) => any;

export interface DecoderOptions {
  /** Passed to `JSON.parse` for the packet data. */
  reviver?: JsonReviver;
  /**
   * Most binary attachments one packet may announce (a larger count is refused before any
   * attachment is buffered). Default: {@link DEFAULT_MAX_ATTACHMENTS}. `Infinity` disables it.
   */
  maxAttachments?: number;
  /**
   * Deepest nesting of arrays and objects accepted in a packet's data (the data array itself is
   * level 1); deeper packets are refused with SIO_ERR_PAYLOAD_TOO_DEEP. Default: `Infinity`, as
   * socket.io-parser (the Server passes its `maxPayloadDepth`, {@link DEFAULT_MAX_DEPTH}).
   */
  maxDepth?: number;
}

/** Default `maxAttachments`, as socket.io-parser 4.2.x. */
export const DEFAULT_MAX_ATTACHMENTS = 10;

/** Longer ack ids are refused early; shorter ones must also be safe integers. */
const MAX_ACK_ID_DIGITS = 16;

export type DecoderEvents = {
  decoded: (packet: Packet) => void;
};

/** Receives the decoded packets directly, instead of a "decoded" listener (see `sink`). */
export interface DecodedPacketSink {
  onDecoded(packet: Packet): void;
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DASH = 45;
const CHAR_SLASH = 47;

/**
 * Decodes the chunks an engine socket receives into packets, emitted as "decoded". Errors are
 * thrown synchronously from `add()` as {@link SocketkitError}s with socket.io-parser's
 * messages; after an error the decoder holds no partial packet and can be reused or destroyed.
 *
 * @example
 * const decoder = new Decoder({ maxAttachments: 4 });
 * decoder.on("decoded", (packet) => console.log(packet));
 * decoder.add('2/chat,12["hello",1]');
 * // => { type: 2, nsp: "/chat", id: 12, data: ["hello", 1] }
 */
export class Decoder extends TypedEventEmitter<DecoderEvents> implements PacketDecoder {
  readonly #reviver: JsonReviver | undefined;
  readonly #maxAttachments: number;
  readonly #maxDepth: number;
  /** The binary packet being reassembled (already typed EVENT/ACK), or null. */
  #pending: Packet | null = null;
  #expected = 0;
  #buffers: unknown[] | null = null;
  /**
   * @internal when set, decoded packets go to it instead of the "decoded" event (the Socket.IO
   * client of a connection: no listener closure and no listener table per connection)
   */
  sink: DecodedPacketSink | null = null;

  /** @param opts options, or a reviver (socket.io-parser accepts both). */
  constructor(opts?: DecoderOptions | JsonReviver) {
    super();
    const options: DecoderOptions = typeof opts === "function" ? { reviver: opts } : (opts ?? {});
    const { reviver, maxAttachments = DEFAULT_MAX_ATTACHMENTS, maxDepth = Infinity } = options;
    if (reviver !== undefined && typeof reviver !== "function") {
      throw createError("DECODER_REVIVER");
    }
    if (
      typeof maxAttachments !== "number" ||
      !(Number.isInteger(maxAttachments) || maxAttachments === Infinity) ||
      maxAttachments < 0
    ) {
      throw createError("DECODER_MAX_ATTACHMENTS", { value: maxAttachments });
    }
    if (
      typeof maxDepth !== "number" ||
      !(Number.isInteger(maxDepth) || maxDepth === Infinity) ||
      maxDepth < 1
    ) {
      throw createError("DECODER_MAX_DEPTH", { value: maxDepth });
    }
    this.#reviver = reviver;
    this.#maxAttachments = maxAttachments;
    this.#maxDepth = maxDepth;
  }

  /** Feeds one chunk: a packet string, or a binary attachment of the pending binary packet. */
  add(chunk: unknown): void {
    if (typeof chunk === "string") {
      if (this.#pending !== null) {
        this.#reset();
        throw createError("UNEXPECTED_PLAINTEXT");
      }
      const packet = this.#decodeString(chunk);
      if (this.#expected > 0) this.#pending = packet;
      else this.#decoded(packet);
    } else if (isBinary(chunk) || isBase64Object(chunk)) {
      const pending = this.#pending;
      if (pending === null) {
        throw createError("UNEXPECTED_ATTACHMENT");
      }
      const buffers = (this.#buffers ??= []);
      buffers.push(chunk);
      if (buffers.length === this.#expected) {
        this.#reset();
        this.#decoded(reconstructPacket(pending, buffers));
      }
    } else {
      throw createError("UNKNOWN_CHUNK", { chunk: describe(chunk) });
    }
  }

  #decoded(packet: Packet): void {
    const sink = this.sink;
    if (sink !== null) sink.onDecoded(packet);
    else this.emit("decoded", packet);
  }

  /**
   * @internal decodes a text packet without keeping any state, for a decoder shared by many
   * connections: null for the header of a binary packet (its attachments need a decoder of
   * their own, which then decodes the header again). Throws as `add()` does.
   */
  decodeText(str: string): Packet | null {
    if (this.#pending !== null) {
      throw createError("PENDING_DECODE");
    }
    const packet = this.#decodeString(str);
    if (this.#expected === 0) return packet;
    this.#expected = 0;
    return null;
  }

  /** Drops any partially received binary packet. */
  destroy(): void {
    this.#reset();
  }

  #reset(): void {
    if (this.#pending !== null) {
      this.#pending = null;
      this.#buffers = null;
    }
    this.#expected = 0;
  }

  /**
   * Parses `<type>[<attachments>-][<nsp>,][<ack id>][<JSON data>]`. For binary types the
   * packet is returned typed EVENT/ACK and `#expected` is set to its attachment count.
   */
  #decodeString(str: string): Packet {
    const len = str.length;
    const type = len === 0 ? -1 : str.charCodeAt(0) - CHAR_0;
    if (!(type >= PacketType.CONNECT && type <= PacketType.BINARY_ACK)) {
      const label = type >= 0 && type <= 9 ? String(type) : "NaN";
      throw createError("UNKNOWN_PACKET_TYPE", { type: label });
    }
    let pos = 1;
    let attachments = 0;
    const binary = type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK;
    if (binary) {
      while (pos < len) {
        const c = str.charCodeAt(pos);
        if (c === CHAR_DASH) break;
        if (c < CHAR_0 || c > CHAR_9) throw illegalAttachments();
        if (attachments < 1e15) attachments = attachments * 10 + (c - CHAR_0);
        pos++;
      }
      if (pos === len || attachments < 1) throw illegalAttachments();
      if (attachments > this.#maxAttachments) {
        throw createError("TOO_MANY_ATTACHMENTS");
      }
      pos++; // the "-"
    }

    let nsp = "/";
    if (pos < len && str.charCodeAt(pos) === CHAR_SLASH) {
      const comma = str.indexOf(",", pos);
      if (comma === -1) {
        nsp = str.slice(pos);
        pos = len;
      } else {
        nsp = str.slice(pos, comma);
        pos = comma + 1;
      }
    }

    let id: number | undefined;
    if (pos < len) {
      let c = str.charCodeAt(pos);
      if (c >= CHAR_0 && c <= CHAR_9) {
        const start = pos;
        let n = 0;
        do {
          if (pos - start === MAX_ACK_ID_DIGITS) throw invalidAckId();
          n = n * 10 + (c - CHAR_0);
          pos++;
        } while (pos < len && (c = str.charCodeAt(pos)) >= CHAR_0 && c <= CHAR_9);
        if (n > Number.MAX_SAFE_INTEGER) throw invalidAckId();
        id = n;
      }
    }

    let data: unknown;
    if (pos < len) {
      try {
        data = JSON.parse(str.slice(pos), this.#reviver);
      } catch (cause) {
        throw createError("INVALID_PAYLOAD", undefined, { cause });
      }
      const error = payloadError(type, data);
      if (error !== null) throw createError(error);
      // nesting d levels takes at least 2d characters: short packets need no walk
      if (len - pos > 2 * this.#maxDepth && exceedsDepth(data, this.#maxDepth)) {
        throw createError("PAYLOAD_TOO_DEEP");
      }
    }

    const packet: Packet = {
      type: binary ? (type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK) : type,
      nsp,
    };
    if (id !== undefined) packet.id = id;
    if (pos < len) packet.data = data;
    this.#expected = attachments;
    return packet;
  }
}

function illegalAttachments(): SocketkitError {
  return createError("ILLEGAL_ATTACHMENT_COUNT");
}

function invalidAckId(): SocketkitError {
  return createError("INVALID_ACK_ID");
}

/** `{ base64: true, data }` chunks, which socket.io-parser also takes as attachments. */
function isBase64Object(chunk: unknown): boolean {
  return (
    typeof chunk === "object" && chunk !== null && Boolean((chunk as { base64?: unknown }).base64)
  );
}

function describe(chunk: unknown): string {
  try {
    return String(chunk);
  } catch {
    return typeof chunk;
  }
}
