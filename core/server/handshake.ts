/**
 * `socket.handshake`: the details of the request that opened a socket's connection, in
 * socket.io's shape. Built when first read (docs/performance.md), by {@link buildHandshake}.
 */
import type { Handshake } from "../types";
import type { EngineSocket } from "../engine/socket";

let lastSecond = -1;
let lastDateString = "";

/** `new Date(ms) + ""`, formatted once per second rather than once per socket. */
function dateString(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastDateString = new Date(ms) + "";
  }
  return lastDateString;
}

/**
 * The handshake of a socket: `req` opened its connection from `address`, the socket was created
 * at `issued` (epoch ms) with `auth` (the CONNECT packet's payload).
 */
export function buildHandshake(
  req: EngineSocket["request"] | undefined,
  address: string,
  issued: number,
  auth: Record<string, unknown>,
): Handshake {
  return {
    headers: req?.headers ?? {},
    time: dateString(issued),
    address,
    xdomain: !!req?.headers.origin,
    secure: !req || !!(req.socket as { encrypted?: boolean } | undefined)?.encrypted,
    issued,
    url: req?.url as string,
    query: req?._query ?? {},
    auth,
  };
}
