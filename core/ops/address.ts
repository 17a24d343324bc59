/**
 * The client address the per-address limits count: the TCP peer, or, behind proxies listed in
 * `trustedProxies`, the nearest X-Forwarded-For entry that is not one of them.
 */
import type { IncomingMessage } from "../types";

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
function normalize(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * The address of the client that sent `req`. Without trusted proxies (the default), the
 * X-Forwarded-For header is ignored: any client could write it.
 */
export function clientAddress(req: IncomingMessage, trusted: ReadonlySet<string> | null): string {
  const peer = normalize(req.socket?.remoteAddress ?? "");
  if (trusted === null || !trusted.has(peer)) return peer;
  const header = req.headers["x-forwarded-for"];
  if (header === undefined) return peer;
  const hops = (Array.isArray(header) ? header.join(",") : header).split(",");
  // from the nearest hop outwards: the first address that is not a trusted proxy is the client
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalize(hops[i].trim());
    if (hop === "") continue;
    if (!trusted.has(hop)) return hop;
  }
  return peer;
}
