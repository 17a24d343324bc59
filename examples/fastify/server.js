// socketkit + Fastify: `npm run example:fastify` (builds the package, then runs this file),
// then open http://127.0.0.1:3000 (PORT changes the port). Log in over HTTP: the socket's next
// handshake sees the same @fastify/session session; log out: the next handshake is refused.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const Fastify = require("fastify");
const { socketkit } = require("socketkit/fastify");

const port = Number(process.env.PORT ?? 3000);
// the login page shared by the Fastify, Express and Koa session examples
const page = readFileSync(join(__dirname, "..", "session-page", "index.html"));

async function main() {
  const app = Fastify();
  await app.register(require("@fastify/cookie"));
  await app.register(require("@fastify/session"), {
    secret: process.env.SESSION_SECRET ?? "a development secret of 32+ characters",
    cookie: { secure: false },
  });
  // Socket.IO's requests and upgrades go through Fastify: the session hook above runs for them,
  // and `socket.request.session` is the Fastify request's session
  await app.register(socketkit);

  app.get("/", (_request, reply) => reply.type("text/html").send(page));
  app.get("/me", async (request) => ({ user: request.session.get("user") ?? null }));
  app.post("/login", async (request) => {
    const name = String(request.body?.name ?? "").trim() || "anonymous";
    request.session.set("user", name);
    return { user: name };
  });
  app.post("/logout", async (request) => {
    await request.session.destroy();
    return { user: null };
  });

  app.io.use((socket, next) => {
    if (socket.request.session?.get("user")) next();
    else next(new Error("unauthorized"));
  });
  app.io.on("connection", (socket) => {
    socket.on("whoami", (ack) => ack(socket.request.session.get("user")));
  });

  await app.listen({ port, host: "127.0.0.1" });
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
  // fastify.close() disconnects the sockets first, so it never waits on them
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => app.close());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
