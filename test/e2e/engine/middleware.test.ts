import type { IncomingHttpHeaders } from "node:http";
import type { EngineConnectionError, EngineRequest, EngineSocket } from "../../../core/index";
import { rawHandshake, rawPoll, rawRequest, rawWebSocket, startEngine } from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

describe("engine.use() middleware", () => {
  it("runs for the handshake, polls and pushes, and may set headers", async () => {
    const h = await startEngine();
    const seen: string[] = [];
    h.engine.use((req, res, next) => {
      seen.push(`${req.method} ${(req as EngineRequest)._query.sid ? "sid" : "handshake"}`);
      res.setHeader("X-Middleware", "yes");
      next();
    });
    const open = await rawHandshake(h);
    expect(open.headers.get("x-middleware")).toBe("yes");
    const push = await rawRequest(h, `EIO=4&transport=polling&sid=${open.sid}`, {
      method: "POST",
      body: "4a",
    });
    expect(push.headers.get("x-middleware")).toBe("yes");
    h.engine.clients[open.sid].send("b");
    const poll = await rawPoll(h, open.sid);
    expect(poll.headers.get("x-middleware")).toBe("yes");
    expect(seen).toEqual(["GET handshake", "POST sid", "GET sid"]);
  });

  it("runs for websocket upgrades, and headers it sets go with the 101", async () => {
    const h = await startEngine();
    const upgrades: string[] = [];
    h.engine.use((req, res, next) => {
      upgrades.push((req as EngineRequest)._query.transport);
      res.setHeader("X-Upgrade", "ok");
      next();
    });
    const ws = await rawWebSocket(h);
    expect(upgrades).toEqual(["websocket"]);
    expect(ws.upgradeHeaders["x-upgrade"]).toBe("ok");
  });

  it("calls writeHead() on upgrades so header hooks (express-session) can run", async () => {
    const h = await startEngine();
    h.engine.use((req, res, next) => {
      // what the on-headers package does for express-session
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        res.setHeader("X-Hooked", "1");
        return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
      } as typeof res.writeHead;
      next();
    });
    const ws = await rawWebSocket(h);
    expect(ws.upgradeHeaders["x-hooked"]).toBe("1");
  });

  it("runs the middlewares in order, awaiting async ones", async () => {
    const h = await startEngine();
    const order: number[] = [];
    h.engine.use(async (req, res, next) => {
      await sleep(10);
      order.push(1);
      next();
    });
    h.engine.use((req, res, next) => {
      order.push(2);
      next();
    });
    await rawHandshake(h);
    expect(order).toEqual([1, 2]);
  });

  it("refuses the request with code 3 when an async middleware rejects", async () => {
    const h = await startEngine();
    h.engine.use(async () => {
      throw new Error("nope");
    });
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawRequest(h, "EIO=4&transport=polling");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 3, message: "Bad request" });
    expect((await error)[0].context).toEqual({ name: "MIDDLEWARE_FAILURE" });
  });

  it("keeps the answer a middleware already sent before failing", async () => {
    const h = await startEngine();
    h.engine.use((req, res, next) => {
      res.writeHead(401, { "Content-Type": "text/plain" });
      res.end("unauthorized");
      next(new Error("unauthorized"));
    });
    const error = waitFor<[EngineConnectionError]>(h.engine, "connection_error");
    const res = await rawRequest(h, "EIO=4&transport=polling");
    expect(res.status).toBe(401);
    expect(res.body).toBe("unauthorized");
    expect((await error)[0].code).toBe(3);
  });

  it("ignores a second call of next()", async () => {
    const h = await startEngine();
    h.engine.use((req, res, next) => {
      next();
      next(new Error("late"));
    });
    const open = await rawHandshake(h);
    expect(open.sid).toBeTruthy();
  });
});

