/**
 * socketkit/fastify with the real Fastify (5, and 4 through the `fastify4` alias) and the real
 * socket.io-client: requests and upgrades pass through Fastify's hooks, what the hooks set is
 * reachable from the socket, and fastify.close() never hangs.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { Module } from "node:module";
import type { IncomingMessage } from "node:http";
import fastifySession from "@fastify/session";
import fastifyCors from "@fastify/cors";
import { WebSocket } from "ws";
import type { AddressInfo } from "node:net";
import { socketkit, fastifyRequestOf } from "../../integrations/fastify/index";
import { CLIENT_TRANSPORTS, connect, connectError, http, portIsFree } from "./helpers";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Fastify 4 alias
const Fastify4 = require("fastify4") as typeof Fastify;

// @fastify/cookie 11 loads the ESM-only `cookie` 2 with import(), which jest's sandbox refuses
// without --experimental-vm-modules: load that one plugin with Node's own loader instead.
const nodeLoad = (
  Module as unknown as { _load(request: string, parent: null, isMain: boolean): unknown }
)._load;
const fastifyCookie = nodeLoad(
  require.resolve("@fastify/cookie"),
  null,
  false,
) as typeof import("@fastify/cookie");

declare module "fastify" {
  interface FastifyRequest {
    user?: string;
  }
  interface Session {
    user?: string;
    visits?: number;
  }
}

/** The session socketkit/fastify mirrors from the Fastify request onto `socket.request`. */
const sessionOf = (req: IncomingMessage) =>
  (
    req as IncomingMessage & {
      session?: FastifyRequest["session"];
    }
  ).session;

const apps = new Set<FastifyInstance>();

async function start(
  factory: typeof Fastify,
  setup: (app: FastifyInstance) => unknown,
): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = factory();
  apps.add(app);
  await setup(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, port };
}

afterEach(async () => {
  await closeAll();
  await Promise.all([...apps].map((app) => app.close()));
  apps.clear();
});

