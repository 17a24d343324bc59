/**
 * Binary attachments: a packet's binary parts are replaced by numbered placeholders
 * `{"_placeholder":true,"num":N}` and sent as separate frames after the packet string.
 */
import { createError } from "../errors";
import type { Packet } from "../types";
import { isBinary, MAX_ENCODE_DEPTH, tooDeepToEncode } from "./is-binary";

const hasOwn = Object.prototype.hasOwnProperty;

/** The placeholder left in a packet where an attachment was taken out. */
export interface Placeholder {
  _placeholder: true;
  num: number;
}

/**
 * Takes every binary value out of `packet.data`, leaving numbered placeholders. The packet is
 * not mutated: the result is a new packet (same type, nsp and id) whose `data` is a copy with
 * placeholders and whose `attachments` is the number of buffers. Attachments are returned as
 * Buffers sharing the original memory (no copy). Objects with `toJSON` are replaced by its
 * result, as `JSON.stringify` would; Dates are left as they are.
 */
export function deconstructPacket(packet: Packet): { packet: Packet; buffers: Buffer[] } {
  const buffers: Buffer[] = [];
  const data = deconstruct(packet.data, buffers);
  const result: Packet = { type: packet.type, attachments: buffers.length, nsp: packet.nsp };
  if (packet.id !== undefined) result.id = packet.id;
  result.data = data;
  return { packet: result, buffers };
}

/** One value still to copy: where its copy goes, and how deep it is (negative: via toJSON). */
interface CopyTask {
  source: unknown;
  target: Record<string | number, unknown>;
  key: string | number;
  depth: number;
}

/**
 * Copies `data` with placeholders instead of binary values, with an explicit stack (the
 * application's data may nest deeper than the call stack allows). Values are visited in the
 * order a recursive walk would, so placeholders are numbered as socket.io-parser numbers them.
 */
function deconstruct(data: unknown, buffers: Buffer[]): unknown {
  if (typeof data !== "object" || data === null) return data;
  const root: Record<string, unknown> = { value: undefined };
  const stack: CopyTask[] = [{ source: data, target: root, key: "value", depth: 1 }];
  while (stack.length > 0) {
    const { source, target, key, depth: signed } = stack.pop() as CopyTask;
    if (typeof source !== "object" || source === null) {
      target[key] = source;
      continue;
    }
    const depth = signed < 0 ? -signed : signed;
    if (depth > MAX_ENCODE_DEPTH) throw tooDeepToEncode();
    if (isBinary(source)) {
      const placeholder: Placeholder = { _placeholder: true, num: buffers.length };
      buffers.push(toBuffer(source));
      target[key] = placeholder;
      continue;
    }
    if (Array.isArray(source)) {
      const n = source.length;
      const copy: unknown[] = new Array(n);
      target[key] = copy;
      for (let i = n - 1; i >= 0; i--) {
        stack.push({ source: source[i], target: copy as never, key: i, depth: depth + 1 });
      }
      continue;
    }
    if (source instanceof Date) {
      target[key] = source;
      continue;
    }
    if (signed > 0) {
      const toJSON: unknown = (source as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") {
        stack.push({ source: toJSON.call(source), target, key, depth: -depth });
        continue;
      }
    }
    const copy: Record<string, unknown> = {};
    target[key] = copy;
    const keys: string[] = [];
    for (const k in source) {
      if (!hasOwn.call(source, k)) continue;
      keys.push(k);
      copy[k] = undefined; // keeps the key order of the source
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({
        source: (source as Record<string, unknown>)[keys[i]],
        target: copy,
        key: keys[i],
        depth: depth + 1,
      });
    }
  }
  return root.value;
}

/** A binary value as a Buffer over the same memory (no copy). */
export function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * Puts `buffers` back in place of the placeholders of `packet.data`, in place, and removes
 * `attachments`. Throws SIO_ERR_ILLEGAL_ATTACHMENTS ("illegal attachments") when a
 * placeholder's `num` is not an integer in `[0, buffers.length)`. Walks the data with an
 * explicit stack, so deeply nested payloads cannot overflow the call stack.
 */
export function reconstructPacket<P extends Packet>(packet: P, buffers: readonly unknown[]): P {
  packet.data = reconstruct(packet.data, buffers);
  if (packet.attachments !== undefined) delete packet.attachments;
  return packet;
}

function reconstruct(data: unknown, buffers: readonly unknown[]): unknown {
  if (typeof data !== "object" || data === null) return data;
  if ((data as Partial<Placeholder>)._placeholder === true) return take(data, buffers);
  const stack: object[] = [data];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (Array.isArray(node)) {
      for (let i = 0, n = node.length; i < n; i++) {
        const item: unknown = node[i];
        if (typeof item !== "object" || item === null) continue;
        if ((item as Partial<Placeholder>)._placeholder === true) node[i] = take(item, buffers);
        else stack.push(item);
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        if (!hasOwn.call(record, key)) continue;
        const item: unknown = record[key];
        if (typeof item !== "object" || item === null) continue;
        if ((item as Partial<Placeholder>)._placeholder === true) record[key] = take(item, buffers);
        else stack.push(item);
      }
    }
  }
  return data;
}

function take(placeholder: object, buffers: readonly unknown[]): unknown {
  const num = (placeholder as Partial<Placeholder>).num;
  if (Number.isInteger(num) && (num as number) >= 0 && (num as number) < buffers.length) {
    return buffers[num as number];
  }
  throw createError("ILLEGAL_PLACEHOLDER");
}
