/**
 * socket.io 2.x's `origins` check, as its server did it: the Origin header (else the Referer;
 * none or "null" counts as "*"), allowed when `origins` contains "*:*", or
 * "<protocol>//<host>:<port>", "<host>:<port>", "<host>:*" or "*:<port>" for it ("*" alone: any) (the port
 * defaulting to 443 for https, 80 otherwise). As in 2.x, `origins` may be a string, searched as a
 * string ("a.com:443 b.com:443" works), or an array of entries; or a function that decides.
 */
import type { EngineRequest } from "../../core/index";

/** socket.io 2.x's `origins(fn)`: `callback(err, success)` decides for `origin`. */
export type OriginsFunction = (
  origin: string,
  callback: (err: string | Error | null | undefined, success: boolean) => void,
) => void;

/** The `origins` option: "*:*" (the default: any), entries as above, or a function. */
export type Origins = string | readonly string[] | OriginsFunction;

/** The origin 2.x checked for a request. */
export function requestOrigin(req: EngineRequest): string {
  const origin = req.headers.origin || req.headers.referer;
  return origin === undefined || origin === "null" ? "*" : origin;
}

/** Whether a list of 2.x origins allows `origin`. */
export function originAllowed(origins: string | readonly string[], origin: string): boolean {
  // "*:*", and "*" as the 2.x API reference documents the default
  if (origins.indexOf("*:*") !== -1 || origins === "*") return true;
  if (typeof origins !== "string" && origins.includes("*")) return true;
  // what 2.x's url.parse gave: null parts for "*" and other unparsable values
  let protocol: string | null = null;
  let hostname: string | null = null;
  let port: string | null = null;
  try {
    const url = new URL(origin);
    protocol = url.protocol;
    hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    port = url.port || null;
  } catch {
    // not a URL: the null parts stay
  }
  const p = port ?? (protocol === "https:" ? "443" : "80");
  return (
    origins.indexOf(`${protocol}//${hostname}:${p}`) !== -1 ||
    origins.indexOf(`${hostname}:${p}`) !== -1 ||
    origins.indexOf(`${hostname}:*`) !== -1 ||
    origins.indexOf(`*:${p}`) !== -1
  );
}

/** Checks `origins` (a value or a function) for a request, answering `callback(err, allow)`. */
export function checkOrigins(
  origins: Origins,
  req: EngineRequest,
  callback: (err: string | Error | null | undefined, allow: boolean) => void,
): void {
  const origin = requestOrigin(req);
  if (typeof origins === "function") {
    origins(origin, callback);
    return;
  }
  callback(null, originAllowed(origins, origin));
}
