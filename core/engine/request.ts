/**
 * Classifies an Engine.IO request from its query, method and headers, as engine.io's `verify()`
 * does, minus the application's own check (`allowRequest`). Pure: the sessions are looked up
 * through a callback.
 */
import { EngineErrorCode } from "../errors";

export interface RequestFacts {
  method: string | undefined;
  transport: unknown;
  sid: unknown;
  eio: unknown;
  origin: string | string[] | undefined;
  /** Whether the request is an HTTP upgrade (WebSocket). */
  upgrade: boolean;
}

/** What the classifier needs to know of an existing session. */
export interface SessionFacts {
  transport: string;
  protocol: 3 | 4;
  /** Whether the session moved from polling to WebSocket (engine.io's `socket.upgraded`). */
  upgraded: boolean;
}

export type RequestClass =
  | { kind: "handshake"; protocol: 3 | 4 }
  | { kind: "session"; sid: string; protocol: 3 | 4 }
  | { kind: "error"; code: EngineErrorCode; context: Record<string, unknown> };

/** The Engine.IO revision a request speaks: "4" is v4, anything else is v3 (as engine.io). */
export function protocolOf(eio: unknown): 3 | 4 {
  return eio === "4" ? 4 : 3;
}

/** Header characters engine.io accepts in an Origin header (tab and visible ASCII/latin-1). */
export function isInvalidHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return true;
  }
  return false;
}

export function classifyRequest(
  facts: RequestFacts,
  transports: readonly string[],
  lookup: (sid: string) => SessionFacts | undefined,
): RequestClass {
  const { transport, sid } = facts;
  if (typeof transport !== "string" || !transports.includes(transport)) {
    return { kind: "error", code: EngineErrorCode.UNKNOWN_TRANSPORT, context: { transport } };
  }
  if (facts.origin !== undefined && isInvalidHeaderValue(String(facts.origin))) {
    return {
      kind: "error",
      code: EngineErrorCode.BAD_REQUEST,
      context: { name: "INVALID_ORIGIN", origin: facts.origin },
    };
  }
  const protocol = protocolOf(facts.eio);
  if (sid) {
    const id = String(sid);
    const session = lookup(id);
    if (session === undefined) {
      return { kind: "error", code: EngineErrorCode.UNKNOWN_SID, context: { sid } };
    }
    if (facts.upgrade && session.transport === transport && !session.upgraded) {
      // a session opened over WebSocket has nothing to upgrade to: refused before the handshake,
      // so that no second WebSocket can ever be probed into it (engine.io would answer the probe
      // and move the session over). An upgraded session goes on as in engine.io: its second
      // WebSocket is accepted, then closed (EngineBaseServer.onWebSocket)
      return {
        kind: "error",
        code: EngineErrorCode.BAD_REQUEST,
        context: { name: "TRANSPORT_MISMATCH", transport, previousTransport: session.transport },
      };
    }
    if (!facts.upgrade && session.transport !== transport) {
      return {
        kind: "error",
        code: EngineErrorCode.BAD_REQUEST,
        context: { name: "TRANSPORT_MISMATCH", transport, previousTransport: session.transport },
      };
    }
    if (session.protocol !== protocol) {
      return {
        kind: "error",
        code: EngineErrorCode.BAD_REQUEST,
        context: { name: "PROTOCOL_MISMATCH", protocol, previousProtocol: session.protocol },
      };
    }
    return { kind: "session", sid: id, protocol };
  }
  if (facts.method !== "GET") {
    return {
      kind: "error",
      code: EngineErrorCode.BAD_HANDSHAKE_METHOD,
      context: { method: facts.method },
    };
  }
  if (transport === "websocket" && !facts.upgrade) {
    return {
      kind: "error",
      code: EngineErrorCode.BAD_REQUEST,
      context: { name: "TRANSPORT_HANDSHAKE_ERROR" },
    };
  }
  return { kind: "handshake", protocol };
}

/**
 * Parses the query string of a request URL into a plain object; for a repeated key the last
 * value wins, as in engine.io.
 */
export function parseQuery(url: string | undefined): Record<string, string> {
  if (!url) return {};
  const q = url.indexOf("?");
  if (q === -1) return {};
  const hash = url.indexOf("#", q);
  const search = hash === -1 ? url.substring(q + 1) : url.substring(q + 1, hash);
  return isPlainQuery(search)
    ? splitPlainQuery(search)
    : Object.fromEntries(new URLSearchParams(search));
}

/** Whether a query needs no decoding ("%" or "+") and has no "__proto__" key: the usual case. */
function isPlainQuery(search: string): boolean {
  return (
    search.indexOf("%") === -1 && search.indexOf("+") === -1 && search.indexOf("__proto__") === -1
  );
}

/** Keys every client sends: as literals, property keys need no lookup in V8's string table. */
const COMMON_KEYS = ["EIO", "transport", "sid", "t", "b64"];

/** Values every client sends, kept once instead of as a new string per request. */
const COMMON_VALUES = ["4", "3", "websocket", "polling", "true"];

/** `search.substring(start, end)`, or the shared copy from `common` when it is one of them. */
function sliceOrCommon(search: string, start: number, end: number, common: string[]): string {
  const len = end - start;
  for (let i = 0; i < common.length; i++) {
    const known = common[i];
    if (known.length === len && search.startsWith(known, start)) return known;
  }
  return search.substring(start, end);
}

/** `Object.fromEntries(new URLSearchParams(search))` for a query without escapes, no allocation of a params object. */
function splitPlainQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  let start = 0;
  while (start <= search.length) {
    let end = search.indexOf("&", start);
    if (end === -1) end = search.length;
    if (end > start) {
      const eq = search.indexOf("=", start);
      if (eq === -1 || eq > end) query[sliceOrCommon(search, start, end, COMMON_KEYS)] = "";
      else {
        query[sliceOrCommon(search, start, eq, COMMON_KEYS)] = sliceOrCommon(
          search,
          eq + 1,
          end,
          COMMON_VALUES,
        );
      }
    }
    start = end + 1;
  }
  return query;
}
