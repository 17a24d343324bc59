// The socketkit chat demo: `npm start`, then open http://localhost:3000 in two browser tabs.
// It runs on the embedded in-memory adapter (no Redis needed) and loads the client bundle that
// socketkit serves itself at /socket.io/socket.io.js.
"use strict";
const { createServer } = require("node:http");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { Server } = require("socketkit");

const port = Number(process.env.PORT) || 3000;
const page = readFileSync(join(__dirname, "index.html"));

const httpServer = createServer((req, res) => {
  const pathname = (req.url ?? "/").split("?")[0];
  if (pathname === "/" || pathname === "/index.html") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page);
  } else {
    res.writeHead(404);
    res.end();
  }
});

const io = new Server(httpServer, {
  // a client that drops briefly gets its rooms and missed messages back
  connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
});

const ROOMS = ["general", "random", "help"];

io.use((socket, next) => {
  const name = String(socket.handshake.auth.name ?? "")
    .trim()
    .slice(0, 24);
  if (!name)
    return next(Object.assign(new Error("a name is required"), { data: { field: "name" } }));
  socket.data.name = name;
  next();
});

io.on("connection", (socket) => {
  if (!socket.recovered) socket.join("general");
  socket.emit("welcome", { id: socket.id, name: socket.data.name, rooms: ROOMS });

  // join a room; the ack returns the room's member count
  socket.on("join", async (room, ack) => {
    if (!ROOMS.includes(room)) return ack({ ok: false, error: "unknown room" });
    for (const r of socket.rooms) if (r !== socket.id) socket.leave(r);
    socket.join(room);
    const members = await io.in(room).allSockets();
    io.to(room).emit("notice", `${socket.data.name} joined #${room}`);
    ack({ ok: true, room, members: members.size });
  });

  // a chat message, acknowledged once it has been broadcast
  socket.on("chat", (text, ack) => {
    const room = [...socket.rooms].find((r) => r !== socket.id) ?? "general";
    const message = { from: socket.data.name, text: String(text).slice(0, 500), at: Date.now() };
    io.to(room).emit("chat", room, message);
    if (typeof ack === "function")
      ack({ ok: true, delivered: io.of("/").adapter.rooms.get(room)?.size ?? 0 });
  });

  socket.on("disconnect", (reason) => {
    console.log(`${socket.data.name} (${socket.id}) left: ${reason}`);
  });
});

httpServer.listen(port, () => {
  console.log(`socketkit chat demo on http://localhost:${port}`);
});

function shutdown() {
  io.close(() => process.exit(0));
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
