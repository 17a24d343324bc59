/**
 * Nesting depth of decoded payloads, measured without recursion: a client controls the depth of
 * what it sends, so no walk over its data may use the call stack.
 */

const hasOwn = Object.prototype.hasOwnProperty;

/** Default `maxDepth` of the decoder: arrays and objects nested deeper close the connection. */
export const DEFAULT_MAX_DEPTH = 1000;

// one explicit stack shared by every walk (walks are synchronous and never nest)
const values: object[] = [];
const depths: number[] = [];

/**
 * Whether `value` nests arrays/objects deeper than `max` levels (the value itself, when it is
 * an array or object, is level 1). Iterative; stops at the first path past the limit.
 */
export function exceedsDepth(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (max < 1) return true;
  values.push(value);
  depths.push(1);
  let exceeded = false;
  while (values.length > 0) {
    const node = values.pop() as object;
    const depth = depths.pop() as number;
    if (Array.isArray(node)) {
      for (let i = 0, n = node.length; i < n; i++) {
        const item: unknown = node[i];
        if (typeof item === "object" && item !== null) {
          if (depth >= max) {
            exceeded = true;
            break;
          }
          values.push(item);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        if (!hasOwn.call(node, key)) continue;
        const item: unknown = (node as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) {
          if (depth >= max) {
            exceeded = true;
            break;
          }
          values.push(item);
          depths.push(depth + 1);
        }
      }
    }
    if (exceeded) break;
  }
  values.length = 0;
  depths.length = 0;
  return exceeded;
}
