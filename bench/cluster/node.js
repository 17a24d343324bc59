// A node of the sticky-free bench: socketkit with the Redis cluster driver (CLUSTER=1) or
// without (a single node, or the sticky setup). Prints "ready" once listening.
"use strict";
const { createServer } = require("node:http");
const { Server } = require("socketkit");

async function main() {
  const http = createServer();
  const opts = {};
  let clients = [];
  if (process.env.CLUSTER === "1") {
    const { createClient } = require("redis");
    const { RedisClusterDriver } = require("socketkit/cluster-redis");
    clients = [
      createClient({ url: "redis://127.0.0.1:6379" }),
      createClient({ url: "redis://127.0.0.1:6379" }),
    ];
    await Promise.all(clients.map((c) => c.connect()));
    opts.cluster = {
      driver: new RedisClusterDriver(clients[0], clients[1]),
      channelPrefix: "bench-" + process.env.RUN,
    };
  }
  const io = new Server(http, opts);
  io.on("connection", (socket) => socket.on("echo", (data, ack) => ack(data)));
  await io.engine.cluster?.ready;
  http.listen(Number(process.env.PORT), "127.0.0.1", () => process.send("ready"));
  process.on("message", (m) => {
    if (m === "stop")
      io.close(() => Promise.all(clients.map((c) => c.quit())).then(() => process.exit(0)));
  });
}
main();
