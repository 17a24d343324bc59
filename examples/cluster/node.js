// One socketkit node of the sticky-free cluster example (started by run.js, three times).
// Sessions: any node serves any request (the engine forwards to the owner over Redis).
// Rooms and broadcasts: the official @socket.io/redis-adapter, unchanged.
"use strict";
const { createServer } = require("node:http");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createClient } = require("redis");
const { createAdapter } = require("@socket.io/redis-adapter");
const { Server } = require("socketkit");
const { RedisClusterDriver } = require("socketkit/cluster-redis");

const name = process.env.NODE_NAME ?? "node";
const port = Number(process.env.PORT ?? 3001);
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const page = readFileSync(join(__dirname, "index.html"));

async function main() {
  const pubClient = createClient({ url });
  const subClient = pubClient.duplicate();
  const adapterPub = pubClient.duplicate();
  const adapterSub = pubClient.duplicate();
  await Promise.all([pubClient, subClient, adapterPub, adapterSub].map((c) => c.connect()));

  const http = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(page);
  });
  const io = new Server(http, {
    // the one option: sessions are routed to their owner over Redis
    cluster: { driver: new RedisClusterDriver(pubClient, subClient) },
    adapter: createAdapter(adapterPub, adapterSub),
  });
  io.on("connection", (socket) => {
    socket.emit("welcome", name);
    socket.on("echo", (text, ack) => ack({ text, owner: name }));
    socket.on("shout", (text) => io.emit("shout", { text, from: name }));
  });
  await io.engine.cluster.ready;
  http.listen(port, "127.0.0.1", () => console.log(`node ${name} on :${port}`));

  const stop = () => {
    console.log(`node ${name}: routing ${JSON.stringify(io.engine.cluster.stats)}`);
    io.close(() =>
      Promise.all([pubClient, subClient, adapterPub, adapterSub].map((c) => c.quit())),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
