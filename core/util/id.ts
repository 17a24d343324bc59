import { randomBytes } from "node:crypto";

/**
 * A random id: 15 random bytes as URL-safe base64 (20 characters), like engine.io's
 * `base64id`, so ids are unguessable and safe in URLs and cookies.
 */
export function generateId(): string {
  return randomBytes(15).toString("base64url");
}
