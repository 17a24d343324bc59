// The soak's server process: socketkit from dist/, a numbered broadcast every 100 ms, an echo
// with ack, and readings (heap + external after GC, open file descriptors) on request. On
// node:http, or with the argument "uws" on a µWebSockets.js app (io.attachApp).
"use strict";
const { createServer } = require("node:http");
const { readdirSync } = require("node:fs");
const { Server } = require("../../dist/core/index.js");

const OPTIONS = { pingInterval: 5000, pingTimeout: 5000 };
const onUws = process.argv[2] === "uws";
const http = onUws ? null : createServer();
const io = onUws ? new Server(OPTIONS) : new Server(http, OPTIONS);
io.on("connection", (socket) => {
  socket.on("echo", (value, ack) => {
    if (typeof ack === "function") ack(value);
  });
});

let seq = 0;
let ticker = null;

function reading() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return {
    live: m.heapUsed + m.external,
    rss: m.rss,
    fds: readdirSync("/proc/self/fd").length,
    clients: io.engine.clientsCount,
  };
}

process.on("message", (msg) => {
  if (msg.type === "reading") process.send({ type: "reading", id: msg.id, ...reading() });
  else if (msg.type === "broadcast-start") {
    ticker = setInterval(() => io.emit("tick", ++seq), 100);
    process.send({ type: "ok", id: msg.id });
  } else if (msg.type === "broadcast-stop") {
    clearInterval(ticker);
    process.send({ type: "ok", id: msg.id, last: seq });
  } else if (msg.type === "exit") {
    io.close();
    process.exit(0);
  }
});

if (onUws) {
  const uws = require("uWebSockets.js");
  const app = uws.App();
  io.attachApp(app);
  app.listen("127.0.0.1", 0, (token) => {
    if (!token) throw new Error("uWS could not listen");
    process.send({ type: "listening", port: uws.us_socket_local_port(token) });
  });
} else {
  http.listen(0, "127.0.0.1", () => process.send({ type: "listening", port: http.address().port }));
}
