/**
 * The origin gate (`allowedOrigins`): checked on the handshake, on every long-polling request and
 * on WebSocket upgrades, with the official client and with raw HTTP / ws for the exact answers.
 */
import { request } from "node:http";
import WebSocket from "ws";
import type { EngineConnectionError, ServerOptions } from "../../../core/index";
import { Server, SocketkitError } from "../../../core/index";
import { connect, createClient, startServer, type ServerHarness } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

const GOOD = "https://app.example.com";
const EVIL = "https://evil.example.net";

afterEach(closeAll);

/** A raw HTTP GET with exact headers (fetch may not send Origin as given). */
function get(
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? "GET" : "POST";
    const req = request(url, { headers, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function handshake(h: ServerHarness, origin?: string): Promise<string> {
  const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`, origin ? { origin } : {});
  expect(res.status).toBe(200);
  return JSON.parse(res.body.substring(1)).sid as string;
}

/** A raw upgrade: resolves with "open", or with the refusal's status and body. */
function upgrade(
  url: string,
  origin?: string,
): Promise<{ open: true; ws: WebSocket } | { open: false; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { headers: { origin } } : {});
    ws.on("open", () => resolve({ open: true, ws }));
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ open: false, status: res.statusCode ?? 0, body }));
    });
    ws.on("error", (err) => {
      if (!String(err.message).includes("Unexpected server response")) reject(err);
    });
  });
}

async function gated(opts: Partial<ServerOptions>): Promise<ServerHarness> {
  return startServer({ allowedOrigins: [GOOD], ...opts });
}

describe("origin gate: official client", () => {
  it.each(["polling", "websocket"])("accepts an allowed origin over %s", async (transport) => {
    const h = await gated({});
    const [client, socket] = await connect(h, {
      transports: [transport as "polling" | "websocket"],
      extraHeaders: { origin: GOOD },
    });
    expect(client.connected).toBe(true);
    expect(socket.handshake.headers.origin).toBe(GOOD);
  });

  it.each(["polling", "websocket"])("refuses another origin over %s", async (transport) => {
    const h = await gated({});
    const errors: EngineConnectionError[] = [];
    let connections = 0;
    h.io.on("connection", () => connections++);
    const client = createClient(h, "/", {
      transports: [transport as "polling" | "websocket"],
      extraHeaders: { origin: EVIL },
    });
    const engineErrors = new Promise<void>((resolve) =>
      h.io.engine.on("connection_error", (e: EngineConnectionError) => {
        errors.push(e);
        resolve();
      }),
    );
    const [err] = await waitFor<[Error]>(client, "connect_error");
    await engineErrors;
    expect(err).toBeInstanceOf(Error);
    expect(connections).toBe(0);
    expect(errors[0].code).toBe(4);
    expect(errors[0].message).toBe("Forbidden");
    expect(errors[0].context).toEqual({ name: "ORIGIN_NOT_ALLOWED", origin: EVIL });
    // the gate refuses one client, not the server: an allowed one still connects
    const [good] = await connect(h, { transports: ["polling"], extraHeaders: { origin: GOOD } });
    expect(good.connected).toBe(true);
  });

  it("upgrades polling to websocket for an allowed origin", async () => {
    const h = await gated({});
    const [client] = await connect(h, { extraHeaders: { origin: GOOD } });
    if (client.io.engine.transport.name !== "websocket") await waitFor(client.io.engine, "upgrade");
    expect(client.io.engine.transport.name).toBe("websocket");
  });
});

describe("origin gate: every request, exact answers", () => {
  it("answers a refused polling handshake with 403 Forbidden", async () => {
    const h = await gated({});
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`, { origin: EVIL });
    expect(res).toEqual({ status: 403, body: JSON.stringify({ code: 4, message: "Forbidden" }) });
  });

  it("refuses a WebSocket handshake from another origin (400 Forbidden, as engine.io refuses upgrades)", async () => {
    const h = await gated({});
    const ws = `ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket`;
    expect(await upgrade(ws, EVIL)).toEqual({ open: false, status: 400, body: "Forbidden" });
    const ok = await upgrade(ws, GOOD);
    expect(ok.open).toBe(true);
    if (ok.open) ok.ws.close();
  });

  it("checks each polling request of an open session, not only the handshake", async () => {
    const h = await gated({});
    const sid = await handshake(h, GOOD);
    const poll = `${h.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    expect(await get(poll, { origin: EVIL })).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: "Forbidden" }),
    });
    // data requests too
    expect((await get(poll, { origin: EVIL }, "40")).status).toBe(403);
    // the session itself is untouched: the allowed page connects and polls on
    expect(await get(poll, { origin: GOOD }, "40")).toEqual({ status: 200, body: "ok" });
    const ok = await get(poll, { origin: GOOD });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^40\{"sid":/);
  });

  it("checks the WebSocket upgrade of an open session", async () => {
    const h = await gated({});
    const sid = await handshake(h, GOOD);
    const ws = `ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`;
    expect(await upgrade(ws, EVIL)).toEqual({ open: false, status: 400, body: "Forbidden" });
    const ok = await upgrade(ws, GOOD);
    expect(ok.open).toBe(true);
    if (ok.open) ok.ws.close();
  });

  it("lets requests without an Origin header through unless allowMissingOrigin is false", async () => {
    const open = await gated({});
    await handshake(open);
    const strict = await gated({ allowMissingOrigin: false });
    const res = await get(`${strict.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(403);
    const ws = `ws://127.0.0.1:${strict.port}/socket.io/?EIO=4&transport=websocket`;
    expect(await upgrade(ws)).toEqual({ open: false, status: 400, body: "Forbidden" });
  });

  it("matches RegExps and allows any origin with '*'", async () => {
    const h = await startServer({ allowedOrigins: [/^https:\/\/[a-z]+\.example\.com$/g] });
    // a global RegExp twice in a row: the gate resets its lastIndex
    await handshake(h, "https://one.example.com");
    await handshake(h, "https://two.example.com");
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`, { origin: EVIL });
    expect(res.status).toBe(403);
    const any = await startServer({ allowedOrigins: "*" });
    await handshake(any, EVIL);
  });

  it("asks a function (origin, callback, req), asynchronously, with its error as the message", async () => {
    const asked: (string | undefined)[] = [];
    const h = await startServer({
      allowMissingOrigin: false,
      allowedOrigins: (origin, callback, req) => {
        asked.push(origin);
        expect(req.url).toContain("/socket.io/");
        setImmediate(() => {
          if (origin === GOOD) callback(null, true);
          else if (origin === undefined) callback("origin required");
          else callback(null, false);
        });
      },
    });
    await handshake(h, GOOD);
    expect((await get(`${h.url}/socket.io/?EIO=4&transport=polling`)).body).toBe(
      JSON.stringify({ code: 4, message: "origin required" }),
    );
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`, { origin: EVIL });
    expect(res).toEqual({ status: 403, body: JSON.stringify({ code: 4, message: "Forbidden" }) });
    expect(asked).toEqual([GOOD, undefined, EVIL]);
  });

  it("refuses when the function throws", async () => {
    const h = await startServer({
      allowedOrigins: () => {
        throw new Error("boom");
      },
    });
    const res = await get(`${h.url}/socket.io/?EIO=4&transport=polling`, { origin: GOOD });
    expect(res).toEqual({ status: 403, body: JSON.stringify({ code: 4, message: "boom" }) });
  });

  it("counts its refusals in the metrics, by reason", async () => {
    const h = await startServer({ allowedOrigins: [GOOD], metrics: true });
    await get(`${h.url}/socket.io/?EIO=4&transport=polling`, { origin: EVIL });
    const ws = `ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket`;
    await upgrade(ws, EVIL);
    expect(h.io.metrics().handshakes.refused).toEqual({ ORIGIN_NOT_ALLOWED: 2 });
  });

  it("validates its options up front", () => {
    expect(() => new Server({ allowedOrigins: [42 as unknown as string] })).toThrow(SocketkitError);
    expect(() => new Server({ allowedOrigins: [42 as unknown as string] })).toThrow(
      'invalid option "allowedOrigins": expected a string, a RegExp, an array of them, or a function (origin, callback), got 42',
    );
    expect(() => new Server({ allowMissingOrigin: "no" as unknown as boolean })).toThrow(
      'invalid option "allowMissingOrigin": expected a boolean, got "no"',
    );
  });

  it("costs nothing when off: no gate is created", async () => {
    const h = await startServer({});
    expect(h.io.engine.originGate).toBeNull();
  });
});
