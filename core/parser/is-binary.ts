/**
 * Binary detection for the Socket.IO v5 codec: which values travel as attachments.
 *
 * Binary means an `ArrayBuffer` or any `ArrayBufferView` (Buffer, typed arrays, DataView).
 * Objects with a `toJSON` method are looked at through it, once, as `JSON.stringify` would.
 */

const isView = ArrayBuffer.isView;
const hasOwn = Object.prototype.hasOwnProperty;

/** True when `value` is sent as a binary attachment (ArrayBuffer or any ArrayBufferView). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return (
    typeof value === "object" && value !== null && (isView(value) || value instanceof ArrayBuffer)
  );
}

/**
 * True when `value` holds binary data anywhere inside (arrays, own enumerable properties, and
 * the result of `toJSON()`). Stops at the first binary found; never walks into binary values
 * themselves and skips primitives without a call.
 */
export function hasBinary(value: unknown): boolean {
  return typeof value === "object" && value !== null && walk(value, false);
}

function walk(value: object, viaToJSON: boolean): boolean {
  if (Array.isArray(value)) {
    for (let i = 0, n = value.length; i < n; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && walk(item, false)) return true;
    }
    return false;
  }
  if (isView(value) || value instanceof ArrayBuffer) return true;
  if (!viaToJSON) {
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const json: unknown = toJSON.call(value);
      return typeof json === "object" && json !== null && walk(json, true);
    }
  }
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null && walk(item, false)) return true;
  }
  return false;
}
