// socketkit + Express: `npm run example:express` (builds the package, then runs this file),
// then open http://127.0.0.1:3000 (PORT changes the port). Log in over HTTP: the socket's next
// handshake sees the same express-session session; log out: the next handshake is refused.
"use strict";
const { createServer } = require("node:http");
const { join } = require("node:path");
const express = require("express");
const session = require("express-session");
const { attach } = require("socketkit/express");

const port = Number(process.env.PORT ?? 3000);

const app = express();
const sessionMiddleware = session({
  secret: process.env.SESSION_SECRET ?? "keyboard cat",
  resave: false,
  saveUninitialized: false,
});
app.use(sessionMiddleware);
app.use(express.json());

// the login page shared by the Fastify, Express and Koa session examples
app.get("/", (_req, res) => res.sendFile(join(__dirname, "..", "session-page", "index.html")));
app.get("/me", (req, res) => res.json({ user: req.session.user ?? null }));
app.post("/login", (req, res) => {
  req.session.user = String(req.body?.name ?? "").trim() || "anonymous";
  res.json({ user: req.session.user, online: req.io.engine.clientsCount }); // req.io: the server
});
app.post("/logout", (req, res) => req.session.destroy(() => res.json({ user: null })));

const httpServer = createServer(app);
const io = attach(app, httpServer, {
  // on every Socket.IO request: loads the session the HTTP routes use
  use: [sessionMiddleware],
  // on handshakes only: refuse anonymous connections (passport.session() would go here too)
  handshake: [
    (req, res, next) => {
      if (req.session.user) return next();
      res.writeHead(401);
      res.end();
    },
  ],
});

io.on("connection", (socket) => {
  // the handshake's session: reload() picks up changes made over HTTP since
  socket.on("whoami", (ack) =>
    socket.request.session.reload(() => ack(socket.request.session.user)),
  );
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${httpServer.address().port}`);
});
// io.close() disconnects the sockets, then closes the http server: it never waits on them
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => io.close());