describe.each([
  ["5", Fastify],
  ["4", Fastify4],
])("Fastify %s", (major, factory) => {
  it("runs the plugin under its own Fastify major", async () => {
    const { app } = await start(factory, (a) => a.register(socketkit));
    expect(app.version.split(".")[0]).toBe(major);
    expect(app.io).toBeDefined();
    expect(app.io.path()).toBe("/socket.io");
  });

  it.each(CLIENT_TRANSPORTS)(
    "runs onRequest hooks for every request and upgrade (%s)",
    async (_, opts) => {
      const seen: string[] = [];
      const { app, url } = await start(factory, async (a) => {
        await a.register(socketkit);
        a.addHook("onRequest", async (request) => {
          seen.push(
            `${request.method} ${new URL(request.url, "http://x").searchParams.get("transport")}`,
          );
          request.user = "alice";
        });
      });
      const users = new Promise<string | undefined>((resolve) =>
        app.io.on("connection", (socket) => resolve(fastifyRequestOf(socket.request)?.user)),
      );
      const client = await connect(url, opts);
      expect(await users).toBe("alice");
      if (opts.transports?.length === 2) {
        if (client.io.engine.transport.name !== "websocket") {
          await waitFor(client.io.engine, "upgrade");
        }
        expect(seen).toContain("GET websocket");
        expect(seen).toContain("GET polling");
      } else {
        expect(seen[0]).toBe(`GET ${opts.transports![0]}`);
      }
    },
  );

  it.each(CLIENT_TRANSPORTS.slice(0, 2))(
    "lets an onRequest hook refuse the handshake (%s)",
    async (_, opts) => {
      const { app, url } = await start(factory, async (a) => {
        a.addHook("onRequest", async (request, reply) => {
          if (request.url.startsWith("/socket.io/") && request.headers["x-token"] !== "s3cret") {
            await reply.code(401).send({ error: "unauthorized" });
          }
        });
        await a.register(socketkit);
      });
      let connections = 0;
      app.io.on("connection", () => connections++);
      const err = await connectError(url, opts);
      expect(err.message).toMatch(/xhr poll error|websocket error/);
      if (opts.transports![0] === "polling") expect(err.description).toBe(401);
      await connect(url, { ...opts, extraHeaders: { "x-token": "s3cret" } });
      expect(connections).toBe(1);
    },
  );

  it("carries headers set by hooks (reply.header) onto polling answers and the 101", async () => {
    const { url } = await start(factory, async (a) => {
      a.addHook("onRequest", async (_request, reply) => {
        reply.header("x-hooked", "yes");
      });
      await a.register(socketkit);
    });
    const polling = await http(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(200);
    expect(polling.body.startsWith("0{")).toBe(true);
    expect(polling.headers["x-hooked"]).toBe("yes");

    const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    const upgrade = waitFor<[{ headers: Record<string, string> }]>(ws, "upgrade");
    const message = waitFor<[Buffer]>(ws, "message");
    expect((await upgrade)[0].headers["x-hooked"]).toBe("yes");
    const [data] = await message;
    expect(data.toString().startsWith("0{")).toBe(true);
    ws.close();
    await waitFor(ws, "close");
  });

  it("serves the client bundle through Fastify", async () => {
    let hooked = 0;
    const { url } = await start(factory, async (a) => {
      a.addHook("onRequest", async () => void hooked++);
      await a.register(socketkit);
    });
    const res = await http(`${url}/socket.io/socket.io.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(hooked).toBe(1);
    const off = await start(factory, (a) => a.register(socketkit, { serveClient: false }));
    expect((await http(`${off.url}/socket.io/socket.io.min.js`)).status).toBe(400);
  });

  it("keeps the engine path's other routes and upgrades to their owners", async () => {
    const { app, url } = await start(factory, async (a) => {
      await a.register(socketkit, { path: "/rt" });
      a.get("/hello", async () => ({ hello: "world" }));
    });
    expect(JSON.parse((await http(`${url}/hello`)).body)).toEqual({ hello: "world" });
    const foreign = new WebSocket(`${url.replace("http", "ws")}/elsewhere`);
    foreign.on("error", () => undefined);
    await waitFor(foreign, "close", 3000); // ended after destroyUpgradeTimeout, nobody answered
    const client = await connect(url, { path: "/rt", transports: ["websocket"] });
    expect(client.connected).toBe(true);
    expect(app.io.engine.clientsCount).toBe(1);
  });

  it.each(CLIENT_TRANSPORTS)(
    "closes with connected clients and frees the port (%s)",
    async (_, opts) => {
      const { app, url, port } = await start(factory, (a) => a.register(socketkit));
      const reasons: string[] = [];
      app.io.on("connection", (socket) => socket.on("disconnect", (r) => reasons.push(r)));
      const clients = await Promise.all([connect(url, opts), connect(url, opts)]);
      const closed = clients.map((c) => waitFor(c, "disconnect"));
      const started = Date.now();
      await app.close();
      apps.delete(app);
      expect(Date.now() - started).toBeLessThan(2000);
      await Promise.all(closed);
      expect(reasons).toEqual(["server shutting down", "server shutting down"]);
      expect(await portIsFree(port)).toBe(true);
    },
  );

  it("runs a preClose override (callback style, this = fastify) before closing the rest", async () => {
    let self: unknown;
    const { app, url } = await start(factory, (a) =>
      a.register(socketkit, {
        preClose(done) {
          self = this;
          this.io.emit("bye", "restarting");
          setTimeout(done, 50);
        },
      }),
    );
    const client = await connect(url, { transports: ["websocket"] });
    const bye = waitFor<[string]>(client, "bye");
    const gone = waitFor(client, "disconnect");
    await app.close();
    apps.delete(app);
    expect(self).toBe(app);
    expect((await bye)[0]).toBe("restarting");
    await gone;
  });
  it("awaits a preClose override returning a promise, and closes the rest even if it fails", async () => {
    const steps: string[] = [];
    const { app, url } = await start(factory, (a) =>
      a.register(socketkit, {
        async preClose() {
          steps.push(`preClose with ${this.io.engine.clientsCount} client(s)`);
          throw new Error("preClose failed");
        },
      }),
    );
    const client = await connect(url, { transports: ["polling"] });
    const gone = waitFor(client, "disconnect");
    await expect(app.close()).rejects.toThrow("preClose failed");
    apps.delete(app);
    await gone;
    expect(steps).toEqual(["preClose with 1 client(s)"]);
    expect(app.io.engine.clientsCount).toBe(0);
    expect(app.server.listening).toBe(false);
  });
});

describe("Fastify 5 plugins on the Socket.IO path", () => {
  const SECRET = "a secret with at least 32 characters!!";

  async function sessionApp() {
    return start(Fastify, async (app) => {
      await app.register(fastifyCookie.default ?? fastifyCookie);
      await app.register(fastifySession, { secret: SECRET, cookie: { secure: false } });
      await app.register(socketkit);
      app.post("/login", async (request) => {
        request.session.set("user", "alice");
        return { ok: true };
      });
      app.post("/logout", async (request) => {
        await request.session.destroy();
        return { ok: true };
      });
      app.get("/me", async (request) => ({
        user: request.session.get("user") ?? null,
        visits: request.session.get("visits") ?? 0,
      }));
      app.io.use((socket, next) => {
        if (sessionOf(socket.request)?.get("user")) next();
        else next(new Error("unauthorized"));
      });
      app.io.on("connection", (socket) => {
        socket.on("whoami", (ack: (user: unknown) => void) =>
          ack(sessionOf(socket.request)?.get("user")),
        );
        socket.on("visit", async (ack: (visits: number) => void) => {
          const session = sessionOf(socket.request)!;
          await session.reload();
          const visits =
            ((sessionOf(socket.request)!.get("visits") as number | undefined) ?? 0) + 1;
          sessionOf(socket.request)!.set("visits", visits);
          await sessionOf(socket.request)!.save();
          ack(visits);
        });
      });
    });
  }

  it.each(CLIENT_TRANSPORTS)(
    "shares @fastify/session with the socket, both ways (%s)",
    async (_, opts) => {
      const { url } = await sessionApp();
      expect((await connectError(url, opts)).message).toBe("unauthorized");

      const login = await http(`${url}/login`, { method: "POST" });
      expect(login.cookie).toMatch(/^sessionId=/);
      const cookie = login.cookie;
      const client = await connect(url, { ...opts, extraHeaders: { cookie } });
      expect(await client.emitWithAck("whoami")).toBe("alice");
      expect(await client.emitWithAck("visit")).toBe(1);
      expect(JSON.parse((await http(`${url}/me`, { cookie })).body)).toEqual({
        user: "alice",
        visits: 1,
      });

      // logout over HTTP: the socket's next handshake (same cookie) is refused
      await http(`${url}/logout`, { method: "POST", cookie });
      client.disconnect();
      const refused = waitFor<[Error]>(client, "connect_error");
      client.connect();
      expect((await refused)[0].message).toBe("unauthorized");
    },
  );

  it("lets @fastify/cors answer preflights and set CORS headers on engine answers", async () => {
    const { url } = await start(Fastify, async (app) => {
      await app.register(fastifyCors, { origin: "http://front.test", credentials: true });
      await app.register(socketkit);
    });
    const headers = { origin: "http://front.test" };
    const handshake = await http(`${url}/socket.io/?EIO=4&transport=polling`, { headers });
    expect(handshake.status).toBe(200);
    expect(handshake.headers["access-control-allow-origin"]).toBe("http://front.test");
    expect(handshake.headers["access-control-allow-credentials"]).toBe("true");
    const preflight = await http(`${url}/socket.io/?EIO=4&transport=polling`, {
      method: "OPTIONS",
      headers: { ...headers, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("http://front.test");
  });
});
