/**
 * A quick heap census (not a benchmark): the server-side heap per connection, as used by
 * docs/performance.md. The server runs in this process from the TypeScript sources; N raw
 * Engine.IO 4 WebSocket clients (joining "/", answering pings) run in a child process.
 *
 *   node --expose-gc -r ./test/support/ts-require.js bench/heap-census.js [N] [variant]
 *
 * variant: "base" (one application listener per socket), "err" (plus an "error" listener),
 * "hs" (plus socket.handshake and socket.data read in the connection handler).
 * Prints {"N", "variant", "perConnBytes"}: (heapUsed after - before) / N, after three GCs each.
 */
"use strict";
const { fork } = require("node:child_process");
const http = require("node:http");
const path = require("node:path");

const N = Number(process.argv[2] || 2000);
const variant = process.argv[3] || "base";

if (process.argv[4] === "clients") {
  const { WebSocket } = require("ws");
  const port = Number(process.argv[5]);
  let joined = 0;
  for (let i = 0; i < N; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    ws.on("message", (data) => {
      const text = data.toString();
      if (text[0] === "0") ws.send("40");
      else if (text.startsWith("40")) {
        if (++joined === N) process.send("joined");
      } else if (text === "2") ws.send("3");
    });
  }
  process.on("message", () => process.exit(0));
} else {
  if (typeof gc !== "function") throw new Error("run with --expose-gc");
  const heap = () => {
    gc();
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const { Server } = require(path.join(__dirname, "../core/index.ts"));
  const noop = () => {};
  (async () => {
    const httpServer = http.createServer();
    const io = new Server(httpServer);
    io.on("connection", (socket) => {
      socket.on("m", noop);
      if (variant === "err") socket.on("error", noop);
      if (variant === "hs") void [socket.handshake, socket.data];
    });
    await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const before = heap();
    const clients = fork(__filename, [
      String(N),
      variant,
      "clients",
      String(httpServer.address().port),
    ]);
    await new Promise((resolve) => clients.once("message", resolve));
    const after = heap();
    console.log(JSON.stringify({ N, variant, perConnBytes: Math.round((after - before) / N) }));
    clients.send("exit");
    await new Promise((resolve) => clients.once("exit", resolve));
    io.close();
  })();
}
