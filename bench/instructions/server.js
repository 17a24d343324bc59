"use strict";
/**
 * The server that bench/instructions/run.js counts under callgrind: socketkit from dist/ (or
 * raw ws with the argument "raw-ws") on 127.0.0.1 port 0 with an "echo" handler acking its
 * argument. Prints its port; exits (so that callgrind writes its counts) at "exit" on stdin.
 */
const { createServer } = require("node:http");

const impl = process.argv[2] ?? "socketkit";
const http = createServer();
if (impl === "raw-ws") {
  require("../servers/raw-ws").start(http, { coalesce: true });
} else {
  const { Server } = require("../../dist/core/index.js");
  const io = new Server(http);
  io.on("connection", (socket) => {
    socket.on("echo", (value, ack) => ack(value));
  });
}
http.listen(0, "127.0.0.1", () => console.log(`port ${http.address().port}`));
process.stdin.on("data", (d) => {
  if (String(d).includes("exit")) process.exit(0);
});
