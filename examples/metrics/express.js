// socketkit metrics and drain with Express: `npm run build`, then
// `node examples/metrics/express.js`; `curl localhost:3000/metrics` for Prometheus, and
// `/healthz` for the load balancer (503 once the node drains).
// SIGTERM handling spelled out: io.drain() (new handshakes get 503 with Retry-After, clients are
// closed once they owe no acknowledgement and reconnect elsewhere), then io.close().
"use strict";
const { createServer } = require("node:http");
const express = require("express");
const { Registry } = require("prom-client");
const { attach } = require("socketkit/express");
const { registerMetrics } = require("socketkit/prometheus");

const port = Number(process.env.PORT ?? 3000);

const app = express();
const httpServer = createServer(app);
const io = attach(app, httpServer, {
  metrics: true,
  connectionStateRecovery: {},
  maxHandshakesPerSecond: 5, // per client address
  eventRateLimit: { rate: 20, burst: 40, policy: "drop" },
});
const registry = new Registry();
registerMetrics(io, { registry });

let draining = false;
app.get("/healthz", (_req, res) => res.status(draining ? 503 : 200).end());
app.get("/metrics", async (_req, res) => {
  res.set("Content-Type", registry.contentType);
  res.end(await registry.metrics());
});

io.on("connection", (socket) => {
  socket.on("error", (err) => console.warn(socket.id, err.code, err.message)); // dropped events
  socket.on("echo", (message, ack) => (typeof ack === "function" ? ack(message) : undefined));
});

process.once("SIGTERM", async () => {
  draining = true;
  const result = await io.drain({ timeout: 10_000 });
  console.log(`drained: ${result.closed} closed, ${result.forced} forced, ${result.durationMs} ms`);
  await io.close();
  process.exit(0);
});

httpServer.listen(port, () => console.log(`listening on http://localhost:${port}`));
