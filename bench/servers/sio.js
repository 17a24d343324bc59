"use strict";
/**
 * The benchmark application for socketkit and the official socket.io: the same code for both,
 * stock options, only the `Server` class differs (socketkit gets `{ metrics: true }` with
 * SOCKETKIT_METRICS=1, to measure what the counters cost; bench/cluster-server.js adds the
 * official cluster adapter, the same for both).
 *
 * Events (all acknowledged):
 * - "echo" (data)              -> ack(data)
 * - "bin" (buffer)             -> ack(buffer)
 * - "join" (room)              -> socket.join(room); ack()
 * - "room" (room, seq, text)   -> io.to(room).emit("m", seq, text); ack()
 * - "all" (seq, text)          -> io.emit("m", seq, text); ack()
 */
function start(httpServer, Server, opts = {}, contract = null) {
  return handle(new Server(httpServer, opts), contract);
}

/**
 * The same application on a µWebSockets.js app (`io.attachApp`), for socketkit and socket.io
 * alike; returns it with the app to listen on.
 */
function startOnUws(uws, Server) {
  const app = uws.App();
  const io = new Server();
  io.attachApp(app);
  return { ...handle(io, null), uwsApp: app };
}

function handle(io, contract) {
  // socketkit only (the echo-zod / echo-valibot scenarios): the contract of bench/servers/contract.js
  if (contract !== null) io.contract(contract);
  io.on("connection", (socket) => {
    socket.on("echo", (data, ack) => ack(data));
    socket.on("bin", (buf, ack) => ack(buf));
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack();
    });
    socket.on("room", (room, seq, text, ack) => {
      io.to(room).emit("m", seq, text);
      ack();
    });
    socket.on("all", (seq, text, ack) => {
      io.emit("m", seq, text);
      ack();
    });
  });
  return {
    /** Connected Socket.IO sockets on the main namespace. */
    count: () => io.of("/").sockets.size,
  };
}

module.exports = { start, startOnUws };