describe("engine cors option", () => {
  it("answers a preflight OPTIONS with the cors package's headers", async () => {
    const h = await startEngine({ cors: { origin: "https://example.com", credentials: true } });
    const res = await rawRequest(h, "EIO=4&transport=polling", {
      method: "OPTIONS",
      headers: {
        Origin: "https://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://example.com");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET,HEAD,PUT,PATCH,POST,DELETE");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type");
    expect(res.headers.get("vary")).toContain("Origin");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("adds Access-Control-Allow-Origin to the handshake", async () => {
    const h = await startEngine({ cors: { origin: "https://example.com" } });
    const open = await rawHandshake(h, undefined, { headers: { Origin: "https://example.com" } });
    expect(open.headers.get("access-control-allow-origin")).toBe("https://example.com");
  });

  it("adds the cors headers to the websocket handshake's 101", async () => {
    const h = await startEngine({ cors: { origin: "https://example.com", credentials: true } });
    const ws = await rawWebSocket(h, undefined, { headers: { Origin: "https://example.com" } });
    expect(ws.upgradeHeaders["access-control-allow-origin"]).toBe("https://example.com");
    expect(ws.upgradeHeaders["access-control-allow-credentials"]).toBe("true");
  });

  it("reflects the request origin with origin: true", async () => {
    const h = await startEngine({ cors: { origin: true } });
    const open = await rawHandshake(h, undefined, { headers: { Origin: "https://a.test" } });
    expect(open.headers.get("access-control-allow-origin")).toBe("https://a.test");
  });

  it("answers an OPTIONS handshake with code 2 without cors", async () => {
    const h = await startEngine();
    const res = await rawRequest(h, "EIO=4&transport=polling", { method: "OPTIONS" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 2, message: "Bad handshake method" });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("engine cookie option", () => {
  it("sets no cookie by default", async () => {
    const h = await startEngine();
    const open = await rawHandshake(h);
    expect(open.headers.get("set-cookie")).toBeNull();
  });

  it("sets io=<sid>; Path=/; HttpOnly; SameSite=Lax with cookie: true", async () => {
    const h = await startEngine({ cookie: true });
    const open = await rawHandshake(h);
    expect(open.headers.get("set-cookie")).toBe(`io=${open.sid}; Path=/; HttpOnly; SameSite=Lax`);
  });

  it("sets the cookie on the handshake only", async () => {
    const h = await startEngine({ cookie: true });
    const open = await rawHandshake(h);
    h.engine.clients[open.sid].send("x");
    const poll = await rawPoll(h, open.sid);
    expect(poll.headers.get("set-cookie")).toBeNull();
  });

  it("takes a custom name and cookie options", async () => {
    const h = await startEngine({
      cookie: { name: "woot", path: "/custom", httpOnly: false, sameSite: "strict", maxAge: 86400 },
    });
    const open = await rawHandshake(h);
    expect(open.headers.get("set-cookie")).toBe(
      `woot=${open.sid}; Max-Age=86400; Path=/custom; SameSite=Strict`,
    );
  });

  it("sets no cookie on a websocket handshake (as engine.io)", async () => {
    const h = await startEngine({ cookie: true });
    const ws = await rawWebSocket(h);
    expect(ws.upgradeHeaders["set-cookie"]).toBeUndefined();
  });
});

describe("engine headers events", () => {
  it("lets initial_headers and headers edit the polling handshake answer", async () => {
    const h = await startEngine();
    const calls: string[] = [];
    h.engine.on("initial_headers", (headers: Record<string, string>, req: EngineRequest) => {
      calls.push(`initial ${req.method}`);
      headers["X-Initial"] = "1";
    });
    h.engine.on("headers", (headers: Record<string, string>, req: EngineRequest) => {
      calls.push(`headers ${req.method}`);
      headers["X-Every"] = "1";
    });
    const open = await rawHandshake(h);
    expect(open.headers.get("x-initial")).toBe("1");
    expect(open.headers.get("x-every")).toBe("1");
    expect(calls).toEqual(["initial GET", "headers GET"]);
    calls.length = 0;
    const push = await rawRequest(h, `EIO=4&transport=polling&sid=${open.sid}`, {
      method: "POST",
      body: "4a",
    });
    expect(push.headers.get("x-initial")).toBeNull();
    expect(push.headers.get("x-every")).toBe("1");
    expect(calls).toEqual(["headers POST"]);
  });

  it("sees the cookie in initial_headers and may remove it", async () => {
    const h = await startEngine({ cookie: true });
    h.engine.on("initial_headers", (headers: Record<string, unknown>) => {
      expect(headers["Set-Cookie"]).toHaveLength(1);
      delete headers["Set-Cookie"];
    });
    const open = await rawHandshake(h);
    expect(open.headers.get("set-cookie")).toBeNull();
  });

  it("lets initial_headers and headers edit the websocket handshake answer", async () => {
    const h = await startEngine();
    h.engine.on("initial_headers", (headers: Record<string, string>) => {
      headers["X-Initial"] = "ws";
    });
    h.engine.on("headers", (headers: Record<string, string>) => {
      headers["X-Every"] = "ws";
    });
    const ws = await rawWebSocket(h);
    expect(ws.upgradeHeaders["x-initial"]).toBe("ws");
    expect(ws.upgradeHeaders["x-every"]).toBe("ws");
  });

  it("emits only headers for the upgrade of an existing session", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const open = await rawHandshake(h);
    await conn;
    const seen: IncomingHttpHeaders[] = [];
    h.engine.on("initial_headers", () => seen.push({ initial: "1" }));
    h.engine.on("headers", (headers: Record<string, string>) => {
      headers["X-Upgrade"] = "1";
      seen.push({ headers: "1" });
    });
    const ws = await rawWebSocket(h, `EIO=4&transport=websocket&sid=${open.sid}`);
    expect(ws.upgradeHeaders["x-upgrade"]).toBe("1");
    expect(seen).toEqual([{ headers: "1" }]);
  });
});
