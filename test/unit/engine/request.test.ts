import {
  classifyRequest,
  isInvalidHeaderValue,
  parseQuery,
  protocolOf,
  type RequestFacts,
  type SessionFacts,
} from "../../../core/engine/request";

const BOTH = ["polling", "websocket"];

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    method: "GET",
    transport: "polling",
    sid: undefined,
    eio: "4",
    origin: undefined,
    upgrade: false,
    ...overrides,
  };
}

const sessions: Record<string, SessionFacts> = {
  pollingV4: { transport: "polling", protocol: 4, upgraded: false },
  wsV4: { transport: "websocket", protocol: 4, upgraded: false },
  upgradedV4: { transport: "websocket", protocol: 4, upgraded: true },
  pollingV3: { transport: "polling", protocol: 3, upgraded: false },
};
const lookup = (sid: string): SessionFacts | undefined =>
  Object.hasOwn(sessions, sid) ? sessions[sid] : undefined;

describe("classifyRequest", () => {
  it("classifies a GET without sid as a v4 handshake", () => {
    expect(classifyRequest(facts(), BOTH, lookup)).toEqual({ kind: "handshake", protocol: 4 });
  });

  it("classifies a handshake without EIO=4 as protocol 3", () => {
    expect(classifyRequest(facts({ eio: "3" }), BOTH, lookup)).toEqual({
      kind: "handshake",
      protocol: 3,
    });
    expect(classifyRequest(facts({ eio: undefined }), BOTH, lookup)).toEqual({
      kind: "handshake",
      protocol: 3,
    });
  });

  it("classifies a websocket upgrade without sid as a handshake", () => {
    expect(classifyRequest(facts({ transport: "websocket", upgrade: true }), BOTH, lookup)).toEqual(
      { kind: "handshake", protocol: 4 },
    );
  });

  it("classifies a request with a known sid as a session request", () => {
    expect(classifyRequest(facts({ sid: "pollingV4", method: "POST" }), BOTH, lookup)).toEqual({
      kind: "session",
      sid: "pollingV4",
      protocol: 4,
    });
  });

  it("lets an upgrade change the transport of a session", () => {
    expect(
      classifyRequest(
        facts({ sid: "pollingV4", transport: "websocket", upgrade: true }),
        BOTH,
        lookup,
      ),
    ).toEqual({ kind: "session", sid: "pollingV4", protocol: 4 });
  });

  it.each([undefined, "", "foo", ["polling", "polling"], "webtransport"])(
    "answers code 0 (UNKNOWN_TRANSPORT) for transport %j",
    (transport) => {
      expect(classifyRequest(facts({ transport }), BOTH, lookup)).toEqual({
        kind: "error",
        code: 0,
        context: { transport },
      });
    },
  );

  it("answers code 0 for a transport that is not enabled", () => {
    expect(classifyRequest(facts({ transport: "polling" }), ["websocket"], lookup)).toEqual({
      kind: "error",
      code: 0,
      context: { transport: "polling" },
    });
  });

  it("checks the transport before the origin", () => {
    const verdict = classifyRequest(facts({ transport: "foo", origin: "\x00" }), BOTH, lookup);
    expect(verdict).toMatchObject({ kind: "error", code: 0 });
  });

  it("answers code 3 INVALID_ORIGIN for an origin with a forbidden character", () => {
    expect(classifyRequest(facts({ origin: "http://a\nb" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 3,
      context: { name: "INVALID_ORIGIN", origin: "http://a\nb" },
    });
  });

  it("accepts a valid origin", () => {
    expect(classifyRequest(facts({ origin: "http://example.com" }), BOTH, lookup)).toMatchObject({
      kind: "handshake",
    });
  });

  it("answers code 1 (UNKNOWN_SID) for an unknown sid", () => {
    expect(classifyRequest(facts({ sid: "nope" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 1,
      context: { sid: "nope" },
    });
  });

  it("answers code 3 TRANSPORT_MISMATCH for another transport without upgrade", () => {
    expect(classifyRequest(facts({ sid: "wsV4", transport: "polling" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 3,
      context: { name: "TRANSPORT_MISMATCH", transport: "polling", previousTransport: "websocket" },
    });
  });

  it("answers code 3 TRANSPORT_MISMATCH for a WebSocket upgrade of a session opened over WebSocket", () => {
    expect(
      classifyRequest(facts({ sid: "wsV4", transport: "websocket", upgrade: true }), BOTH, lookup),
    ).toEqual({
      kind: "error",
      code: 3,
      context: {
        name: "TRANSPORT_MISMATCH",
        transport: "websocket",
        previousTransport: "websocket",
      },
    });
  });

  it("lets a WebSocket upgrade of an upgraded session through (the engine closes it, as engine.io)", () => {
    expect(
      classifyRequest(
        facts({ sid: "upgradedV4", transport: "websocket", upgrade: true }),
        BOTH,
        lookup,
      ),
    ).toEqual({ kind: "session", sid: "upgradedV4", protocol: 4 });
  });

  it("answers code 3 PROTOCOL_MISMATCH when the EIO differs from the session's", () => {
    expect(classifyRequest(facts({ sid: "pollingV3", eio: "4" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 3,
      context: { name: "PROTOCOL_MISMATCH", protocol: 4, previousProtocol: 3 },
    });
    expect(classifyRequest(facts({ sid: "pollingV4", eio: "3" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 3,
      context: { name: "PROTOCOL_MISMATCH", protocol: 3, previousProtocol: 4 },
    });
  });

  it.each(["POST", "PUT", "OPTIONS", undefined])(
    "answers code 2 (BAD_HANDSHAKE_METHOD) for a %s handshake",
    (method) => {
      expect(classifyRequest(facts({ method }), BOTH, lookup)).toEqual({
        kind: "error",
        code: 2,
        context: { method },
      });
    },
  );

  it("answers code 3 TRANSPORT_HANDSHAKE_ERROR for a websocket handshake without upgrade", () => {
    expect(classifyRequest(facts({ transport: "websocket" }), BOTH, lookup)).toEqual({
      kind: "error",
      code: 3,
      context: { name: "TRANSPORT_HANDSHAKE_ERROR" },
    });
  });
});

describe("protocolOf", () => {
  it('is 4 only for "4"', () => {
    expect(protocolOf("4")).toBe(4);
    expect(protocolOf("3")).toBe(3);
    expect(protocolOf(undefined)).toBe(3);
    expect(protocolOf("5")).toBe(3);
    expect(protocolOf(4)).toBe(3);
  });
});

describe("isInvalidHeaderValue", () => {
  it.each(["", "http://example.com", "a\tb", "caf\u00e9", "~!@#$%^&*()"])("accepts %j", (v) => {
    expect(isInvalidHeaderValue(v)).toBe(false);
  });

  it.each(["\x00", "a\nb", "ab\rc", "abcd\x7f", "\u0100", "http://\u20ac"])("rejects %j", (v) => {
    expect(isInvalidHeaderValue(v)).toBe(true);
  });
});

describe("parseQuery", () => {
  it("parses the query string of a request URL", () => {
    expect(parseQuery("/engine.io/?EIO=4&transport=polling&t=N8hyd6w")).toEqual({
      EIO: "4",
      transport: "polling",
      t: "N8hyd6w",
    });
  });

  it("returns an empty object without URL or query", () => {
    expect(parseQuery(undefined)).toEqual({});
    expect(parseQuery("/engine.io/")).toEqual({});
    expect(parseQuery("/engine.io/?")).toEqual({});
  });

  it("keeps the last value of a repeated key", () => {
    expect(parseQuery("/?sid=a&sid=b")).toEqual({ sid: "b" });
  });

  it("decodes percent-escapes and plus signs", () => {
    expect(parseQuery("/?a=%20x%2By&b=c+d&e")).toEqual({ a: " x+y", b: "c d", e: "" });
  });

  it("ignores the fragment", () => {
    expect(parseQuery("/?a=1#b=2")).toEqual({ a: "1" });
  });

  it("keeps __proto__ as a plain key without touching the prototype", () => {
    const q = parseQuery("/?__proto__=x&a=1");
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect(Object.hasOwn(q, "__proto__")).toBe(true);
    expect(q.a).toBe("1");
  });
});
