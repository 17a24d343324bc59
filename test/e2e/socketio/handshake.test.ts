import type { IncomingMessage } from "node:http";
import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect as connectClient,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;

/** Connects a client to `nsp` and resolves with both ends once both saw the connection. */
function connect(h: ServerHarness, nsp: string, opts: ClientOpts): Promise<[ClientSocket, Socket]> {
  return connectClient(h, opts, nsp);
}

describe.each(TRANSPORTS)("handshake over $name", ({ name, opts }) => {
  const firstTransport = name === "websocket" ? "websocket" : "polling";

  it("exposes the parsed query as socket.request._query (engine.io's field)", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, "/", { ...opts, query: { token: "abc" } });
    expect(socket.request._query).toMatchObject({
      token: "abc",
      EIO: "4",
      transport: firstTransport,
    });
    expect(socket.request._query).toBe(socket.conn.request._query);
  });

  it("exposes the handshake fields", async () => {
    const h = await startServer();
    const before = Date.now();
    const [, socket] = await connect(h, "/", opts);
    const hs = socket.handshake;
    expect(Object.keys(hs).sort()).toEqual(
      ["address", "auth", "headers", "issued", "query", "secure", "time", "url", "xdomain"].sort(),
    );
    expect(typeof hs.headers).toBe("object");
    expect(hs.headers.host).toBe(`127.0.0.1:${h.port}`);
    expect(typeof hs.time).toBe("string");
    expect(Number.isNaN(Date.parse(hs.time))).toBe(false);
    expect(hs.address).toMatch(/127\.0\.0\.1$/);
    expect(hs.xdomain).toBe(false);
    expect(hs.secure).toBe(false);
    expect(typeof hs.issued).toBe("number");
    // whole seconds in `time`, milliseconds in `issued`
    expect(hs.issued).toBeGreaterThanOrEqual(before);
    expect(hs.issued).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(hs.time)).toBeLessThanOrEqual(hs.issued);
    expect(hs.issued - Date.parse(hs.time)).toBeLessThan(2000);
    expect(hs.url.startsWith("/socket.io/?")).toBe(true);
    expect(hs.url).toContain("EIO=4");
    expect(hs.url).toContain(`transport=${firstTransport}`);
    expect(hs.query.EIO).toBe("4");
    expect(hs.query.transport).toBe(firstTransport);
    expect(hs.auth).toEqual({});
  });

  it("carries the client's query, auth and extra headers", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, "/", {
      ...opts,
      query: { foo: "bar", n: 42 as unknown as string },
      auth: { token: "abc", nested: { a: [1, 2] } },
      extraHeaders: { "x-custom": "custom-value" },
    });
    expect(socket.handshake.query.foo).toBe("bar");
    expect(socket.handshake.query.n).toBe("42");
    expect(socket.handshake.url).toContain("foo=bar");
    expect(socket.handshake.auth).toEqual({ token: "abc", nested: { a: [1, 2] } });
    expect(socket.handshake.headers["x-custom"]).toBe("custom-value");
  });

  it("takes the auth of a function given to the client", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, "/", {
      ...opts,
      auth: (cb: (data: object) => void) => cb({ fromFn: true }),
    });
    expect(socket.handshake.auth).toEqual({ fromFn: true });
  });

  it("sets xdomain when the request has an Origin header", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, "/", {
      ...opts,
      extraHeaders: { origin: "http://example.com" },
    });
    expect(socket.handshake.xdomain).toBe(true);
    expect(socket.handshake.headers.origin).toBe("http://example.com");
  });

  it("gives each namespace its own auth, and one request to all of them", async () => {
    const h = await startServer();
    h.io.of("/admin");
    const [main, mainSocket] = await connect(h, "/", { ...opts, auth: { ns: "main" } });
    const conn = waitFor<[Socket]>(h.io.of("/admin"), "connection");
    // a second namespace on the same Manager (same Engine.IO connection); it opens by itself
    const admin = main.io.socket("/admin", { auth: { ns: "admin" } });
    const [adminSocket] = await conn;
    await (admin.connected ? Promise.resolve() : waitFor(admin, "connect"));
    expect(mainSocket.handshake.auth).toEqual({ ns: "main" });
    expect(adminSocket.handshake.auth).toEqual({ ns: "admin" });
    expect(adminSocket.conn).toBe(mainSocket.conn);
    expect(adminSocket.request).toBe(mainSocket.request);
    expect(adminSocket.handshake.url).toBe(mainSocket.handshake.url);
    expect(adminSocket.id).not.toBe(mainSocket.id);
    admin.disconnect();
  });

  it("gives a socket id distinct from the Engine.IO id, known to the client", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, "/", opts);
    expect(typeof socket.id).toBe("string");
    expect(socket.id.length).toBeGreaterThan(0);
    expect(socket.id).not.toBe(socket.conn.id);
    expect(socket.id).not.toBe(socket.client.id);
    expect(socket.client.id).toBe(socket.conn.id);
    expect(client.id).toBe(socket.id);
    expect(h.io.of("/").sockets.get(socket.id)).toBe(socket);
  });

  it("gives two clients distinct ids", async () => {
    const h = await startServer();
    const [c1, s1] = await connect(h, "/", opts);
    const [c2, s2] = await connect(h, "/", opts);
    expect(s1.id).not.toBe(s2.id);
    expect(c1.id).toBe(s1.id);
    expect(c2.id).toBe(s2.id);
  });

  it("exposes the request and the Engine.IO connection", async () => {
    const h = await startServer();
    const [, socket] = await connect(h, "/", { ...opts, query: { q: "1" } });
    const req = socket.request as IncomingMessage;
    expect(req.headers.host).toBe(`127.0.0.1:${h.port}`);
    expect(req.url).toBe(socket.handshake.url);
    expect(socket.handshake.headers).toBe(req.headers);
    expect(socket.conn.remoteAddress).toBe(socket.handshake.address);
    expect(socket.conn.protocol).toBe(4);
    expect(socket.conn.readyState).toBe("open");
    expect(socket.conn.request).toBe(req);
    expect(socket.nsp).toBe(h.io.of("/"));
    expect(socket.server).toBe(h.io);
    expect(socket.adapter).toBe(h.io.of("/").adapter);
    expect(socket.connected).toBe(true);
    expect(socket.disconnected).toBe(false);
    expect(socket.recovered).toBe(false);
    expect(socket.data).toEqual({});
    if (name !== "upgrade") expect(socket.conn.transport.name).toBe(firstTransport);
  });

  it("lets middlewares read the handshake and set socket.data", async () => {
    const h = await startServer();
    h.io.use((socket, next) => {
      socket.data.user = socket.handshake.auth.user;
      next();
    });
    const [, socket] = await connect(h, "/", { ...opts, auth: { user: "alice" } });
    expect(socket.data).toEqual({ user: "alice" });
  });
});

describe("handshake after an upgrade", () => {
  it("keeps the polling request and url once the transport is websocket", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, "/", TRANSPORTS[2].opts);
    if (client.io.engine.transport.name !== "websocket") {
      await waitFor(client.io.engine, "upgrade");
    }
    await waitUntil(
      () => socket.conn.transport.name === "websocket",
      5000,
      "the server side to switch to websocket",
    );
    expect(socket.handshake.query.transport).toBe("polling");
    expect((socket.request as IncomingMessage).url).toBe(socket.handshake.url);
    // still connected and working over the new transport
    const got = waitFor(client, "after");
    socket.emit("after", 1);
    expect(await got).toEqual([1]);
  });
});
