// socketkit + Koa: `npm run example:koa` (builds the package, then runs this file), then open
// http://127.0.0.1:3000 (PORT changes the port). Log in over HTTP: the socket's next handshake
// sees the same koa-session session; log out: the next handshake is refused. Events go through
// Koa-style middleware.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const Koa = require("koa");
const { createSession } = require("koa-session");
const { attach, KoaEvents } = require("socketkit/koa");

const port = Number(process.env.PORT ?? 3000);
// the login page shared by the Fastify, Express and Koa session examples
const page = readFileSync(join(__dirname, "..", "session-page", "index.html"));

// a server-side session store, so that logging out revokes the cookie
const sessions = new Map();
const store = {
  get: async (key) => sessions.get(key),
  set: async (key, value) => void sessions.set(key, value),
  destroy: async (key) => void sessions.delete(key),
};

const app = new Koa();
app.keys = [process.env.SESSION_SECRET ?? "a development secret"];
const sessionMiddleware = createSession({ store }, app);
app.use(sessionMiddleware);

async function readJson(ctx) {
  let body = "";
  for await (const chunk of ctx.req) body += chunk;
  return body ? JSON.parse(body) : {};
}

app.use(async (ctx) => {
  if (ctx.path === "/") {
    ctx.type = "html";
    ctx.body = page;
  } else if (ctx.path === "/me") {
    ctx.body = { user: ctx.session.user ?? null };
  } else if (ctx.path === "/login" && ctx.method === "POST") {
    ctx.session.user = String((await readJson(ctx)).name ?? "").trim() || "anonymous";
    ctx.body = { user: ctx.session.user, online: ctx.io.engine.clientsCount }; // ctx.io: the server
  } else if (ctx.path === "/logout" && ctx.method === "POST") {
    ctx.session = null;
    ctx.body = { user: null };
  }
});

const io = attach(app, {
  // Koa middleware run on the handshake, with a real Koa context
  handshake: [
    sessionMiddleware,
    async (ctx, next) => {
      if (!ctx.session.user) ctx.throw(401, "log in first");
      ctx.state.user = ctx.session.user;
      await next();
    },
  ],
});

// koa-socket-2 style: middleware around every event, then `(ctx, data)` handlers
const events = new KoaEvents(io);
events.use(async (ctx, next) => {
  const started = Date.now();
  await next();
  console.log(`${ctx.event} from ${ctx.socket.request.session.user}: ${Date.now() - started} ms`);
});
events.on("whoami", (ctx) => ctx.acknowledge?.(ctx.socket.request.session.user));

app.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
});
// io.close() disconnects the sockets, then closes app.server: it never waits on them
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => io.close());
