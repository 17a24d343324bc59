// The demo application: one page (plus its script and icon) and the Socket.IO server behind it.
// `createDemo(Server)` takes the Server class so that the browser tests can run the same code
// against the sources; server.js passes socketkit's.
"use strict";
const { createServer } = require("node:http");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { setupChat } = require("./chat");
const { setupStats } = require("./stats");

const FILES = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/index.html": ["index.html", "text/html; charset=utf-8"],
  "/client.js": ["client.js", "text/javascript; charset=utf-8"],
  "/favicon.svg": ["favicon.svg", "image/svg+xml"],
  "/favicon.ico": ["favicon.svg", "image/svg+xml"],
};

/**
 * @param {typeof import("socketkit").Server} Server
 * @param {{ statsInterval?: number, recoveryMs?: number, gc?: () => void }} [options]
 *   `gc`: a full garbage collection, run before the memory readings (see stats.js)
 */
function createDemo(Server, options = {}) {
  const files = new Map(
    Object.entries(FILES).map(([path, [file, type]]) => [
      path,
      { body: readFileSync(join(__dirname, file)), type },
    ]),
  );

  const httpServer = createServer((req, res) => {
    const file = files.get((req.url ?? "/").split("?")[0]);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": file.type,
      "Content-Length": file.body.length,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  });

  const io = new Server(httpServer, {
    // a client that drops for a while gets its room and the messages it missed back
    connectionStateRecovery: { maxDisconnectionDuration: options.recoveryMs ?? 2 * 60_000 },
  });

  const stats = setupStats(io, { interval: options.statsInterval, gc: options.gc });
  io.on("connection", (socket) => socket.emit("stats:history", stats.history()));
  setupChat(io);

  return {
    httpServer,
    io,
    /** Disconnects everyone, stops sampling and closes the HTTP server. */
    close: async () => {
      stats.stop();
      await io.close();
    },
  };
}

module.exports = { createDemo };
