import { createServer } from "node:http";
import type { EngineConnectionError, EngineRequest } from "../../../core/index";
import {
  hostAnswer,
  ours,
  rawHandshake,
  rawHttp,
  rawRequest,
  rawUpgrade,
  startEngine,
  type EngineHarness,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

/** Sends a request and returns the answer together with the engine's connection_error. */
async function refused(h: EngineHarness, query: string, init: RequestInit = {}) {
  const errors: EngineConnectionError[] = [];
  h.engine.on("connection_error", (err: EngineConnectionError) => errors.push(err));
  const res = await rawRequest(h, query, init);
  return { ...res, json: JSON.parse(res.body) as unknown, errors };
}

describe("engine wire errors (HTTP)", () => {
  it("answers code 0 for an unknown transport", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=4&transport=tobi");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json).toEqual({ code: 0, message: "Transport unknown" });
    expect(res.errors).toHaveLength(1);
    const [err] = res.errors;
    expect(err.code).toBe(0);
    expect(err.message).toBe("Transport unknown");
    expect(err.context).toEqual({ transport: "tobi" });
    expect((err.req as EngineRequest)._query.transport).toBe("tobi");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("answers code 0 when the transport is missing", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=4");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 0, message: "Transport unknown" });
    expect(res.errors[0].context).toEqual({ transport: undefined });
  });

  it("answers code 1 for an unknown sid", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=4&transport=polling&sid=test");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 1, message: "Session ID unknown" });
    expect(res.errors[0]).toMatchObject({ code: 1, message: "Session ID unknown" });
    expect(res.errors[0].context).toEqual({ sid: "test" });
  });

  it("answers code 1 for a sid named after an Object.prototype member", async () => {
    const h = await startEngine();
    for (const sid of ["constructor", "__proto__", "hasOwnProperty"]) {
      const res = await rawRequest(h, `EIO=4&transport=polling&sid=${sid}`);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ code: 1, message: "Session ID unknown" });
    }
  });

  it("answers code 2 for a POST handshake (no sid)", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=4&transport=polling", { method: "POST", body: "4hi" });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 2, message: "Bad handshake method" });
    expect(res.errors[0]).toMatchObject({ code: 2, context: { method: "POST" } });
  });

  it("answers code 3 for a websocket handshake over a plain GET", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=4&transport=websocket");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 3, message: "Bad request" });
    expect(res.errors[0]).toMatchObject({
      code: 3,
      message: "Bad request",
      context: { name: "TRANSPORT_HANDSHAKE_ERROR" },
    });
  });

  it("answers code 3 for a request on another transport than the session's", async () => {
    const h = await startEngine();
    const { sid } = await rawHandshake(h);
    const res = await refused(h, `EIO=4&transport=websocket&sid=${sid}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 3, message: "Bad request" });
    expect(res.errors[0].context).toEqual({
      name: "TRANSPORT_MISMATCH",
      transport: "websocket",
      previousTransport: "polling",
    });
    // the session itself is not affected
    expect(h.engine.clientsCount).toBe(1);
  });

  it("answers code 3 for a request with another protocol revision than the session's", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { sid } = await rawHandshake(h);
    const res = await refused(h, `EIO=3&transport=polling&sid=${sid}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 3, message: "Bad request" });
    expect(res.errors[0].context).toEqual({
      name: "PROTOCOL_MISMATCH",
      protocol: 3,
      previousProtocol: 4,
    });
  });

  it("answers code 3 for an Origin header with an invalid character", async () => {
    // node's strict parser refuses such a header before the engine sees it
    const h = await startEngine({}, {}, createServer({ insecureHTTPParser: true }));
    const errors: EngineConnectionError[] = [];
    h.engine.on("connection_error", (err: EngineConnectionError) => errors.push(err));
    const res = await rawHttp(h, "/engine.io/?EIO=4&transport=polling", {
      Origin: "http://a\x7fb",
    });
    expect(res.status).toBe(400);
    expect(res.response).toContain('{"code":3,"message":"Bad request"}');
    expect(errors[0].code).toBe(3);
    expect(errors[0].context).toEqual({ name: "INVALID_ORIGIN", origin: "http://a\x7fb" });
    // the invalid header is removed from the request, as engine.io does
    expect(errors[0].req.headers.origin).toBeNull();
  });

  it("answers code 3 when a middleware fails", async () => {
    const h = await startEngine();
    h.engine.use((req, res, next) => next(new Error("nope")));
    const res = await refused(h, "EIO=4&transport=polling");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 3, message: "Bad request" });
    expect(res.errors[0]).toMatchObject({ code: 3, context: { name: "MIDDLEWARE_FAILURE" } });
  });

  it("answers code 4 when allowRequest refuses (callback)", async () => {
    const h = await startEngine({ allowRequest: (req, fn) => fn(null, false) });
    const res = await refused(h, "EIO=4&transport=polling");
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json).toEqual({ code: 4, message: "Forbidden" });
    expect(res.errors[0]).toMatchObject({ code: 4, message: "Forbidden" });
    expect(res.errors[0].context).toEqual({ message: null });
  });

  it("answers code 4 with the custom message allowRequest gives", async () => {
    const h = await startEngine({ allowRequest: (req, fn) => fn("Thou shall not pass", false) });
    const res = await refused(h, "EIO=4&transport=polling");
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 4, message: "Thou shall not pass" });
    expect(res.errors[0]).toMatchObject({
      code: 4,
      message: "Forbidden",
      context: { message: "Thou shall not pass" },
    });
  });

  it("answers code 4 when an async allowRequest refuses", async () => {
    const h = await startEngine({
      allowRequest: async (req, fn) => {
        await sleep(5);
        fn("later", false);
      },
    });
    const res = await refused(h, "EIO=4&transport=polling");
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 4, message: "later" });
  });

  ours(
    "answers code 4 when allowRequest rejects (engine.io leaves the request hanging)",
    async () => {
      const h = await startEngine({
        allowRequest: async () => {
          throw new Error("no token");
        },
      });
      const res = await refused(h, "EIO=4&transport=polling");
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ code: 4, message: "no token" });
      expect(res.errors[0]).toMatchObject({ code: 4, context: { message: "no token" } });
    },
  );

  it("runs allowRequest for handshakes only and lets accepted ones through", async () => {
    const seen: string[] = [];
    const h = await startEngine({
      allowRequest: (req, fn) => {
        seen.push((req as EngineRequest)._query.sid ?? "handshake");
        fn(null, true);
      },
    });
    const { sid } = await rawHandshake(h);
    await rawRequest(h, `EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4a" });
    expect(seen).toEqual(["handshake"]);
  });

  it("answers code 5 for an EIO=3 handshake without allowEIO3", async () => {
    const h = await startEngine();
    const res = await refused(h, "EIO=3&transport=polling");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 5, message: "Unsupported protocol version" });
    expect(res.errors[0]).toMatchObject({
      code: 5,
      message: "Unsupported protocol version",
      context: { protocol: 3 },
    });
    expect(h.engine.clientsCount).toBe(0);
  });

  it("answers code 5 when EIO is missing", async () => {
    const h = await startEngine();
    const res = await refused(h, "transport=polling");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 5, message: "Unsupported protocol version" });
  });
});

describe("engine wire errors (upgrade)", () => {
  const answer = (message: string): string =>
    hostAnswer(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\n" +
        `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );

  it("refuses an upgrade with an unknown transport and destroys the socket", async () => {
    const h = await startEngine();
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawUpgrade(h, "/engine.io/?EIO=4&transport=tobi");
    expect(res).toEqual({ response: answer("Transport unknown"), closed: true });
    const [err] = await error;
    expect(err).toMatchObject({ code: 0, context: { transport: "tobi" } });
  });

  it("refuses an upgrade with an unknown sid", async () => {
    const h = await startEngine();
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawUpgrade(h, "/engine.io/?EIO=4&transport=websocket&sid=nope");
    expect(res).toEqual({ response: answer("Session ID unknown"), closed: true });
    expect((await error)[0]).toMatchObject({ code: 1, context: { sid: "nope" } });
  });

  it("refuses an upgrade with a protocol mismatch", async () => {
    const h = await startEngine({ allowEIO3: true });
    const { sid } = await rawHandshake(h);
    const res = await rawUpgrade(h, `/engine.io/?EIO=3&transport=websocket&sid=${sid}`);
    expect(res).toEqual({ response: answer("Bad request"), closed: true });
  });

  it("refuses an upgrade when allowRequest refuses, with its message", async () => {
    const h = await startEngine({ allowRequest: (req, fn) => fn("go away", false) });
    const res = await rawUpgrade(h, "/engine.io/?EIO=4&transport=websocket");
    expect(res).toEqual({ response: answer("go away"), closed: true });
  });

  it("refuses an upgrade when a middleware fails", async () => {
    const h = await startEngine();
    h.engine.use((req, res, next) => next(new Error("nope")));
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawUpgrade(h, "/engine.io/?EIO=4&transport=websocket");
    expect(res).toEqual({ response: answer("Bad request"), closed: true });
    expect((await error)[0].context).toEqual({ name: "MIDDLEWARE_FAILURE" });
  });
});
