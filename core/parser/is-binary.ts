/**
 * Binary detection for the Socket.IO v5 codec: which values travel as attachments.
 *
 * Binary means an `ArrayBuffer` or any `ArrayBufferView` (Buffer, typed arrays, DataView).
 * Objects with a `toJSON` method are looked at through it, once, as `JSON.stringify` would.
 */

import { createError, type SocketkitError } from "../errors";

const isView = ArrayBuffer.isView;
const hasOwn = Object.prototype.hasOwnProperty;

/** True when `value` is sent as a binary attachment (ArrayBuffer or any ArrayBufferView). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return (
    typeof value === "object" && value !== null && (isView(value) || value instanceof ArrayBuffer)
  );
}

/**
 * How deep an outgoing value may nest before it is refused as too deep to encode (a cyclic value
 * reaches it too). `JSON.stringify` itself fails well before this depth; the bound keeps the
 * walk finite.
 */
export const MAX_ENCODE_DEPTH = 10_000;

// the explicit stack of hasBinary (calls never nest: toJSON results are walked in the same loop)
const pending: object[] = [];
/** Parallel to `pending`: the depth of the object, negative for a `toJSON()` result. */
const depths: number[] = [];

/** Thrown when an outgoing value nests past {@link MAX_ENCODE_DEPTH} (or is cyclic). */
export function tooDeepToEncode(cause?: unknown): SocketkitError {
  return createError(
    "PAYLOAD_TOO_DEEP_TO_ENCODE",
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * True when `value` holds binary data anywhere inside (arrays, own enumerable properties, and
 * the result of `toJSON()`). Stops at the first binary found; never walks into binary values
 * themselves. Iterative: any nesting depth is safe for the call stack.
 */
export function hasBinary(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  // a binary value itself needs no walk
  if (isView(value) || value instanceof ArrayBuffer) return true;
  pending.push(value);
  depths.push(1);
  let found = false;
  try {
    while (pending.length > 0) {
      const node = pending.pop() as object;
      const signed = depths.pop() as number;
      const fromToJSON = signed < 0;
      const depth = fromToJSON ? -signed : signed;
      if (depth > MAX_ENCODE_DEPTH) throw tooDeepToEncode();
      if (Array.isArray(node)) {
        // pushed last to first: the first items are looked at first (and may end the walk)
        for (let i = node.length - 1; i >= 0; i--) {
          const item: unknown = node[i];
          if (typeof item === "object" && item !== null) {
            pending.push(item);
            depths.push(depth + 1);
          }
        }
        continue;
      }
      if (isView(node) || node instanceof ArrayBuffer) {
        found = true;
        break;
      }
      if (!fromToJSON) {
        const toJSON: unknown = (node as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === "function") {
          const json: unknown = toJSON.call(node);
          if (typeof json === "object" && json !== null) {
            pending.push(json);
            depths.push(-depth);
          }
          continue;
        }
      }
      for (const key in node) {
        if (!hasOwn.call(node, key)) continue;
        const item: unknown = (node as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) {
          pending.push(item);
          depths.push(depth + 1);
        }
      }
    }
  } finally {
    // a throwing toJSON (the application's) must not leave entries for the next walk
    pending.length = 0;
    depths.length = 0;
  }
  return found;
}
