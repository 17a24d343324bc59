/**
 * Payload rules of the Socket.IO v5 protocol, as socket.io-parser applies them.
 */
import type { CodedErrorName } from "../errors";
import { PacketType, type Packet } from "../types";

/** Event names a client may not send: they have a special meaning on one side or the other. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect", // client side
  "connect_error", // client side
  "disconnect", // both sides
  "disconnecting", // server side
  "newListener", // node's EventEmitter
  "removeListener", // node's EventEmitter
]);

const toString = Object.prototype.toString;

function isObject(value: unknown): boolean {
  return toString.call(value) === "[object Object]";
}

/** The registry entries of an invalid payload (both say "invalid payload", as socket.io-parser). */
type PayloadError = Extract<CodedErrorName, "INVALID_PAYLOAD" | "RESERVED_EVENT_RECEIVED">;

/**
 * Checks a decoded payload against its packet type (only called when the packet has one).
 * Returns null when valid, else the registry entry of the error to throw.
 *
 * @internal
 */
export function payloadError(type: PacketType, payload: unknown): PayloadError | null {
  switch (type) {
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT: {
      if (!Array.isArray(payload)) return "INVALID_PAYLOAD";
      const name: unknown = payload[0];
      if (typeof name === "number") return null;
      if (typeof name !== "string") return "INVALID_PAYLOAD";
      return RESERVED_EVENTS.has(name) ? "RESERVED_EVENT_RECEIVED" : null;
    }
    case PacketType.ACK:
    case PacketType.BINARY_ACK:
      return Array.isArray(payload) ? null : "INVALID_PAYLOAD";
    case PacketType.CONNECT:
      return isObject(payload) ? null : "INVALID_PAYLOAD";
    case PacketType.DISCONNECT:
      return payload === undefined ? null : "INVALID_PAYLOAD";
    case PacketType.CONNECT_ERROR:
      return typeof payload === "string" || isObject(payload) ? null : "INVALID_PAYLOAD";
    default:
      return "INVALID_PAYLOAD";
  }
}

/**
 * Whether a packet (before encoding, or as exchanged between cluster nodes) is well-formed:
 * nsp is a string, id is absent or an integer, and data fits the type (binary types are not
 * valid here: they only exist on the wire). Same rules as socket.io-parser's `isPacketValid`.
 */
export function isPacketValid(packet: Packet): boolean {
  if (typeof packet.nsp !== "string") return false;
  if (packet.id !== undefined && !Number.isInteger(packet.id)) return false;
  const data: unknown = packet.data;
  switch (packet.type) {
    case PacketType.CONNECT:
      return data === undefined || isObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.EVENT:
      return payloadError(PacketType.EVENT, data) === null;
    case PacketType.ACK:
      return Array.isArray(data);
    case PacketType.CONNECT_ERROR:
      return typeof data === "string" || isObject(data);
    default:
      return false;
  }
}
