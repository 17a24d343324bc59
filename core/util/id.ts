import { randomFillSync } from "node:crypto";

const ID_BYTES = 15;
const POOL_IDS = 256;
const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS);
let offset = pool.length;

/**
 * A random id: 15 random bytes as URL-safe base64 (20 characters), like engine.io's
 * `base64id`, so ids are unguessable and safe in URLs and cookies. The bytes come from a pool
 * refilled by one `randomFillSync` call every 256 ids (connections create two or three ids each).
 */
export function generateId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
