// The demo application: one page (plus its script and icon) and the Socket.IO server behind it.
// `createDemo(Server)` takes the Server class so that the browser tests can run the same code
// against the sources; server.js passes socketkit's. `createDemoOnUws(Server, uws)` is the same
// demo on a µWebSockets.js app.
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

/** The answer to a path that is not a file of the page. */
const NOT_FOUND = { type: "text/plain; charset=utf-8", body: "not found" };

/**
 * The page's files, read once: path -> { body, headers }, the headers every host writes for
 * the file (the Content-Length is the host's).
 */
function loadFiles() {
  return new Map(
    Object.entries(FILES).map(([path, [file, type]]) => [
      path,
      {
        body: readFileSync(join(__dirname, file)),
        headers: {
          "Content-Type": type,
          "Cache-Control": "no-cache",
          "X-Content-Type-Options": "nosniff",
        },
      },
    ]),
  );
}

/** The Socket.IO side of the demo on `io`: stats, chat, and what a new connection is sent. */
function setupIo(io, options) {
  const stats = setupStats(io, { interval: options.statsInterval, gc: options.gc });
  io.on("connection", (socket) => socket.emit("stats:history", stats.history()));
  setupChat(io);
  return stats;
}

/** The Server options of the demo, whatever hosts it. */
function serverOptions(options) {
  return {
    // a client that drops for a while gets its room and the messages it missed back
    connectionStateRecovery: { maxDisconnectionDuration: options.recoveryMs ?? 2 * 60_000 },
  };
}

/**
 * @param {typeof import("socketkit").Server} Server
 * @param {{ statsInterval?: number, recoveryMs?: number, gc?: () => void }} [options]
 *   `gc`: a full garbage collection, run before the memory readings (see stats.js)
 */
function createDemo(Server, options = {}) {
  const files = loadFiles();

  const httpServer = createServer((req, res) => {
    const file = files.get((req.url ?? "/").split("?")[0]);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": NOT_FOUND.type });
      res.end(NOT_FOUND.body);
      return;
    }
    res.writeHead(200, { ...file.headers, "Content-Length": file.body.length });
    res.end(req.method === "HEAD" ? undefined : file.body);
  });

  const io = new Server(httpServer, serverOptions(options));
  const stats = setupIo(io, options);

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

/**
 * The same demo on a µWebSockets.js app (`io.attachApp`): `uws` is the application's own
 * `require("uWebSockets.js")`. `listen(port, host)` resolves with the port it listens on.
 *
 * @param {typeof import("socketkit").Server} Server
 * @param {any} uws
 * @param {{ statsInterval?: number, recoveryMs?: number, gc?: () => void }} [options]
 */
function createDemoOnUws(Server, uws, options = {}) {
  const app = uws.App();
  for (const [path, file] of loadFiles()) {
    app.get(path, (res) =>
      res.cork(() => {
        res.writeStatus("200 OK");
        for (const [name, value] of Object.entries(file.headers)) res.writeHeader(name, value);
        res.end(file.body);
      }),
    );
  }
  const io = new Server(serverOptions(options));
  io.attachApp(app);
  app.any("/*", (res) =>
    res.cork(() =>
      res
        .writeStatus("404 Not Found")
        .writeHeader("Content-Type", NOT_FOUND.type)
        .end(NOT_FOUND.body),
    ),
  );
  const stats = setupIo(io, options);
  let token = null;

  return {
    app,
    io,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        app.listen(host, port, (listening) => {
          if (!listening) return reject(new Error(`cannot listen on ${host}:${port}`));
          token = listening;
          resolve(uws.us_socket_local_port(listening));
        });
      }),
    /** Disconnects everyone, stops sampling, stops listening and closes what is left open. */
    close: async () => {
      stats.stop();
      await io.close();
      if (token !== null) uws.us_listen_socket_close(token);
      token = null;
      // and every connection still open (idle keep-alive ones included), so the process can end
      if (typeof app.close === "function") app.close();
    },
  };
}

module.exports = { createDemo, createDemoOnUws };
