/**
 * The Socket.IO protocol v5 packet codec, with socket.io-parser's public shape: this module can
 * be passed wherever a socket.io-parser module is expected (`Encoder`, `Decoder`, `protocol`,
 * `PacketType`).
 */
export { PacketType } from "../types";
export type { EncodedPacket, Packet, PacketDecoder, PacketEncoder } from "../types";
export { Encoder, type JsonReplacer } from "./encoder";
export {
  Decoder,
  DEFAULT_MAX_ATTACHMENTS,
  type DecoderEvents,
  type DecoderOptions,
  type JsonReviver,
} from "./decoder";
export { DEFAULT_MAX_DEPTH, exceedsDepth } from "./depth";
export { deconstructPacket, reconstructPacket, type Placeholder } from "./binary";
export { hasBinary, isBinary } from "./is-binary";
export { isPacketValid, RESERVED_EVENTS } from "./validation";

/** Socket.IO protocol revision implemented by this codec. */
export const protocol = 5;
